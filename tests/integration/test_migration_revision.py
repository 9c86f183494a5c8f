"""The schema check reads the revision without Alembic (issue 9: memory), and reads what Alembic reads."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from parcelguard.adapters.db import migrate
from parcelguard.bootstrap import Runtime, require_current_schema
from parcelguard.errors import ConfigurationError, ErrorCode


def test_the_head_constant_is_the_head_of_the_migrations() -> None:
    """Fails when a migration is added without updating migrate.HEAD_REVISION."""
    scripts = ScriptDirectory.from_config(migrate._config(create_engine("sqlite://")))

    assert scripts.get_heads() == [migrate.HEAD_REVISION]


def test_the_current_revision_is_the_one_alembic_reads(runtime: Runtime) -> None:
    with runtime.engine.connect() as connection:
        alembic_reads = MigrationContext.configure(connection).get_current_revision()

    assert migrate.current_revision(runtime.engine) == alembic_reads == migrate.HEAD_REVISION


def test_a_database_never_migrated_has_no_revision() -> None:
    assert migrate.current_revision(create_engine("sqlite://")) is None


def test_an_empty_version_table_means_no_revision_and_two_rows_are_refused() -> None:
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
    assert migrate.current_revision(engine) is None

    with engine.begin() as connection:
        connection.execute(text("INSERT INTO alembic_version VALUES ('0001'), ('0002')"))
    with pytest.raises(ConfigurationError) as refused:
        migrate.current_revision(engine)
    assert refused.value.code is ErrorCode.DATABASE_NOT_READY


def test_checking_the_schema_imports_no_alembic() -> None:
    probe = (
        "import sys\n"
        "from sqlalchemy import create_engine\n"
        "from parcelguard.adapters.db import migrate\n"
        "engine = create_engine('sqlite://')\n"
        "print(migrate.current_revision(engine), migrate.head_revision(engine))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.splitlines()

    assert shown == [f"None {migrate.HEAD_REVISION}", "[]"]


def test_the_known_revisions_are_alembics_own() -> None:
    """Fails when a migration's file is not named after its revision id (known_revisions reads file names)."""
    scripts = ScriptDirectory.from_config(migrate._config(create_engine("sqlite://")))

    assert migrate.known_revisions() == {script.revision for script in scripts.walk_revisions()}


def test_starting_on_a_database_a_newer_version_migrated_says_so(runtime: Runtime) -> None:
    with runtime.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    with pytest.raises(ConfigurationError) as refused:
        require_current_schema(runtime)
    assert refused.value.code is ErrorCode.DATABASE_NOT_READY and "newer ParcelGuard" in refused.value.message
