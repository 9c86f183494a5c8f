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


def bulk_insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) into ``table`` in one executemany."""
    if not rows:
        return
    plan = _plan(connection.dialect, table, tuple(rows[0]))
    for key, processor in plan.processors:
        for row in rows:
            row[key] = processor(row[key])
    if plan.parameters is not None:
        connection.exec_driver_sql(plan.sql, list(map(plan.parameters, rows)))
    else:
        connection.exec_driver_sql(plan.sql, list(rows))
