"""The database never holds a plaintext name, phone, address or ID number (GB/T 41833, PIPL Art. 51)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from parcelguard.adapters.db import models as m
from parcelguard.bootstrap import Runtime
from parcelguard.domain.order import parse_order
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.issuance import issue_batch
from parcelguard.services.keys import rotate_keys


def secrets_of(order: dict[str, Any], public: str = "") -> list[str]:
    """Every form of the personal data in an order that must never be stored readable.

    A short name can coincide with a division name (梁平 is also a district); the county-level routing text
    is stored on purpose, so a value that is part of ``public`` (all stored regions) is not counted.
    """
    parsed = parse_order(order)
    values = []
    for party in (parsed.sender, parsed.recipient):
        values += [party.name.value, party.mobile.value, party.address.full, party.address.detail]
    values += [parsed.sender_id.number.value, order["sender"]["mobile"], order["recipient"]["mobile"]]
    return [v for v in values if v and len(v) >= 2 and v not in public]


def regions(orders: list[dict[str, Any]]) -> str:
    parsed = [parse_order(o) for o in orders]
    return "|".join(p.recipient.address.region + "|" + p.sender.address.region for p in parsed)


def issue_many(runtime: Runtime, count: int) -> list[dict[str, Any]]:
    people = SyntheticPeople(99)
    orders = [people.order() for _ in range(count)]
    issue_batch(runtime.ctx, orders, actor="test:platform", idempotency_key="grep-test")
    return orders


def test_the_raw_sqlite_file_contains_no_personal_data(sqlite_runtime: Runtime) -> None:
    orders = issue_many(sqlite_runtime, 200)
    rotate_keys(sqlite_runtime.ctx, actor="test")
    with sqlite_runtime.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db_file = Path(sqlite_runtime.settings.resolved_database_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
    assert len(raw) > 100_000
    public = regions(orders)
    leaked = [value for order in orders for value in secrets_of(order, public) if value.encode() in raw]
    assert leaked == []


def test_no_column_of_any_table_holds_personal_data_on_either_database(runtime: Runtime) -> None:
    orders = issue_many(runtime, 50)
    dumped = []
    with runtime.engine.connect() as connection:
        for table in m.metadata.sorted_tables:
            for row in connection.execute(select(table)):
                dumped.append(json.dumps([str(v) for v in row], ensure_ascii=False))
    everything = "\n".join(dumped)
    assert everything.count("\n") >= 100  # 50 waybills and their audit events
    public = regions(orders)
    leaked = [value for order in orders for value in secrets_of(order, public) if value in everything]
    assert leaked == []


def test_the_detector_in_this_test_would_catch_a_plaintext_column(runtime: Runtime) -> None:
    """Guards the two tests above: the same scan finds a value that was stored in clear."""
    orders = issue_many(runtime, 1)
    planted = secrets_of(orders[0])[1]
    with runtime.engine.begin() as connection:
        connection.execute(text("UPDATE waybill SET routing_text = :v"), {"v": planted})
        rows = connection.execute(select(m.waybill)).all()
    assert any(planted in json.dumps([str(v) for v in row], ensure_ascii=False) for row in rows)
