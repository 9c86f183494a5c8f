"""Fast executemany for the rows issuance writes by the thousand.

SQLAlchemy Core rebuilds and processes every parameter set on each call; here the INSERT is compiled once per
dialect, table and column set, only the columns whose type needs a bind processor (timestamps) get one, and
the rows go to the driver's executemany as they are. Rows that may clash with a unique index (label tokens,
one active per waybill) can be skipped instead of raising, the caller told which (``bulk_insert_rows``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Index, Table, bindparam, insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    # positional drivers (sqlite3): a row's parameters as a tuple in the statement's order; named ones: None
    parameters: Callable[[dict[str, Any]], tuple[Any, ...]] | None
    processors: tuple[tuple[str, Callable[[Any], Any]], ...]


@lru_cache(maxsize=64)
def _plan(dialect: Dialect, table: Table, keys: tuple[str, ...]) -> _Plan:
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    processors = []
    for key in keys:
        processor = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors.append((key, processor))
    parameters = None
    if compiled.positional and compiled.positiontup:
        order = tuple(compiled.positiontup)
        # itemgetter builds the tuple in C (a generator per row cost about 30 us a waybill); one key alone
        # would come back bare, not as a 1-tuple.
        parameters = itemgetter(*order) if len(order) > 1 else (lambda row, key=order[0]: (row[key],))
    return _Plan(sql=str(compiled), parameters=parameters, processors=tuple(processors))


@dataclass(frozen=True, slots=True)
class _RowsPlan:
    sql: str
    # positional drivers: where each of the statement's parameters is in a row given in ``keys`` order, or
    # None when that order is the statement's already; named drivers: the parameter names of the statement's
    # rows, row after row (``keys`` for one row), to make dicts of the rows
    order: tuple[int, ...] | None
    keys: tuple[str, ...] | None
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # by position in ``keys``


_INSERTS: dict[str, Callable[[Table], Any]] = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}
"""Dialects whose INSERT takes ON CONFLICT (index columns) WHERE (predicate) DO NOTHING (SQLite >= 3.24)."""


def _statement(dialect: Dialect, table: Table, skip_conflicts_on: Index | None, returning: bool) -> Any:
    """INSERT into ``table``; with ``skip_conflicts_on``, ON CONFLICT on that index's columns and WHERE clause
    DO NOTHING, and with ``returning``, RETURNING the primary key of each row stored."""
    if skip_conflicts_on is None:
        return insert(table)
    if dialect.name not in _INSERTS:
        raise NotImplementedError(f"ON CONFLICT DO NOTHING is not written for {dialect.name}")
    statement = _INSERTS[dialect.name](table).on_conflict_do_nothing(
        index_elements=list(skip_conflicts_on.expressions),
        index_where=skip_conflicts_on.dialect_options[dialect.name]["where"],
    )
    return statement.returning(*table.primary_key.columns) if returning else statement


@lru_cache(maxsize=128)
def _rows_plan(
    dialect: Dialect,
    table: Table,
    keys: tuple[str, ...],
    skip_conflicts_on: Index | None = None,
    rows: int = 0,
) -> _RowsPlan:
    """The INSERT of rows of ``keys``: one row's, run once per row (``rows`` 0), or ``rows`` rows' in one
    statement returning the primary keys stored (a driver's executemany returns no rows)."""
    missing = [c.key for c in table.primary_key.columns if c.key not in keys]
    if skip_conflicts_on is not None and missing:  # RETURNING names the rows stored by their primary key
        raise ValueError(f"skip_conflicts_on needs the primary key among the keys: {', '.join(missing)}")
    statement = _statement(dialect, table, skip_conflicts_on, returning=rows > 0)
    names = keys
    if rows:
        names = tuple(f"r{row}_{key}" for row in range(rows) for key in keys)
        statement = statement.values(
            [{key: bindparam(f"r{row}_{key}") for key in keys} for row in range(rows)]
        )
        compiled = statement.compile(dialect=dialect)
    else:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    processors = []
    for position, key in enumerate(keys):
        processor = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors.append((position, processor))
    if compiled.positional and compiled.positiontup:
        at = {name: position % len(keys) for position, name in enumerate(names)}
        order = tuple(at[name] for name in compiled.positiontup)
        one_row = order[: len(keys)]
        if order != one_row * max(rows, 1) or len(set(one_row)) != len(keys):
            # each row's values in the first row's order, one row after another: sqlite3 takes them flat
            raise RuntimeError(f"unexpected parameter order in {table.name}'s INSERT")
        in_order = one_row == tuple(range(len(keys)))
        return _RowsPlan(str(compiled), None if in_order else one_row, None, tuple(processors))
    return _RowsPlan(str(compiled), None, names, tuple(processors))


def bulk_insert_rows(
    connection: Connection,
    table: Table,
    keys: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    *,
    skip_conflicts_on: Index | None = None,
) -> list[int]:
    """Insert ``rows``, each a tuple of the values of ``keys`` in that order, into ``table`` in one
    executemany (with ``skip_conflicts_on``, as below); answers the positions in ``rows`` of the rows not
    stored, ascending (none without ``skip_conflicts_on``).

    Cheaper than :func:`bulk_insert` for wide rows written by the thousand: no dict per row, and with keys in
    the table's column order a positional driver (sqlite3) takes the tuples as they are. A column whose type
    has a bind processor (timestamps) is processed column-wise, once per run of the same object (a batch's
    rows usually share one timestamp).

    ``skip_conflicts_on``, a unique index of ``table`` (partial or not): a row that would break it is skipped
    instead of raising, ``INSERT ... ON CONFLICT (its columns) WHERE (its predicate) DO NOTHING``, the same
    text on SQLite >= 3.24 and PostgreSQL (the conflict target must name the partial index's predicate, or
    neither database infers that index). A row that conflicts with an earlier row of the same call is skipped
    too. Which rows were skipped comes from what the driver answers anyway: one row, its rowcount (0 or 1);
    more, the primary keys the statement RETURNs (SQLite >= 3.35, PostgreSQL), in statements of a power of
    two rows each (at most ten distinct statements, which both drivers keep prepared), so ``keys`` must
    include the primary key (ValueError). On PostgreSQL a row whose key another transaction is inserting
    waits for that transaction, then is stored (rolled back) or skipped (committed). Raises
    NotImplementedError for another dialect.
    """
    if not rows:
        return []
    dialect = connection.dialect
    plan = _rows_plan(dialect, table, keys, skip_conflicts_on)
    if plan.processors or plan.order is not None:
        columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
        for position, processor in plan.processors:
            columns[position] = _processed(columns[position], processor)
        if plan.order is not None:
            columns = [columns[position] for position in plan.order]
        rows = list(zip(*columns, strict=True))
    if skip_conflicts_on is not None and (len(rows) == 1 or not dialect.insert_returning):
        skipped = []  # one row (a single print's token), or SQLite before 3.35: one statement a row
        for index, row in enumerate(rows):
            parameters: Any = dict(zip(plan.keys, row, strict=True)) if plan.keys is not None else row
            if connection.exec_driver_sql(plan.sql, parameters).rowcount != 1:
                skipped.append(index)
        return skipped
    if skip_conflicts_on is not None:
        return _insert_returning(connection, table, keys, rows, skip_conflicts_on)
    if plan.keys is not None:
        connection.exec_driver_sql(plan.sql, [dict(zip(plan.keys, row, strict=True)) for row in rows])
    else:
        connection.exec_driver_sql(plan.sql, rows if isinstance(rows, list) else list(rows))
    return []


def _insert_returning(
    connection: Connection,
    table: Table,
    keys: tuple[str, ...],
    rows: Sequence[tuple[Any, ...]],
    skip_conflicts_on: Index,
) -> list[int]:
    """:func:`bulk_insert_rows` of several ``rows`` (processed, in the statement's column order) that may
    conflict on ``skip_conflicts_on``: statements of 2**k rows RETURNING the primary keys stored; the
    positions of the rows whose key did not come back."""
    dialect = connection.dialect
    single = _rows_plan(dialect, table, keys, skip_conflicts_on)
    in_row = [keys[position] for position in (single.order or range(len(keys)))]
    pk = [in_row.index(c.key) for c in table.primary_key.columns]
    largest = min(dialect.insertmanyvalues_page_size, dialect.insertmanyvalues_max_parameters // len(keys))
    largest = 1 << (max(largest, 1).bit_length() - 1)
    stored: list[Sequence[Any]] = []
    start = 0
    while start < len(rows):
        size = min(largest, 1 << ((len(rows) - start).bit_length() - 1))
        plan = _rows_plan(dialect, table, keys, skip_conflicts_on, size)
        if plan.order != single.order:  # rows were put in one row's statement order
            raise RuntimeError(f"unexpected parameter order in {table.name}'s INSERT")
        flat = tuple(chain.from_iterable(rows[start : start + size]))
        parameters: Any = dict(zip(plan.keys, flat, strict=True)) if plan.keys is not None else flat
        stored.extend(connection.exec_driver_sql(plan.sql, parameters).fetchall())
        start += size
    if len(stored) == len(rows):
        return []
    came_back = {tuple(map(_comparable, row)) for row in stored}
    return [
        index
        for index, row in enumerate(rows)
        if tuple(_comparable(row[position]) for position in pk) not in came_back
    ]


def _comparable(value: Any) -> Any:
    """A primary key value as sent (sqlite3 takes memoryview for bytes) or as RETURNed, compared alike."""
    return bytes(value) if isinstance(value, memoryview | bytearray) else value


def _processed(values: Sequence[Any], processor: Callable[[Any], Any]) -> list[Any]:
    """``processor`` over ``values``, called once per run of the very same object (identity, not equality:
    ``1 == True`` and equal instants in two zones may process differently)."""
    out: list[Any] = []
    last: Any = _NOTHING
    done: Any = None
    for value in values:
        if value is not last:
            last, done = value, processor(value)
        out.append(done)
    return out


_NOTHING = object()


def bulk_insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) into ``table`` in one executemany."""
    if not rows:
        return
    plan = _plan(connection.dialect, table, tuple(rows[0]))
    for key, processor in plan.processors:
        last: Any = _NOTHING
        done: Any = None
        for row in rows:
            value = row[key]
            if value is not last:  # a batch's rows usually share one timestamp object
                last, done = value, processor(value)
            row[key] = done
    if plan.parameters is not None:
        connection.exec_driver_sql(plan.sql, list(map(plan.parameters, rows)))
    else:
        connection.exec_driver_sql(plan.sql, list(rows))
