"""SQL implementations of the repository ports, on SQLAlchemy Core.

Core rather than the ORM because issuance writes thousands of rows a second with executemany, and the
domain objects are frozen dataclasses mapped by hand at this edge anyway.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from parcelguard.adapters.db import models as m
from parcelguard.adapters.db.bulk import bulk_insert, bulk_insert_rows
from parcelguard.adapters.db.reads import fetch_all, read_plan
from parcelguard.domain import waybill as wb
from parcelguard.domain.audit import AuditEvent
from parcelguard.domain.keys import WrappedKey
from parcelguard.domain.waybill import BlindIndexes, SealedWaybill, TrackingEvent, WaybillStatus
from parcelguard.errors import ConflictError, ErrorCode
from parcelguard.services.ports import IdempotencyRecord, LabelTokenRecord

_CT_COLUMNS = {field: m.ciphertext_column(field) for field in wb.ENCRYPTED_FIELDS}
_CT_FIELDS = tuple(_CT_COLUMNS)
_SCALAR_KEYS = (
    "id",
    "tracking_number",
    "status",
    "created_at",
    "created_by",
    "weight_grams",
    "sender_id_type",
    "routing_code",
    "routing_text",
    "kek_version",
    "wrapped_key",
)
"""A waybill's columns before its ciphertexts (a read gives SealedWaybill these and organisation_id first)."""
_INDEX_KEYS = (
    "bi_recipient_mobile",
    "bi_recipient_mobile_last4",
    "bi_sender_mobile",
    "bi_sender_mobile_last4",
    "bi_sender_id_number",
)
_WAYBILL_KEYS = (*_SCALAR_KEYS, *_CT_COLUMNS.values(), *_INDEX_KEYS, "organisation_id")
"""The columns add_many writes, in the order of its row tuples (the table's own, so sqlite3 takes them as
they are; a test checks the two agree)."""
_AUDIT_KEYS = ("occurred_at", "actor", "action", "subject", "details")
_IN_CHUNK = 500
# Statements run on every label, lookup and single order, built once: SQLAlchemy then reuses their cache key
# and compiled form instead of rebuilding both per call (about a third of a label's CPU time went there).
_NUMBER_TAKEN = select(m.waybill.c.tracking_number).where(m.waybill.c.tracking_number == bindparam("number"))

# Waybill reads run on the driver's cursor (reads.py): a lookup's rows in about 10 us instead of 27.
# A waybill and its later tracking events come in one round trip, one row per event (one row with empty
# event columns when there is none, the common case on labels and lookups): the waybill's columns in the
# table's order, then the event's.
_e = m.tracking_event.c
_WAYBILL_ROWS = (
    select(
        m.waybill,
        _e.status.label("event_status"),
        _e.occurred_at.label("event_occurred_at"),
        _e.location.label("event_location"),
    )
    .select_from(m.waybill.outerjoin(m.tracking_event, _e.waybill_id == m.waybill.c.id))
    .order_by(_e.id)
)
_WAYBILL_BY_NUMBER = _WAYBILL_ROWS.where(m.waybill.c.tracking_number == bindparam("number"))
_WAYBILL_BY_ID = _WAYBILL_ROWS.where(m.waybill.c.id == bindparam("waybill_id"))
_W = {column.key: position for position, column in enumerate(m.waybill.columns)}
_W_CIPHERTEXTS = tuple((field, _W[column]) for field, column in _CT_COLUMNS.items())
_W_EVENT = len(_W)  # event_status, event_occurred_at, event_location follow the waybill's columns

_t = m.label_token.c
# The newest unrevoked token first; equal instants by token id, so every path picks the same one. Since
# migration 0009 a waybill has at most one (uq_label_token_active_waybill_id), which 0009 chose this way.
_ACTIVE_TOKENS = select(_t.token_id, _t.waybill_id, _t.issued_at).order_by(
    _t.issued_at.desc(), _t.token_id.desc()
)
_TOKEN_KEYS = ("token_id", "waybill_id", "issued_at", "revoked_at")
"""The columns add_many writes, in the order of its row tuples (the table's own, so sqlite3 takes them as
they are)."""
_ONE_ACTIVE_TOKEN = next(i for i in m.label_token.indexes if i.name == "uq_label_token_active_waybill_id")
"""One active token per waybill (migration 0009): add_many skips a token that would be a second one."""
_ACTIVE_TOKEN = _ACTIVE_TOKENS.where(_t.waybill_id == bindparam("waybill_id"), _t.revoked_at.is_(None))
_TOKEN_LOCK_CLASS = (
    0x50474C54  # "PGLT": the first key of the label token advisory locks (the sequencer's: PGLG)
)
_LOCK_PRINTED_WAYBILLS = (
    "SELECT pg_advisory_xact_lock(%(cls)s, k) FROM (SELECT DISTINCT"
    " hashtext(current_schema() || ':' || w) AS k FROM unnest(%(ids)s::text[]) AS w) AS keys ORDER BY k"
)
"""Transaction-scoped advisory locks on the waybills whose tokens a print stores, taken in key order in one
statement (PostgreSQL evaluates a volatile output function after ORDER BY since 9.6)."""


