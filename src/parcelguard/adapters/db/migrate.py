"""Schema migrations with Alembic, shipped inside the package and run by ``parcelguard db upgrade``.

Every command that serves (``waybill issue``, the API, the workers) first checks that the schema is current:
that check reads the revision the database records with one plain query and compares it with
:data:`HEAD_REVISION`, without importing Alembic, which with mako and pygments costs such a process about
11 MiB and its start-up time. Alembic is imported only to migrate (:func:`upgrade`) and to compare the
schema with the models (:func:`schema_differences`). A test holds :data:`HEAD_REVISION` to Alembic's own
head, so a migration added without updating it fails the suite.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from parcelguard.adapters.db.models import metadata
from parcelguard.errors import ConfigurationError, ErrorCode

if TYPE_CHECKING:
    from alembic.config import Config

_SCRIPTS = Path(__file__).parent / "migrations"

HEAD_REVISION = "0010_session_last_seen"
"""The newest migration's revision id (Alembic's head); update it with every new migration."""

_VERSION_TABLE = "alembic_version"  # Alembic's default, which migrations/env.py keeps


def _config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest).

    Raises ConfigurationError (``database_not_ready``) when the database records a revision these
    migrations do not know (a newer ParcelGuard migrated it): Alembic's own error said nothing an operator
    could act on and reached the CLI as an internal error.
    """
    from alembic import command
    from alembic.script import ScriptDirectory

    config = _config(engine)
    current = current_revision(engine)
    if current is not None and current not in {
        script.revision for script in ScriptDirectory.from_config(config).walk_revisions()
    }:
        raise ConfigurationError(
            "the database schema was migrated by a newer ParcelGuard than this one: run that version "
            "(or restore a backup made for this one)",
            code=ErrorCode.DATABASE_NOT_READY,
        )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database's schema is at, read from Alembic's version table as Alembic reads it;
    None for a database never migrated.

    Raises ConfigurationError (``database_not_ready``) when the table records more than one revision
    (Alembic refuses that too: our migrations form one line, so the schema was not made by them).
    """
    with engine.connect() as connection:
        if not inspect(connection).has_table(_VERSION_TABLE):
            return None
        revisions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(revisions) > 1:
        raise ConfigurationError(
            "the database records more than one schema revision", code=ErrorCode.DATABASE_NOT_READY
        )
    return str(revisions[0]) if revisions else None


_REVISION_LINE = re.compile(r'^revision(?:\s*:\s*str)?\s*=\s*"([^"]+)"', re.MULTILINE)


def known_revisions() -> frozenset[str]:
    """Every revision id these migrations define, read from their ``revision = "..."`` lines without importing
    Alembic (a test holds them to Alembic's own reading)."""
    found = (
        _REVISION_LINE.search(path.read_text(encoding="utf-8"))
        for path in (_SCRIPTS / "versions").glob("*.py")
    )
    return frozenset(match.group(1) for match in found if match is not None)


def head_revision(engine: Engine) -> str:
    """The newest revision the package's migrations reach (:data:`HEAD_REVISION`; ``engine`` is unused and
    kept for callers that pass it)."""
    return HEAD_REVISION


def schema_differences(engine: Engine) -> list[object]:
    """What the models declare that the migrated schema lacks (empty when they agree)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))
