"""Shared fixtures: a fresh, migrated database per test, on SQLite and on PostgreSQL.

PostgreSQL tests run when PARCELGUARD_TEST_POSTGRES_URL is set (scripts/test and CI set it); each test gets
its own schema, so tests never share state.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from parcelguard.adapters.db import migrate
from parcelguard.bootstrap import Runtime, bootstrap
from parcelguard.config import Settings

POSTGRES_URL = os.environ.get("PARCELGUARD_TEST_POSTGRES_URL")


def _postgres_schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'parcelguard.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PARCELGUARD_TEST_POSTGRES_URL is not set")
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(POSTGRES_URL, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(environment="test", home=tmp_path / "home", database_url=database_url)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    """A bootstrapped ParcelGuard on a freshly migrated database, with its own key file."""
    built = bootstrap(settings)
    migrate.upgrade(built.engine)
    yield built
    built.close()


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(environment="test", home=tmp_path / "home")


@pytest.fixture
def sqlite_runtime(sqlite_settings: Settings) -> Iterator[Runtime]:
    """SQLite only, for checks that read the raw database file."""
    built = bootstrap(sqlite_settings)
    migrate.upgrade(built.engine)
    yield built
    built.close()
