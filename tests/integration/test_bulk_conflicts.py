"""bulk_insert_rows with skip_conflicts_on (label tokens, migration 0009): the rows stored and the positions
answered as skipped are exactly what inserting them one by one, in order, under the partial unique index
would give, on SQLite and PostgreSQL: rows that clash with stored ones or with earlier rows of the same call,
revoked rows never clashing, in any key order, one row (the driver's rowcount), many (RETURNING, in
statements of a power of two rows) and one statement a row where the database has no RETURNING."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, event, insert, select

from parcelguard.adapters.db import models as m
from parcelguard.adapters.db.bulk import bulk_insert_rows
from parcelguard.adapters.db.repositories import _ONE_ACTIVE_TOKEN, _TOKEN_KEYS
from parcelguard.bootstrap import Runtime
from tests.integration.test_label_batches import _issue

_KEYS = ("token_id", "waybill_id", "issued_at", "revoked_at")
_ONE_ACTIVE = next(i for i in m.label_token.indexes if i.name == "uq_label_token_active_waybill_id")
_AT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
_REVOKED = _AT + timedelta(minutes=5)


def _waybill_ids(runtime: Runtime, count: int) -> list[str]:
    numbers = _issue(runtime, count)
    with runtime.ctx.uow() as uow:
        return sorted(w.id for w in uow.waybills.get_many(numbers))


def _one_by_one(active: set[str], rows: list[tuple[Any, ...]]) -> list[int]:
    """The positions a row-by-row insert would skip: an unrevoked row whose waybill has an active token."""
    active = set(active)
    skipped = []
    for position, (_token, waybill_id, _issued, revoked_at) in enumerate(rows):
        if revoked_at is None:
            if waybill_id in active:
                skipped.append(position)
            active.add(waybill_id)
    return skipped


def _stored(connection: Connection) -> set[tuple[bytes, str, bool]]:
    t = m.label_token.c
    rows = connection.execute(select(t.token_id, t.waybill_id, t.revoked_at))
    return {(bytes(token), waybill_id, revoked_at is not None) for token, waybill_id, revoked_at in rows}


@contextmanager
def _rolled_back(runtime: Runtime, *, returning: bool) -> Iterator[Connection]:
    """A connection whose work is rolled back at the end; ``returning`` False plays a database without
    RETURNING (SQLite before 3.35)."""
    with runtime.engine.connect() as connection:
        dialect = connection.dialect
        had = dialect.insert_returning
        dialect.insert_returning = had and returning
        try:
            with connection.begin() as transaction:
                yield connection
                transaction.rollback()
        finally:
            dialect.insert_returning = had


_ROW = st.tuples(st.integers(0, 3), st.booleans())  # (waybill, revoked)


@pytest.mark.parametrize("returning", [True, False], ids=["returning", "row-by-row"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    active_before=st.sets(st.integers(0, 3)),
    picks=st.lists(_ROW, max_size=40),
    keys=st.permutations(_KEYS),
)
def test_conflicting_rows_are_skipped_as_a_row_by_row_insert_would_skip_them(
    runtime: Runtime,
    returning: bool,
    active_before: set[int],
    picks: list[tuple[int, bool]],
    keys: list[str],
) -> None:
    ids = _cached_ids(runtime)
    rows = [
        (bytes([1, n]) * 8, ids[w], _AT, _REVOKED if revoked else None)
        for n, (w, revoked) in enumerate(picks)
    ]
    with _rolled_back(runtime, returning=returning) as connection:
        for w in active_before:
            connection.execute(
                insert(m.label_token).values(token_id=bytes([0, w]) * 8, waybill_id=ids[w], issued_at=_AT)
            )
        before = _stored(connection)
        given_rows = [tuple(row[_KEYS.index(key)] for key in keys) for row in rows]

        skipped = bulk_insert_rows(
            connection, m.label_token, tuple(keys), given_rows, skip_conflicts_on=_ONE_ACTIVE
        )

        assert skipped == _one_by_one({ids[w] for w in active_before}, rows)
        stored = {(r[0], r[1], r[3] is not None) for n, r in enumerate(rows) if n not in skipped}
        assert _stored(connection) == before | stored


_IDS: dict[str, list[str]] = {}


def _cached_ids(runtime: Runtime) -> list[str]:
    """Four waybills, issued once per test's database (hypothesis runs many examples on one runtime)."""
    url = str(runtime.settings.database_url)
    if url not in _IDS:
        _IDS.clear()
        _IDS[url] = _waybill_ids(runtime, 4)
    return _IDS[url]


@pytest.mark.parametrize("count", [1, 2, 1000])
def test_a_thousand_rows_go_in_statements_of_powers_of_two_and_answer_the_skipped_ones(
    runtime: Runtime, count: int
) -> None:
    ids = _waybill_ids(runtime, 3)
    # every 250th row of the first waybill active (all but the first skipped), the others revoked; the
    # second waybill active once, already stored; 1000 rows run as 512 + 256 + 128 + 64 + 32 + 8
    rows = [
        (n.to_bytes(16, "big"), ids[n % 2], _AT, None if n % 250 == 0 or n == 1 else _REVOKED)
        for n in range(count)
    ]
    with _rolled_back(runtime, returning=True) as connection:
        connection.execute(
            insert(m.label_token).values(token_id=b"\xff" * 16, waybill_id=ids[1], issued_at=_AT)
        )
        statements: list[str] = []

        def log(*args: Any) -> None:
            statements.append(args[2])

        event.listen(connection, "before_cursor_execute", log)
        skipped = bulk_insert_rows(connection, m.label_token, _KEYS, rows, skip_conflicts_on=_ONE_ACTIVE)
        event.remove(connection, "before_cursor_execute", log)

        assert skipped == _one_by_one({ids[1]}, rows)
        assert skipped == {1: [], 2: [1], 1000: [1, 250, 500, 750]}[count]
        values = [s.count("), (") + 1 for s in statements]
        assert values == {1: [1], 2: [2], 1000: [512, 256, 128, 64, 32, 8]}[count]
        assert all(("RETURNING" in s) == (count > 1) for s in statements)
        assert len(_stored(connection)) == 1 + count - len(skipped)


def test_the_label_token_keys_are_the_tables_column_order() -> None:
    # add_many's row tuples go to sqlite3 as they are
    assert _TOKEN_KEYS == _KEYS == tuple(column.key for column in m.label_token.columns)
    assert _ONE_ACTIVE_TOKEN is _ONE_ACTIVE


def test_skipping_conflicts_of_many_rows_needs_the_primary_key_among_the_keys(runtime: Runtime) -> None:
    with _rolled_back(runtime, returning=True) as connection, pytest.raises(ValueError, match="token_id"):
        bulk_insert_rows(
            connection,
            m.label_token,
            ("waybill_id", "issued_at"),
            [("w1", _AT), ("w2", _AT)],
            skip_conflicts_on=_ONE_ACTIVE,
        )
