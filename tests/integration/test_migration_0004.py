"""Migration 0004 (people and stations) goes down and up again cleanly on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, inspect

from parcelguard.adapters.db import migrate
from parcelguard.bootstrap import Runtime
from parcelguard.domain.people import Role
from parcelguard.services import people
from tests.people_support import fast_runtime, with_station

PEOPLE_TABLES = {"station", "app_user", "user_session", "login_throttle"}


def _downgrade(engine: Engine, revision: str) -> None:
    config = migrate._config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_downgrading_below_0004_drops_the_people_tables_and_upgrading_restores_them(runtime: Runtime) -> None:
    assert set(inspect(runtime.engine).get_table_names()) >= PEOPLE_TABLES
    _downgrade(runtime.engine, "0003")
    assert not PEOPLE_TABLES & set(inspect(runtime.engine).get_table_names())
    migrate.upgrade(runtime.engine)
    assert migrate.schema_differences(runtime.engine) == []
    ctx = fast_runtime(runtime).ctx
    with_station(ctx)
    user, _ = people.add_user(
        ctx,
        username="courier.01",
        role=Role.COURIER,
        password="xyz" * 4 + "1234",
        station_code="SZ-NS-01",
        actor="t",
    )
    assert people.get_user(ctx, "courier.01") == user
