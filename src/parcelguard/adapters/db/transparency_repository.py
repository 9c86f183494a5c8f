"""The audit log's RFC 9162 tree in SQL: perfect-subtree hashes in chunks, seq runs, state, checkpoints.

Layout (models.py, migration 0008): ``tlog_node_chunk(level, chunk)`` holds up to 256 consecutive hashes of
one level, 32 bytes each; node ``(level, i)`` is byte ``32 * (i % 256)`` of chunk ``i // 256``. Appending a
batch rewrites at most the last, partial chunk of each level and inserts whole ones after it: about 2n
hashes in n / 128 rows, O(log n) rows read per proof, and nothing ever rehashed.

Ordering (``settled_seq``): on PostgreSQL a transaction may take audit seq 7 and commit after one that took
8, so the sequencer first takes ``LOCK TABLE audit_event IN SHARE MODE``: it waits for every transaction
that is inserting audit events to end (and holds new ones back until the sequencer's short transaction
commits), so every seq up to the max it then reads is final. SQLite has one writer at a time: its max is
final as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from parcelguard.adapters.db import models as m
from parcelguard.adapters.db.bulk import bulk_insert
from parcelguard.domain.audit import AuditEvent, utc_text
from parcelguard.domain.checkpoint import MAX_NOTE_BYTES, NoteSignature, parse_note
from parcelguard.domain.merkle import node_hash
from parcelguard.services.ports import EventFields, LeafRun, StoredCheckpoint

CHUNK = 256
HASH = 32
_STATE_ID = 1
_APPEND_TRIES = 20
_FIELDS = (
    "SELECT seq, action, actor, occurred_at, subject, details FROM audit_event"
    " WHERE seq > {0} AND seq <= {0} ORDER BY seq LIMIT {0}"
)
_CHUNKS = "SELECT level, chunk, hashes FROM tlog_node_chunk WHERE "
_FIELDS_QMARK = _FIELDS.format("?")
_FIELDS_FORMAT = _FIELDS.format("%s")


def _event(row: Any) -> tuple[int, AuditEvent]:
    return int(row.seq), AuditEvent(
        row.action, row.actor, row.occurred_at, row.subject, json.loads(row.details)
    )


def _utc_text(value: object) -> str:
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            return f"{value[:10]}T{value[11:]}+00:00"
        value = datetime.fromisoformat(value).replace(tzinfo=UTC)
    if not isinstance(value, datetime):
        raise TypeError("an audit timestamp of an unknown type")
    return utc_text(value if value.tzinfo is not None else value.replace(tzinfo=UTC))


def _checkpoint(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(int(row.id), int(row.tree_size), bytes(row.root_hash), row.note, row.published_at)


class SqlTransparencyStore:
    """services.ports.TransparencyStore on SQLite and PostgreSQL."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # -- sequencing ------------------------------------------------------------------------------------------

    def settled_seq(self) -> int:
        if self._c.dialect.name == "postgresql":
            # Bounded: a caller that (wrongly) integrates while its own open transaction holds an audit
            # insert would otherwise wait for itself forever; this way it fails after 10 s.
            self._c.execute(text("SET LOCAL lock_timeout = '10s'"))
            self._c.execute(text("LOCK TABLE audit_event IN SHARE MODE"))
        found = self._c.execute(select(func.max(m.audit_event.c.seq))).scalar()
        return int(found or 0)

    def state(self) -> tuple[int, int]:
        s = m.tlog_state.c
        row = self._c.execute(select(s.tree_size, s.last_seq).where(s.id == _STATE_ID)).first()
        return (0, 0) if row is None else (int(row.tree_size), int(row.last_seq))

    def claim(self, tree_size: int, last_seq: int, at: datetime) -> bool:
        s = m.tlog_state.c
        moved = self._c.execute(
            update(m.tlog_state)
            .where(s.id == _STATE_ID, s.tree_size == tree_size, s.last_seq == last_seq)
            .values(updated_at=at)
        )
        if moved.rowcount == 1:
            return True
        if tree_size == 0 and self.state() == (0, 0):
            exists = self._c.execute(select(s.id).where(s.id == _STATE_ID)).first()
            if exists is None:
                try:
                    self._c.execute(
                        insert(m.tlog_state).values(id=_STATE_ID, tree_size=0, last_seq=0, updated_at=at)
                    )
                except IntegrityError:
                    return False  # another sequencer's first run created it: that one goes on
                return True
        return False

    def events_after(self, seq: int, upto: int, limit: int) -> list[tuple[int, AuditEvent]]:
        a = m.audit_event.c
        rows = self._c.execute(
            select(a.seq, a.action, a.actor, a.occurred_at, a.subject, a.details)
            .where(a.seq > seq, a.seq <= upto)
            .order_by(a.seq)
            .limit(limit)
        )
        return [_event(r) for r in rows]

    def leaf_fields_after(self, seq: int, upto: int, limit: int) -> list[EventFields]:
        # Straight from the driver: the sequencer reads every event once, and SQLAlchemy's per-row result
        # processing cost more than hashing it. SQLite returns the UtcDateTime column as the text
        # 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC); PostgreSQL as an aware datetime.
        rows = self._c.exec_driver_sql(self._fields_sql(), (seq, upto, limit)).fetchall()
        return [(int(r[0]), r[1], r[2], _utc_text(r[3]), r[4], r[5]) for r in rows]

    def _fields_sql(self) -> str:
        return _FIELDS_QMARK if self._c.dialect.paramstyle == "qmark" else _FIELDS_FORMAT

    def events_between(self, first_seq: int, last_seq: int) -> list[tuple[int, AuditEvent]]:
        return self.events_after(first_seq - 1, last_seq, last_seq - first_seq + 1)

    def append_leaves(
        self, tree_size: int, seqs: Sequence[int], leaf_hashes: Sequence[bytes], at: datetime
    ) -> None:
        if not leaf_hashes:
            return
        self._add_runs(tree_size, seqs)
        level, count, hashes = 0, tree_size, list(leaf_hashes)
        while hashes:
            prefix = self._write_level(level, count, hashes)
            if count & 1:
                hashes = [prefix[-HASH:], *hashes]
            hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes) - 1, 2)]
            level += 1
            count = tree_size >> level
        s = m.tlog_state.c
        self._c.execute(
            update(m.tlog_state)
            .where(s.id == _STATE_ID)
            .values(tree_size=tree_size + len(leaf_hashes), last_seq=seqs[-1], updated_at=at)
        )

    def _add_runs(self, tree_size: int, seqs: Sequence[int]) -> None:
        r = m.tlog_leaf_run.c
        runs: list[dict[str, int]] = []
        last = self._c.execute(
            select(r.first_leaf, r.first_seq, r.count).order_by(r.first_leaf.desc()).limit(1)
        ).first()
        extend = 0
        if last is not None and int(last[0]) + int(last[2]) == tree_size:
            last_leaf, last_seq, last_count = (int(x) for x in last)
            expected = last_seq + last_count
            while extend < len(seqs) and seqs[extend] == expected + extend:
                extend += 1
            if extend:
                self._c.execute(
                    update(m.tlog_leaf_run).where(r.first_leaf == last_leaf).values(count=last_count + extend)
                )
        i = extend
        while i < len(seqs):
            j = i + 1
            while j < len(seqs) and seqs[j] == seqs[i] + (j - i):
                j += 1
            runs.append({"first_leaf": tree_size + i, "first_seq": seqs[i], "count": j - i})
            i = j
        bulk_insert(self._c, m.tlog_leaf_run, runs)

    def _write_level(self, level: int, count: int, hashes: list[bytes]) -> bytes:
        """Store ``hashes`` as level ``level``'s nodes from index ``count``; the partial chunk's old part."""
        n = m.tlog_node_chunk.c
        chunk, offset = divmod(count, CHUNK)
        prefix = b""
        if offset:
            found = self._c.execute(
                select(n.hashes).where(n.level == level, n.chunk == chunk)
            ).scalar_one_or_none()
            if found is None or len(found) != offset * HASH:
                raise RuntimeError("the stored audit log tree is damaged (a partial chunk is missing)")
            prefix = bytes(found)
        data = prefix + b"".join(hashes)
        step = CHUNK * HASH
        rows = [
            {"level": level, "chunk": chunk + k, "hashes": data[k * step : (k + 1) * step]}
            for k in range((len(data) + step - 1) // step)
        ]
        if offset:
            first = rows.pop(0)
            self._c.execute(
                update(m.tlog_node_chunk)
                .where(n.level == level, n.chunk == chunk)
                .values(hashes=first["hashes"])
            )
        bulk_insert(self._c, m.tlog_node_chunk, rows)
        return prefix

    # -- reading ---------------------------------------------------------------------------------------------

    def chunks(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        # One statement of primary-key probes, OR-ed: both SQLite (OR-by-union) and PostgreSQL (BitmapOr)
        # read each chunk through the index. A row-value IN list made SQLite scan the table (55 ms a proof
        # at 10 million leaves). Only placeholders are interpolated; the values are bound.
        mark = "?" if self._c.dialect.paramstyle == "qmark" else "%s"
        probe = f"(level = {mark} AND chunk = {mark})"
        sql = _CHUNKS + " OR ".join([probe] * len(wanted))
        rows = self._c.exec_driver_sql(sql, tuple(v for pair in wanted for v in pair)).fetchall()
        return {(int(r[0]), int(r[1])): bytes(r[2]) for r in rows}

    def leaf_index_of(self, seq: int) -> int | None:
        r = m.tlog_leaf_run.c
        row = self._c.execute(
            select(r.first_leaf, r.first_seq, r.count)
            .where(r.first_seq <= seq)
            .order_by(r.first_seq.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        first_leaf, first_seq, count = (int(x) for x in row)
        return first_leaf + seq - first_seq if seq < first_seq + count else None

    def runs_between(self, start: int, end: int) -> list[LeafRun]:
        r = m.tlog_leaf_run.c
        first = self._c.execute(select(func.max(r.first_leaf)).where(r.first_leaf <= start)).scalar()
        rows = self._c.execute(
            select(r.first_leaf, r.first_seq, r.count)
            .where(r.first_leaf >= (first if first is not None else 0), r.first_leaf < end)
            .order_by(r.first_leaf)
        )
        return [LeafRun(int(x[0]), int(x[1]), int(x[2])) for x in rows]

    # -- checkpoints -----------------------------------------------------------------------------------------

    def add_checkpoint(self, tree_size: int, root_hash: bytes, note: str, at: datetime) -> StoredCheckpoint:
        new_id = self._c.execute(
            insert(m.tlog_checkpoint)
            .values(tree_size=tree_size, root_hash=root_hash, note=note, published_at=at)
            .returning(m.tlog_checkpoint.c.id)
        ).scalar_one()
        return StoredCheckpoint(int(new_id), tree_size, root_hash, note, at)

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        c = m.tlog_checkpoint.c
        row = self._c.execute(select(m.tlog_checkpoint).order_by(c.id.desc()).limit(1)).first()
        return None if row is None else _checkpoint(row)

    def checkpoints(self) -> list[StoredCheckpoint]:
        c = m.tlog_checkpoint.c
        return [_checkpoint(r) for r in self._c.execute(select(m.tlog_checkpoint).order_by(c.id))]

    def add_signatures(self, checkpoint_id: int, lines: Sequence[NoteSignature]) -> StoredCheckpoint | None:
        # Compare-and-set on the note as read: an appender that lost the race (0 rows: on PostgreSQL the
        # UPDATE re-checks the committed row) reads the note again and appends only what is still missing.
        c = m.tlog_checkpoint.c
        for _ in range(_APPEND_TRIES):
            row = self._c.execute(select(m.tlog_checkpoint).where(c.id == checkpoint_id)).first()
            if row is None:
                return None
            stored = _checkpoint(row)
            _, present = parse_note(stored.note)
            signed = {(s.name, s.key_hash) for s in present}
            new_lines = ""
            for line in lines:
                if (line.name, line.key_hash) not in signed:
                    signed.add((line.name, line.key_hash))
                    new_lines += line.line()
            note = stored.note + new_lines
            if not new_lines or len(note.encode()) > MAX_NOTE_BYTES:
                return stored
            done = self._c.execute(
                update(m.tlog_checkpoint)
                .where(c.id == checkpoint_id, c.note == stored.note)
                .values(note=note)
            ).rowcount
            if done == 1:
                return StoredCheckpoint(
                    stored.id, stored.tree_size, stored.root_hash, note, stored.published_at
                )
        return None
