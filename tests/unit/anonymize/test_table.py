"""One partition through its column rules: what each column becomes, and what the statistics say."""

from __future__ import annotations

import math

from parcelguard.adapters.crypto.ff1 import FF1
from parcelguard.adapters.crypto.pseudonym import HmacPseudonymizer
from parcelguard.domain.anonymize import TableTransformer, ValueOperators, parse_policy
from parcelguard.services.deid import keyed_operators
from tests.unit.anonymize.fakes import FakeDetector

POLICY = parse_policy(
    {
        "columns": {
            "name": {"type": "PERSON", "operator": "mask"},
            "phone": {"type": "PHONE", "operator": "pseudonymize"},
            "id": {"type": "CN_ID", "operator": "encrypt"},
            "remark": {"free_text": True},
            "city": {"type": "ADDRESS", "operator": "generalize"},
            "amount": "keep",
        }
    }
)
TABLE: dict[str, list[object]] = {
    "name": ["张伟", "李娜", None],
    "phone": ["13800138000", "+86 138 0013 8000", ""],
    "id": ["11010519491231002X", "bad-id", None],
    "remark": ["请联系张伟13800138000", "无", float("nan")],
    "city": ["北京市朝阳区建国路88号", "上海市浦东新区世纪大道1号", None],
    "amount": [1.5, 2, None],
    "secret": ["x", "y", "z"],
}


def transformer() -> TableTransformer:
    operators = keyed_operators(HmacPseudonymizer(bytes(32)), FF1(bytes(32)), "t")
    return TableTransformer(POLICY.resolve(list(TABLE)), operators, FakeDetector().detect)


def test_each_column_goes_through_its_rule_and_unlisted_columns_are_dropped() -> None:
    out, _ = transformer().transform(TABLE)
    assert list(out) == ["name", "phone", "id", "remark", "city", "amount"]
    assert out["name"][:2] == ["张*", "李*"]
    assert out["phone"][0] == out["phone"][1] and str(out["phone"][0]).startswith("PSN_PHONE_")
    assert len(str(out["id"][0])) == 18 and out["id"][0] != "11010519491231002X"
    assert out["id"][1] == "<CN_ID>"
    assert out["remark"][:2] == ["请联系<PERSON><PHONE>", "无"]
    assert out["city"][:2] == ["北京市朝阳区", "上海市浦东新区"]
    assert out["amount"] == [1.5, 2, None]


def test_empty_cells_stay_empty() -> None:
    out, _ = transformer().transform(TABLE)
    assert out["name"][2] is None and out["phone"][2] == "" and out["id"][2] is None
    assert isinstance(out["remark"][2], float) and math.isnan(out["remark"][2])


def test_statistics_count_values_changes_fallbacks_and_findings() -> None:
    _, stats = transformer().transform(TABLE)
    assert (stats.rows_in, stats.rows_out, stats.rows_suppressed) == (3, 3, 0)
    assert (stats.columns["id"].values, stats.columns["id"].changed, stats.columns["id"].unparsed) == (
        2,
        2,
        1,
    )
    assert stats.columns["remark"].values == 2 and stats.columns["remark"].changed == 1
    assert dict(stats.columns["remark"].entities) == {"PERSON": 1, "PHONE": 1}
    assert "secret" not in stats.columns


def test_numbers_read_as_floats_lose_their_decimal_point_before_transforming() -> None:
    policy = parse_policy({"columns": {"phone": {"type": "PHONE", "operator": "mask"}}})
    out, _ = TableTransformer(policy.resolve(["phone"]), ValueOperators()).transform(
        {"phone": [13800138000.0]}
    )
    assert out["phone"] == ["138******00"]
