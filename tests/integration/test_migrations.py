"""The schema comes from Alembic migrations, and they agree with the models on both databases."""

from __future__ import annotations

from parcelguard.adapters.db import migrate
from parcelguard.bootstrap import Runtime


def test_migrations_reach_head_and_match_the_models(runtime: Runtime) -> None:
    assert migrate.current_revision(runtime.engine) == migrate.head_revision(runtime.engine)
    assert migrate.schema_differences(runtime.engine) == []


def test_upgrading_twice_is_harmless(runtime: Runtime) -> None:
    migrate.upgrade(runtime.engine)
    assert migrate.current_revision(runtime.engine) == migrate.head_revision(runtime.engine)
