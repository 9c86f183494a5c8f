"""k-anonymity: measured on counts, reached by climbing hierarchies, with suppression inside its budget."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.domain.anonymize import (
    ColumnAction,
    ColumnRule,
    QiKey,
    TableTransformer,
    ValueOperators,
    class_sizes,
    hierarchy_for,
    measure_k,
    plan_recoding,
)
from parcelguard.errors import ErrorCode, ValidationError

REGIONS = [
    "北京市朝阳区建国路1号",
    "北京市海淀区中关村大街1号",
    "上海市浦东新区世纪大道1号",
    "广东省深圳市南山区科技园路1号",
]


def qi(name: str, level: str | None, entity_type: str | None = None) -> ColumnRule:
    hierarchy, start = hierarchy_for(entity_type, level)
    return ColumnRule(name, ColumnAction.QUASI_IDENTIFIER, hierarchy=hierarchy, start_level=start)


def people(n: int, seed: int = 1) -> dict[str, list[object]]:
    rnd = random.Random(seed)
    return {
        "age": [rnd.randint(18, 90) for _ in range(n)],
        "day": [f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}" for _ in range(n)],
        "sex": [rnd.choice("MF") for _ in range(n)],
        "address": [rnd.choice(REGIONS) for _ in range(n)],
    }


RULES = [qi("age", "number"), qi("day", "day"), qi("sex", None), qi("address", "district", "ADDRESS")]


def plan(
    table: dict[str, list[object]], k: int, max_suppression: float = 0.05
) -> tuple[TableTransformer, Counter[QiKey]]:
    transformer = TableTransformer(RULES, ValueOperators())
    counts = transformer.qi_counts(table)
    recoding = plan_recoding(
        counts,
        names=[r.name for r in RULES],
        rungs=transformer.qi_rungs(),
        k=k,
        max_suppression=max_suppression,
    )
    return transformer.with_recoding(recoding), counts


def k_of(table: dict[str, list[object]], columns: list[str]) -> int:
    """An independent count: the smallest group of identical quasi-identifier tuples in the output."""
    rows = Counter(zip(*(table[c] for c in columns), strict=True))
    return min(rows.values())


@pytest.mark.parametrize("k", [2, 5, 10, 25])
def test_the_output_reaches_k_and_suppresses_within_budget(k: int) -> None:
    table = people(600)
    transformer, _ = plan(table, k)
    out, stats = transformer.transform(table)
    assert k_of(out, ["age", "day", "sex", "address"]) >= k
    assert stats.rows_suppressed <= 0.05 * 600
    assert transformer.recoding is not None and transformer.recoding.k_achieved >= k
    assert stats.rows_suppressed == transformer.recoding.rows_suppressed


def test_the_plan_generalises_no_more_than_it_needs() -> None:
    table: dict[str, list[object]] = {"sex": ["M", "F"] * 50, "age": [30, 31] * 50}
    rules = [qi("sex", None), qi("age", "number")]
    transformer = TableTransformer(rules, ValueOperators())
    recoding = plan_recoding(
        transformer.qi_counts(table),
        names=["sex", "age"],
        rungs=transformer.qi_rungs(),
        k=5,
        max_suppression=0,
    )
    assert recoding.levels == (0, 0) and recoding.k_before == 50 == recoding.k_achieved


def test_measured_k_matches_class_sizes() -> None:
    counts: Counter[QiKey] = Counter({(("a", "*"),): 3, (("b", "*"),): 7})
    assert measure_k(counts) == 3
    assert measure_k(counts, [1]) == 10
    assert class_sizes(counts, [1]) == Counter({("*",): 10})
    assert measure_k(Counter()) == 0


def test_fewer_rows_than_k_cannot_be_made_k_anonymous() -> None:
    with pytest.raises(ValidationError) as caught:
        plan(people(3), k=5)
    assert caught.value.code is ErrorCode.K_ANONYMITY_UNREACHABLE


def test_an_empty_dataset_plans_to_nothing() -> None:
    transformer, _ = plan({name: [] for name in ("age", "day", "sex", "address")}, k=5)
    out, stats = transformer.transform({name: [] for name in ("age", "day", "sex", "address")})
    assert stats.rows_in == 0 and out["age"] == []


def test_unreadable_and_empty_values_never_appear_as_written() -> None:
    table: dict[str, list[object]] = {"age": ["34", "unknown: 13800138000", None, ""] * 5}
    transformer = TableTransformer([qi("age", "band10")], ValueOperators())
    out, stats = transformer.transform(table)
    assert set(out["age"]) == {"30-39", "*", None}
    assert stats.columns["age"].unparsed == 5


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(20, 300), k=st.integers(2, 8))
def test_any_dataset_reaches_k_after_suppression(seed: int, n: int, k: int) -> None:
    table = people(n, seed)
    transformer, _ = plan(table, k, max_suppression=0.1)
    out, stats = transformer.transform(table)
    if stats.rows_out:
        assert k_of(out, ["age", "day", "sex", "address"]) >= k
    assert stats.rows_suppressed <= int(0.1 * n)


def test_pycanon_agrees_on_k() -> None:
    pd = pytest.importorskip("pandas")
    anonymity = pytest.importorskip("pycanon.anonymity")
    table = people(400, seed=3)
    transformer, _ = plan(table, 7)
    out, _ = transformer.transform(table)
    frame = pd.DataFrame(out)
    assert anonymity.k_anonymity(frame, ["age", "day", "sex", "address"]) == k_of(
        out, ["age", "day", "sex", "address"]
    )
    assert anonymity.k_anonymity(frame, ["age", "day", "sex", "address"]) >= 7