_TAKEN_ANY = "SELECT tracking_number FROM waybill WHERE tracking_number = ANY(%s)"


@lru_cache(maxsize=8)
def _taken_sql(count: int) -> str:
    """``count`` tracking numbers asked at once, with qmark placeholders (sqlite3)."""
    return f"SELECT tracking_number FROM waybill WHERE tracking_number IN ({','.join('?' * count)})"  # noqa: S608


_IN_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, _IN_CHUNK)
"""How many values the IN list of a chunk read holds on SQLite: a chunk is padded up to the next size with
its last value (a value listed twice matches the same rows), so ten statements serve every batch size."""


class _ManyRead:
    """The rows of ``base`` whose ``column`` is any of a list of values, read in chunks of up to 500 on the
    driver: ``column = any(:values)`` with one array parameter on PostgreSQL, ``column IN (?, ...)`` with a
    statement per padded size on SQLite (SQLAlchemy's expanding IN rebuilt its parameters on every call)."""

    __slots__ = ("_any", "_base", "_column", "_in")

    def __init__(self, base: Select[Any], column: ColumnElement[Any]) -> None:
        self._base = base
        self._column = column
        self._any = base.where(column == func.any(bindparam("values")))
        self._in: dict[int, Select[Any]] = {}

    def rows(self, connection: Connection, values: Sequence[Any]) -> list[Sequence[Any]]:
        """Every matching row once, however often its value is listed (two chunks would both return it)."""
        rows: list[Sequence[Any]] = []
        dialect = connection.dialect
        values = list(dict.fromkeys(values))
        for start in range(0, len(values), _IN_CHUNK):
            chunk = list(values[start : start + _IN_CHUNK])
            if dialect.name == "postgresql":
                rows.extend(fetch_all(connection, read_plan(dialect, self._any), {"values": chunk}))
                continue
            size = next(size for size in _IN_SIZES if size >= len(chunk))
            chunk += [chunk[-1]] * (size - len(chunk))
            params = {f"v{i}": value for i, value in enumerate(chunk)}
            rows.extend(fetch_all(connection, read_plan(dialect, self._in_list(size)), params))
        return rows

    def _in_list(self, size: int) -> Select[Any]:
        statement = self._in.get(size)
        if statement is None:  # a race builds it twice, harmlessly
            condition = self._column.in_([bindparam(f"v{i}") for i in range(size)])
            statement = self._in[size] = self._base.where(condition)
        return statement


_WAYBILLS_BY_NUMBERS = _ManyRead(_WAYBILL_ROWS, m.waybill.c.tracking_number)
_ACTIVE_TOKENS_OF = _ManyRead(_ACTIVE_TOKENS.where(_t.revoked_at.is_(None)), _t.waybill_id)


class SqlWaybillRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add_many(self, waybills: Sequence[SealedWaybill]) -> None:
        # Tuples in the table's column order (_WAYBILL_KEYS): no dict per row, and sqlite3 takes them as they
        # are; ciphertexts absent from a waybill (optional fields) are NULL.
        fields = _CT_FIELDS
        rows = [
            (
                w.id,
                w.tracking_number,
                w.status.value,
                w.created_at,
                w.created_by,
                w.weight_grams,
                w.sender_id_type,
                w.routing_code,
                w.routing_text,
                w.wrapped_key.kek_version,
                w.wrapped_key.blob,
                *map(w.ciphertexts.get, fields),
                w.indexes.recipient_mobile,
                w.indexes.recipient_mobile_last4,
                w.indexes.sender_mobile,
                w.indexes.sender_mobile_last4,
                w.indexes.sender_id_number,
                w.organisation_id,
            )
            for w in waybills
        ]
        bulk_insert_rows(self._c, m.waybill, _WAYBILL_KEYS, rows)
        events = [
            {
                "waybill_id": w.id,
                "status": e.status.value,
                "occurred_at": e.occurred_at,
                "location": e.location,
            }
            for w in waybills
            for e in w.events
        ]
        bulk_insert(self._c, m.tracking_event, events)

    def get(self, tracking_number: str) -> SealedWaybill | None:
        rows = fetch_all(self._c, read_plan(self._c.dialect, _WAYBILL_BY_NUMBER), {"number": tracking_number})
        return _sealed_of(rows)[0] if rows else None

    def get_by_id(self, waybill_id: str) -> SealedWaybill | None:
        rows = fetch_all(self._c, read_plan(self._c.dialect, _WAYBILL_BY_ID), {"waybill_id": waybill_id})
        return _sealed_of(rows)[0] if rows else None

    def get_many(self, tracking_numbers: Sequence[str]) -> list[SealedWaybill]:
        # One statement per chunk of up to 500 numbers, waybills and events together.
        return _sealed_of(_WAYBILLS_BY_NUMBERS.rows(self._c, tracking_numbers))

    def taken(self, tracking_numbers: Sequence[str]) -> set[str]:
        taken: set[str] = set()
        if len(tracking_numbers) == 1:  # a single order: the prebuilt statement
            taken.update(self._c.scalars(_NUMBER_TAKEN, {"number": tracking_numbers[0]}))
            return taken
        # A batch: SQL text made once per chunk length, run on the driver. SQLAlchemy's expanding IN rebuilt
        # 500 parameters per chunk, about 25 us a waybill; here the driver binds them as they are.
        positional = self._c.dialect.paramstyle == "qmark"
        for start in range(0, len(tracking_numbers), _IN_CHUNK):
            chunk = tuple(tracking_numbers[start : start + _IN_CHUNK])
            if positional:
                result = self._c.exec_driver_sql(_taken_sql(len(chunk)), chunk)
            else:  # PostgreSQL: one array parameter
                result = self._c.exec_driver_sql(_TAKEN_ANY, (list(chunk),))
            taken.update(row[0] for row in result)
        return taken

    def any_tracking_number(self, organisation_id: int | None = None) -> str | None:
        query = select(m.waybill.c.tracking_number)
        if organisation_id is not None:
            query = query.where(m.waybill.c.organisation_id == organisation_id)
        return self._c.scalar(query.limit(1))

    def add_event(self, waybill_id: str, event: TrackingEvent) -> None:
        self._c.execute(
            insert(m.tracking_event).values(
                waybill_id=waybill_id,
                status=event.status.value,
                occurred_at=event.occurred_at,
                location=event.location,
            )
        )
        self._c.execute(
            update(m.waybill).where(m.waybill.c.id == waybill_id).values(status=event.status.value)
        )

    def find_by_recipient_mobile(self, index: bytes, organisation_id: int | None = None) -> list[str]:
        return self._find(m.waybill.c.bi_recipient_mobile == index, organisation_id)

    def find_by_sender_id_number(self, index: bytes, organisation_id: int | None = None) -> list[str]:
        return self._find(m.waybill.c.bi_sender_id_number == index, organisation_id)

    def _find(self, condition: Any, organisation_id: int | None) -> list[str]:
        # The blind-index column's own index narrows to a handful of rows; the tenant filter runs on those.
        query = select(m.waybill.c.tracking_number).where(condition)
        if organisation_id is not None:
            query = query.where(m.waybill.c.organisation_id == organisation_id)
        return list(self._c.scalars(query.order_by(m.waybill.c.created_at)))

    def any_wrapped_key(self) -> tuple[str, WrappedKey] | None:
        k = m.waybill.c
        row = self._c.execute(
            select(k.id, k.kek_version, k.wrapped_key).where(k.wrapped_key.is_not(None)).limit(1)
        ).first()
        return None if row is None else (row.id, WrappedKey(row.kek_version, bytes(row.wrapped_key)))

    def count_wrapped_below(self, version: int) -> int:
        k = m.waybill.c
        query = select(func.count()).where(k.kek_version < version, k.wrapped_key.is_not(None))
        return int(self._c.scalar(query) or 0)

    def highest_kek_version(self) -> int | None:
        version: int | None = self._c.scalar(select(func.max(m.waybill.c.kek_version)))
        return version

    def iter_wrapped_keys(
        self, older_than_version: int, batch_size: int
    ) -> Iterator[list[tuple[str, WrappedKey]]]:
        k = m.waybill.c
        while True:
            rows = self._c.execute(
                select(k.id, k.kek_version, k.wrapped_key)
                .where(k.kek_version < older_than_version, k.wrapped_key.is_not(None))
                .order_by(k.id)
                .limit(batch_size)
            ).all()
            if not rows:
                return
            yield [(row.id, WrappedKey(row.kek_version, bytes(row.wrapped_key))) for row in rows]

    def replace_wrapped_keys(self, items: Sequence[tuple[str, WrappedKey]]) -> None:
        k = m.waybill.c
        for waybill_id, wrapped in items:
            self._c.execute(
                update(m.waybill)
                .where(k.id == waybill_id)
                .values(kek_version=wrapped.kek_version, wrapped_key=wrapped.blob)
            )


