"""Review of the schema check without Alembic (issue 9): a database a newer ParcelGuard migrated (a
revision these migrations do not know) is refused by ``db upgrade`` with ``database_not_ready`` and a
message an operator can act on, not Alembic's CommandError (the CLI's internal_error)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from parcelguard.adapters.db import migrate
from parcelguard.bootstrap import Runtime
from parcelguard.errors import ConfigurationError, ErrorCode


def test_upgrading_a_database_of_a_newer_version_is_database_not_ready(runtime: Runtime) -> None:
    with runtime.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))

    with pytest.raises(ConfigurationError) as refused:
        migrate.upgrade(runtime.engine)

    assert refused.value.code is ErrorCode.DATABASE_NOT_READY
    assert "newer ParcelGuard" in refused.value.message
    assert migrate.current_revision(runtime.engine) == "0099_from_the_future"  # left as it was


def test_upgrading_a_current_database_still_does_nothing(runtime: Runtime) -> None:
    migrate.upgrade(runtime.engine)
    assert migrate.current_revision(runtime.engine) == migrate.HEAD_REVISION
