"""Policy documents: parsed strictly, errors coded and placed, JSON and TOML alike."""

from __future__ import annotations

import json
from typing import Any

import pytest

from parcelguard.domain.anonymize import (
    ColumnAction,
    DatasetPolicy,
    Operator,
    TextPolicy,
    parse_policy,
    policy_from_text,
)
from parcelguard.domain.deid.entity import EntityType
from parcelguard.errors import ErrorCode, ValidationError

FULL: dict[str, Any] = {
    "columns": {
        "name": {"type": "PERSON", "operator": "mask"},
        "phone": {"type": "PHONE", "operator": "pseudonymise"},
        "id_number": {"type": "CN_ID", "operator": "fpe"},
        "address": {"type": "ADDRESS", "quasi_identifier": True, "generalize": "city"},
        "age": {"quasi_identifier": True, "generalize": "band10"},
        "order_date": {"quasi_identifier": True, "generalize": "month"},
        "gender": {"quasi_identifier": True},
        "remark": {"free_text": True, "operators": {"PHONE": "mask"}},
        "amount": "keep",
        "note": "drop",
    },
    "free_text_operators": {"PERSON": "mask", "PHONE": "redact"},
    "unlisted_columns": "error",
    "k": 5,
    "max_suppression": 0.02,
}

TOML = """
k = 5
max_suppression = 0.02
unlisted_columns = "error"

[free_text_operators]
PERSON = "mask"
PHONE = "redact"

[columns]
amount = "keep"
note = "drop"
name = { type = "PERSON", operator = "mask" }
phone = { type = "PHONE", operator = "pseudonymise" }
id_number = { type = "CN_ID", operator = "fpe" }
address = { type = "ADDRESS", quasi_identifier = true, generalize = "city" }
age = { quasi_identifier = true, generalize = "band10" }
order_date = { quasi_identifier = true, generalize = "month" }
gender = { quasi_identifier = true }
remark = { free_text = true, operators = { PHONE = "mask" } }
"""


def test_a_full_policy_is_read_with_every_rule() -> None:
    policy = parse_policy(FULL)
    rules = {r.name: r for r in policy.columns}
    assert rules["phone"].operator is Operator.PSEUDONYMIZE
    assert rules["id_number"].operator is Operator.ENCRYPT
    assert (
        rules["address"].action is ColumnAction.QUASI_IDENTIFIER and rules["address"].hierarchy == "address"
    )
    assert rules["address"].start_level == 1
    assert (rules["age"].hierarchy, rules["age"].start_level) == ("number", 2)
    assert rules["gender"].hierarchy == "categorical"
    assert rules["amount"].action is ColumnAction.KEEP and rules["note"].action is ColumnAction.DROP
    remark = rules["remark"].text
    assert remark is not None and remark.operator_for(EntityType.PHONE) is Operator.MASK
    assert policy.text.operator_for(EntityType.PHONE) is Operator.REDACT
    assert policy.text.operator_for(EntityType.EMAIL) is Operator.REDACT
    assert (policy.k, policy.max_suppression, policy.unlisted) == (5, 0.02, "error")
    assert [r.name for r in policy.quasi_identifiers] == ["address", "age", "order_date", "gender"]


def test_toml_and_json_say_the_same_thing() -> None:
    as_json = policy_from_text(json.dumps(FULL), fmt="json")
    as_toml = policy_from_text(TOML, fmt="toml")
    assert sorted(as_json.columns, key=lambda r: r.name) == sorted(as_toml.columns, key=lambda r: r.name)
    assert as_json.text == as_toml.text and as_json.k == as_toml.k


def _error(doc: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse_policy(doc)
    assert caught.value.code is ErrorCode.INVALID_POLICY
    return caught.value


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ({"colums": {}}, "colums"),
        ({"columns": {"phone": {"type": "PHONE", "operater": "mask"}}}, "columns.phone.operater"),
        ({"columns": {"phone": {"type": "FAX", "operator": "mask"}}}, "columns.phone.type"),
        ({"columns": {"phone": {"type": "PHONE", "operator": "shred"}}}, "columns.phone.operator"),
        ({"columns": {"name": {"type": "PERSON", "operator": "encrypt"}}}, "columns.name.operator"),
        ({"columns": {"phone": {"type": "PHONE"}}}, "columns.phone.operator"),
        ({"columns": {"x": {"operator": "mask"}}}, "columns.x"),
        ({"columns": {"age": {"quasi_identifier": True, "generalize": "band7"}}}, "columns.age.generalize"),
        (
            {"columns": {"a": {"type": "ADDRESS", "quasi_identifier": True, "generalize": "month"}}},
            "columns.a.generalize",
        ),
        ({"columns": {"p": {"type": "PHONE", "quasi_identifier": True}}}, "columns.p.generalize"),
        (
            {"columns": {"r": {"free_text": True, "operators": {"PERSON": "encrypt"}}}},
            "columns.r.operators.PERSON",
        ),
        ({"free_text_operators": {"SSN": "mask"}}, "free_text_operators.SSN"),
        ({"k": 1}, "k"),
        ({"k": True}, "k"),
        ({"max_suppression": 1.5}, "max_suppression"),
        ({"unlisted_columns": "ignore"}, "unlisted_columns"),
        ({"default_free_text_operator": "encrypt"}, "free_text_operators.default"),
    ],
)
def test_mistakes_are_refused_with_their_place_in_the_document(doc: Any, where: str) -> None:
    assert _error(doc).field == where


def test_unparseable_documents_are_refused() -> None:
    for text, fmt in (("{not json", "json"), ("[1, 2]", "json"), ("k = = 3", "toml")):
        with pytest.raises(ValidationError) as caught:
            policy_from_text(text, fmt=fmt)  # type: ignore[arg-type]
        assert caught.value.code is ErrorCode.INVALID_POLICY


def test_resolving_against_data_drops_keeps_or_refuses_unlisted_columns() -> None:
    policy = parse_policy({"columns": {"phone": {"type": "PHONE", "operator": "mask"}}})
    rules = policy.resolve(["id", "phone"])
    assert [(r.name, r.action) for r in rules] == [("id", ColumnAction.DROP), ("phone", ColumnAction.VALUE)]
    kept = parse_policy({"columns": {}, "unlisted_columns": "keep"}).resolve(["id"])
    assert kept[0].action is ColumnAction.KEEP
    with pytest.raises(ValidationError) as caught:
        parse_policy({"unlisted_columns": "error"}).resolve(["id"])
    assert caught.value.code is ErrorCode.INVALID_DATASET


def test_a_policy_naming_an_absent_column_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_policy({"columns": {"phone": "keep"}}).resolve(["mobile"])
    assert caught.value.code is ErrorCode.INVALID_DATASET


def test_overrides_and_a_new_k_replace_only_what_they_name() -> None:
    text = TextPolicy.parse({"PERSON": "mask"}).with_overrides({EntityType.PHONE: Operator.PSEUDONYMIZE})
    assert text.operator_for(EntityType.PERSON) is Operator.MASK
    assert text.operator_for(EntityType.PHONE) is Operator.PSEUDONYMIZE
    assert text.operator_for(EntityType.IP) is Operator.REDACT
    policy = DatasetPolicy(columns=()).with_k(10)
    assert policy.k == 10 and policy.with_k(None).k == 10
    with pytest.raises(ValidationError):
        TextPolicy.uniform().with_overrides({EntityType.PERSON: Operator.ENCRYPT})
