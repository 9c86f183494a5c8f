"""database_error: which driver errors mean the database is unavailable or corrupt (a coded error for the
operator) and which stay driver errors (retries, constraints, bugs); the URL's password never shows."""

from __future__ import annotations

import sqlite3

import psycopg
import psycopg.errors
import pytest
from sqlalchemy.exc import DBAPIError

from parcelguard.adapters.db.engine import database_error, parse_database_url
from parcelguard.errors import ConfigurationError, ErrorCode

PG = "postgresql+psycopg://carrier:Pw0rdSecret@db.example:6543/parcels"


def wrapped(original: Exception) -> DBAPIError:
    return DBAPIError.instance("SELECT 1", {}, original, Exception)


@pytest.mark.parametrize(
    "original",
    [
        psycopg.OperationalError(
            'connection failed: FATAL: password authentication failed for user "carrier"'
        ),
        psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"),
        psycopg.InterfaceError("the connection is closed"),
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
    ],
)
def test_a_lost_or_refused_postgresql_connection_is_database_unavailable(original: Exception) -> None:
    translated = database_error(wrapped(original), PG)
    assert translated is not None and translated.code is ErrorCode.DATABASE_UNAVAILABLE
    assert "Pw0rdSecret" not in translated.message and "carrier" not in translated.message
    assert "db.example:6543" in translated.message and translated.field == "PARCELGUARD_DATABASE_URL"


@pytest.mark.parametrize(
    "original",
    [
        psycopg.errors.SerializationFailure("could not serialize access"),
        psycopg.errors.DeadlockDetected("deadlock detected"),
        psycopg.errors.UniqueViolation("duplicate key"),
        psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
    ],
)
def test_retries_constraints_and_timeouts_stay_driver_errors(original: Exception) -> None:
    assert database_error(wrapped(original), PG) is None


def test_sqlite_files_that_cannot_be_opened_or_are_not_databases() -> None:
    url = "sqlite:////srv/data/parcelguard.db"
    missing = database_error(wrapped(sqlite3.OperationalError("unable to open database file")), url)
    corrupt = database_error(wrapped(sqlite3.DatabaseError("file is not a database")), url)
    locked = database_error(wrapped(sqlite3.OperationalError("database is locked")), url)
    assert missing is not None and missing.code is ErrorCode.DATABASE_UNAVAILABLE
    assert corrupt is not None and corrupt.code is ErrorCode.DATABASE_CORRUPT
    assert locked is None


@pytest.mark.parametrize(
    "url",
    [
        "mysql://carrier:Pw0rdSecret@db/parcels",
        "postgresql+psycopg://carrier:Pw0rdSecret@db:port/parcels",
        "Pw0rdSecret",
        "oracle+oracledb://carrier:Pw0rdSecret@db/parcels",
    ],
)
def test_urls_of_other_databases_or_that_do_not_parse_are_invalid_configuration(url: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        parse_database_url(url)
    assert refused.value.code is ErrorCode.INVALID_CONFIGURATION
    assert "Pw0rdSecret" not in refused.value.message