def _sealed_of(rows: Sequence[Sequence[Any]]) -> list[SealedWaybill]:
    """The waybills in ``rows`` of a ``_WAYBILL_ROWS`` read (one row per later event, in event order), in
    the order each first appears."""
    first: dict[str, Sequence[Any]] = {}
    # The row itself is the "created" event; later ones are in tracking_event.
    events: dict[str, list[TrackingEvent]] = {}
    for row in rows:
        key = row[_W_ID]
        known = events.get(key)
        if known is None:
            first[key] = row
            known = events[key] = [TrackingEvent(_CREATED, row[_W_CREATED_AT], row[_W_ROUTING_TEXT])]
        if row[_W_EVENT] is not None:
            known.append(TrackingEvent(_status(row[_W_EVENT]), row[_W_EVENT + 1], row[_W_EVENT + 2]))
    return [_sealed(row, tuple(events[key])) for key, row in first.items()]


_W_ID, _W_CREATED_AT, _W_ROUTING_TEXT = _W["id"], _W["created_at"], _W["routing_text"]
_W_SCALARS = itemgetter(*(_W[key] for key in (*_SCALAR_KEYS, "organisation_id")))
_W_INDEXES = itemgetter(*(_W[key] for key in _INDEX_KEYS))
_CREATED = WaybillStatus.CREATED
_STATUSES = {status.value: status for status in WaybillStatus}


def _status(value: str) -> WaybillStatus:
    """``WaybillStatus(value)`` by a dict (the enum's own lookup cost about 0.5 us a row)."""
    found = _STATUSES.get(value)
    return found if found is not None else WaybillStatus(value)  # an unknown value raises as before


def _sealed(row: Sequence[Any], events: tuple[TrackingEvent, ...]) -> SealedWaybill:
    (
        waybill_id,
        tracking_number,
        status,
        created_at,
        created_by,
        weight_grams,
        sender_id_type,
        routing_code,
        routing_text,
        kek_version,
        wrapped_key,
        organisation_id,
    ) = _W_SCALARS(row)
    return SealedWaybill(
        id=waybill_id,
        tracking_number=tracking_number,
        status=_status(status),
        created_at=created_at,
        created_by=created_by,
        weight_grams=weight_grams,
        sender_id_type=sender_id_type,
        routing_code=routing_code,
        routing_text=routing_text,
        wrapped_key=WrappedKey(kek_version, bytes(wrapped_key)),
        ciphertexts={field: bytes(row[at]) for field, at in _W_CIPHERTEXTS if row[at] is not None},
        indexes=BlindIndexes(*map(bytes, _W_INDEXES(row))),
        events=events,
        organisation_id=organisation_id,
    )


class SqlLabelTokenRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, record: LabelTokenRecord) -> None:
        self.add_many([record])

    def add_many(self, records: Sequence[LabelTokenRecord]) -> list[str]:
        """Store ``records`` on the driver's fast path (``bulk_insert_rows``), except an active one for a
        waybill that has an active token by then: that insert is skipped (``ON CONFLICT DO NOTHING`` on
        ``uq_label_token_active_waybill_id``), not raised, so an overlapping print's transaction goes on, and
        its waybill id is answered (from the driver's rowcount for one record, the token ids RETURNed for
        more). On PostgreSQL the insert waits for a print still committing that waybill's token, then skips.
        Rows go in waybill order, so two batches that share waybills take those waits in one order.

        On PostgreSQL the waybills are locked first (a transaction-scoped advisory lock each, in key order,
        one statement): the order alone did not hold across a print's calls, since a print whose first store
        was skipped for a token revoked before its re-read stores that waybill again after holding a later
        one; another batch holding the first and waiting for the later one then deadlocked with it
        (DeadlockDetected, a 500). With the locks, every insert of an active token happens under its
        waybill's lock, so no insert waits on another's row, and a print's later stores only take locks it
        holds. SQLite has one writer at a time and needs none."""
        ordered = sorted(records, key=attrgetter("waybill_id"))
        if ordered and self._c.dialect.name == "postgresql":
            ids = [r.waybill_id for r in ordered]
            self._c.exec_driver_sql(_LOCK_PRINTED_WAYBILLS, {"cls": _TOKEN_LOCK_CLASS, "ids": ids}).fetchall()
        rows = [(r.token_id, r.waybill_id, r.issued_at, r.revoked_at) for r in ordered]
        skipped = bulk_insert_rows(
            self._c, m.label_token, _TOKEN_KEYS, rows, skip_conflicts_on=_ONE_ACTIVE_TOKEN
        )
        return [ordered[position].waybill_id for position in skipped]

    def get(self, token_id: bytes) -> LabelTokenRecord | None:
        row = self._c.execute(select(m.label_token).where(m.label_token.c.token_id == token_id)).first()
        return (
            None
            if row is None
            else LabelTokenRecord(bytes(row.token_id), row.waybill_id, row.issued_at, row.revoked_at)
        )

    def active_for(self, waybill_id: str) -> LabelTokenRecord | None:
        rows = fetch_all(self._c, read_plan(self._c.dialect, _ACTIVE_TOKEN), {"waybill_id": waybill_id})
        return _active(rows[0]) if rows else None

    def active_for_many(self, waybill_ids: Sequence[str]) -> dict[str, LabelTokenRecord]:
        # Rows come newest first (as active_for orders them): the first row of a waybill is its active token.
        found: dict[str, LabelTokenRecord] = {}
        for row in _ACTIVE_TOKENS_OF.rows(self._c, waybill_ids):
            if row[1] not in found:
                found[row[1]] = _active(row)
        return found

    def revoke_for(self, waybill_id: str, at: datetime) -> int:
        t = m.label_token.c
        result = self._c.execute(
            update(m.label_token)
            .where(t.waybill_id == waybill_id, t.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(result.rowcount)


def _active(row: Sequence[Any]) -> LabelTokenRecord:
    """The record of an unrevoked token from a row of ``_ACTIVE_TOKENS`` (token id, waybill id, issued)."""
    return LabelTokenRecord(bytes(row[0]), row[1], row[2], None)


class SqlAuditLog:
    """Append-only today; the same rows become the leaves of an RFC 9162 Merkle log later."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def append_many(self, events: Sequence[AuditEvent]) -> None:
        if not events:
            return
        bulk_insert_rows(
            self._c,
            m.audit_event,
            _AUDIT_KEYS,
            [
                (
                    e.occurred_at,
                    e.actor,
                    e.action,
                    e.subject,
                    json.dumps(dict(e.details), sort_keys=True, separators=(",", ":")),
                )
                for e in events
            ],
        )

    def for_subject(self, subject: str) -> list[AuditEvent]:
        a = m.audit_event.c
        rows = self._c.execute(select(m.audit_event).where(a.subject == subject).order_by(a.seq))
        return [AuditEvent(r.action, r.actor, r.occurred_at, r.subject, json.loads(r.details)) for r in rows]


class SqlIdempotencyStore:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, key: str) -> IdempotencyRecord | None:
        row = self._c.execute(select(m.idempotency_record).where(m.idempotency_record.c.key == key)).first()
        return None if row is None else IdempotencyRecord(row.request_hash, row.response)

    def put(self, key: str, record: IdempotencyRecord, at: datetime) -> None:
        try:
            self._c.execute(
                insert(m.idempotency_record).values(
                    key=key, request_hash=record.request_hash, response=record.response, created_at=at
                )
            )
        except IntegrityError:
            # The whole unit of work is rolled back by the caller; nothing of this batch is kept.
            raise ConflictError(
                "another request with this idempotency key finished first",
                code=ErrorCode.IDEMPOTENCY_CONFLICT,
            ) from None

    def purge_before(self, at: datetime) -> int:
        result = self._c.execute(delete(m.idempotency_record).where(m.idempotency_record.c.created_at < at))
        return int(result.rowcount)
