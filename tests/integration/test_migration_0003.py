"""Migration 0003 on a database that already holds waybills and keys: they join the carrier organisation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import Engine, LargeBinary, MetaData, String, Table, insert, inspect, select

from parcelguard.adapters.db import migrate
from parcelguard.adapters.db import models as m
from parcelguard.bootstrap import Runtime
from parcelguard.domain.organisation import CARRIER_ORGANISATION_ID, OrganisationKind
from parcelguard.services.organisations import add_organisation, list_organisations


def _row(table: Table, **given: Any) -> dict[str, Any]:
    """Placeholder values for every required column the test does not care about."""
    row: dict[str, Any] = {}
    for column in table.columns:
        if column.nullable or column.autoincrement is True or column.name in given:
            continue
        if isinstance(column.type, LargeBinary):
            row[column.name] = b"\x01" * 16
        elif isinstance(column.type, String):
            row[column.name] = "x"
        elif "DATETIME" in str(column.type).upper() or "TIMESTAMP" in str(column.type).upper():
            row[column.name] = datetime.now(UTC)
        else:
            row[column.name] = 1
    return {**row, **given}


def _downgrade(engine: Engine, revision: str) -> None:
    config = migrate._config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _at_0002_with_data(engine: Engine) -> None:
    _downgrade(engine, "0002")
    assert "organisation" not in inspect(engine).get_table_names()
    old = MetaData()
    old.reflect(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(old.tables["waybill"]).values(_row(old.tables["waybill"], id="w1", tracking_number="PG1"))
        )
        connection.execute(insert(old.tables["api_key"]).values(_row(old.tables["api_key"], key_id="k1")))
        # Rows that point at the waybill, which SQLite's table copy must keep intact.
        token = old.tables["label_token"]
        connection.execute(insert(token).values(_row(token, token_id=b"t" * 16, waybill_id="w1")))
        event = old.tables["tracking_event"]
        connection.execute(insert(event).values(_row(event, waybill_id="w1")))


def test_existing_waybills_and_keys_belong_to_the_carrier_after_the_upgrade(runtime: Runtime) -> None:
    _at_0002_with_data(runtime.engine)
    migrate.upgrade(runtime.engine)
    assert migrate.schema_differences(runtime.engine) == []
    with runtime.engine.connect() as connection:
        assert connection.scalar(select(m.waybill.c.organisation_id)) == CARRIER_ORGANISATION_ID
        assert connection.scalar(select(m.api_key.c.organisation_id)) == CARRIER_ORGANISATION_ID
        assert connection.scalar(select(m.label_token.c.waybill_id)) == "w1"
        assert connection.scalar(select(m.tracking_event.c.waybill_id)) == "w1"
    [carrier] = list_organisations(runtime.ctx)
    assert (carrier.id, carrier.name, carrier.kind) == (
        CARRIER_ORGANISATION_ID,
        "carrier",
        OrganisationKind.CARRIER,
    )
    # The carrier row was inserted with an explicit id; new organisations must not collide with it.
    shop = add_organisation(runtime.ctx, actor="t", name="shop", kind=OrganisationKind.PLATFORM)
    assert shop.id > CARRIER_ORGANISATION_ID


def test_the_upgrade_can_be_undone_and_redone(runtime: Runtime) -> None:
    _downgrade(runtime.engine, "0002")
    assert "key_canary" not in inspect(runtime.engine).get_table_names()
    migrate.upgrade(runtime.engine)
    assert migrate.schema_differences(runtime.engine) == []
