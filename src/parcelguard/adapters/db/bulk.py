"""Fast executemany for the rows issuance writes by the thousand.

SQLAlchemy Core rebuilds and processes every parameter set on each call; here the INSERT is compiled once per
dialect, table and column set, only the columns whose type needs a bind processor (timestamps) get one, and
the rows go to the driver's executemany as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert


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
    # None when that order is the statement's already; named drivers: the keys, to make dicts of the rows
    order: tuple[int, ...] | None
    keys: tuple[str, ...] | None
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # by position in ``keys``


@lru_cache(maxsize=64)
def _rows_plan(dialect: Dialect, table: Table, keys: tuple[str, ...]) -> _RowsPlan:
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    processors = []
    for position, key in enumerate(keys):
        processor = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors.append((position, processor))
    if compiled.positional and compiled.positiontup:
        order = tuple(keys.index(name) for name in compiled.positiontup)
        in_order = order == tuple(range(len(keys)))
        return _RowsPlan(str(compiled), None if in_order else order, None, tuple(processors))
    return _RowsPlan(str(compiled), None, keys, tuple(processors))


def bulk_insert_rows(
    connection: Connection, table: Table, keys: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ``rows``, each a tuple of the values of ``keys`` in that order, into ``table`` in one
    executemany.

    Cheaper than :func:`bulk_insert` for wide rows written by the thousand: no dict per row, and with keys in
    the table's column order a positional driver (sqlite3) takes the tuples as they are. A column whose type
    has a bind processor (timestamps) is processed column-wise, once per run of the same object (a batch's
    rows usually share one timestamp).
    """
    if not rows:
        return
    plan = _rows_plan(connection.dialect, table, keys)
    if plan.processors or plan.order is not None:
        columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
        for position, processor in plan.processors:
            columns[position] = _processed(columns[position], processor)
        if plan.order is not None:
            columns = [columns[position] for position in plan.order]
        rows = list(zip(*columns, strict=True))
    if plan.keys is not None:
        connection.exec_driver_sql(plan.sql, [dict(zip(plan.keys, row, strict=True)) for row in rows])
    else:
        connection.exec_driver_sql(plan.sql, rows if isinstance(rows, list) else list(rows))


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
