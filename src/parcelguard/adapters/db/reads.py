"""Reads that every label print and lookup runs, on the driver's cursor.

A Core statement still says what is read (so the columns follow the models); it is compiled once per dialect
and run on the DBAPI cursor of the unit of work's connection, in its transaction. Through
``Connection.execute`` the rows of one waybill lookup took about 27 us (execution context, result metadata,
row objects around the driver's work), on the cursor 10 us (issue 9; a ZPL label takes about 200 us).

Only reads go this way. Writes stay on ``Connection`` (``bulk.py``), whose events take SQLite's in-process
write lock (``engine.py``). A driver error is raised as SQLAlchemy's ``DBAPIError`` subclass for it, as
``Connection.execute`` would, and a lost connection is invalidated so the pool does not hand it out again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, LargeBinary, Select
from sqlalchemy.exc import DBAPIError


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """One SELECT compiled for one dialect: its SQL text, the order of its parameters for a positional
    driver (sqlite3; None for named ones, psycopg), the values of parameters the statement binds itself
    (a LIMIT), and the result processors of its columns by position (timestamps)."""

    sql: str
    positional: tuple[str, ...] | None
    defaults: Mapping[str, Any]
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]


@lru_cache(maxsize=64)
def read_plan(dialect: Dialect, statement: Select[Any]) -> ReadPlan:
    """``statement`` compiled for ``dialect``, once (cached by identity: pass module-level statements).

    Binary columns get no processor: sqlite3 and psycopg both return ``bytes``, and readers take
    ``bytes(...)`` of them anyway.
    """
    compiled = statement.compile(dialect=dialect)
    processors = []
    for position, column in enumerate(statement.selected_columns):
        if isinstance(column.type, LargeBinary):
            continue
        processor = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if processor is not None:
            processors.append((position, processor))
    positional = tuple(compiled.positiontup or ()) if compiled.positional else None
    return ReadPlan(str(compiled), positional, dict(compiled.params), tuple(processors))


def fetch_all(connection: Connection, plan: ReadPlan, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
    """Every row of ``plan`` run with ``params`` (by parameter name) in ``connection``'s transaction, as
    tuples in the statement's column order (lists when a column was processed)."""
    if plan.positional is not None:
        args: Any = tuple(params[name] if name in params else plan.defaults[name] for name in plan.positional)
    else:
        args = {**plan.defaults, **params} if plan.defaults else params
    proxied = connection.connection
    cursor = proxied.cursor()
    try:
        cursor.execute(plan.sql, args)
        rows: Sequence[Sequence[Any]] = cursor.fetchall()
    except connection.dialect.loaded_dbapi.Error as error:
        disconnected = connection.dialect.is_disconnect(error, proxied.dbapi_connection, cursor)
        if disconnected:
            connection.invalidate(error)
        raise DBAPIError.instance(
            plan.sql,
            args,
            error,
            connection.dialect.loaded_dbapi.Error,
            connection_invalidated=disconnected,
            dialect=connection.dialect,
        ) from error
    finally:
        cursor.close()
    if not plan.processors or not rows:
        return rows
    processed: list[Sequence[Any]] = []
    for row in rows:
        values = list(row)
        for position, processor in plan.processors:
            values[position] = processor(values[position])
        processed.append(values)
    return processed
