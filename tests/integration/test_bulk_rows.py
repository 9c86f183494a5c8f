"""Tuple-row executemany (issue 9): the same rows as the dict path, on SQLite and PostgreSQL, whatever the
order of the keys given, with timestamps processed once per shared object."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from parcelguard.adapters.db import models as m
from parcelguard.adapters.db.bulk import _processed, bulk_insert, bulk_insert_rows
from parcelguard.adapters.db.repositories import _AUDIT_KEYS, _WAYBILL_KEYS
from parcelguard.bootstrap import Runtime
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.issuance import issue_batch


def _audit_rows(runtime: Runtime, subject_prefix: str) -> list[tuple[Any, ...]]:
    a = m.audit_event.c
    with runtime.engine.connect() as connection:
        query = (
            select(a.occurred_at, a.actor, a.action, a.subject, a.details)
            .where(a.subject.like(f"{subject_prefix}%"))
            .order_by(a.subject)
        )
        return [tuple(row) for row in connection.execute(query)]


def test_tuple_rows_store_what_dict_rows_store_in_any_key_order(runtime: Runtime) -> None:
    shared = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    eastern = timezone(timedelta(hours=8))
    stamps = [shared, shared, datetime(2026, 11, 30, 18, 0, 1, tzinfo=eastern), shared]
    dicts = [
        {"occurred_at": t, "actor": f"a{n}", "action": "x", "subject": f"D{n}", "details": "{}"}
        for n, t in enumerate(stamps)
    ]
    keys = ("subject", "details", "occurred_at", "action", "actor")  # not the table's order
    tuples = [tuple({**row, "subject": f"T{n}"}[key] for key in keys) for n, row in enumerate(dicts)]
    with runtime.engine.begin() as connection:
        bulk_insert(connection, m.audit_event, dicts)
        bulk_insert_rows(connection, m.audit_event, keys, tuples)
        bulk_insert_rows(connection, m.audit_event, keys, [])
    by_dict = _audit_rows(runtime, "D")
    by_tuple = _audit_rows(runtime, "T")
    assert len(by_dict) == len(by_tuple) == 4
    assert [row[:3] + row[4:] for row in by_dict] == [row[:3] + row[4:] for row in by_tuple]
    assert [row[0] for row in by_tuple] == [t.astimezone(UTC) for t in stamps]


def test_the_row_keys_are_the_tables_column_order() -> None:
    assert list(_WAYBILL_KEYS) == [column.key for column in m.waybill.columns]
    assert list(_AUDIT_KEYS) == [c.key for c in m.audit_event.columns if c.key != "seq"]


def test_a_batch_stores_every_column_it_sealed(runtime: Runtime) -> None:
    people = SyntheticPeople(3)
    orders = [people.order() for _ in range(4)]
    orders[1]["remarks"] = "放门口"
    result = issue_batch(runtime.ctx, orders, actor="t")
    numbers = [item.tracking_number for item in result.items]  # type: ignore[union-attr]
    with runtime.ctx.uow() as uow:
        stored = uow.waybills.get_many(numbers)
    assert sorted(w.tracking_number for w in stored) == sorted(numbers)
    for waybill in stored:
        assert waybill.created_at.tzinfo is not None
        assert len(waybill.wrapped_key.blob) == 61
        assert len(waybill.indexes.recipient_mobile) == 16
    with_remarks = [w for w in stored if "remarks" in w.ciphertexts]
    assert len(with_remarks) == 1


class _Counted:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, value: Any) -> Any:
        self.calls += 1
        return ("p", value)


@given(st.lists(st.sampled_from([0, 1, 2, True, 1.0, "a"]), max_size=30))
def test_processing_by_runs_of_one_object_equals_processing_each(picks: list[Any]) -> None:
    objects = [object(), object(), object()]
    values = [objects[p] if isinstance(p, int) and not isinstance(p, bool) and p < 3 else p for p in picks]
    counted = _Counted()
    assert _processed(values, counted) == [("p", v) for v in values]
    runs = sum(1 for n, v in enumerate(values) if n == 0 or values[n - 1] is not v)
    assert counted.calls == runs
