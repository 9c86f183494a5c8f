"""SQL repositories of access transparency for customers: one-time-code challenges with their view passes,
and a subject's audit events with their sequence numbers (what the transparency log's leaves follow).

A challenge is read with ``FOR UPDATE`` on PostgreSQL, so two tries of one code are judged one after the
other (five tries mean five); granting the pass is a conditional UPDATE (``used_at IS NULL``), so a code is
used once even when two requests present it at the same moment.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from parcelguard.adapters.db import models as m
from parcelguard.domain.audit import AuditEvent
from parcelguard.services.ports import AccessChallengeRecord, NumberedAuditEvent


def _record(row: Any) -> AccessChallengeRecord:
    return AccessChallengeRecord(
        id=row.id,
        waybill_id=row.waybill_id,
        parties=row.parties,
        code_digest=bytes(row.code_digest),
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
        failures=row.failures,
        pass_csrf=row.pass_csrf,
        pass_expires_at=row.pass_expires_at,
    )


class SqlAccessChallengeRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, record: AccessChallengeRecord) -> None:
        self._c.execute(
            insert(m.access_challenge).values(
                id=record.id,
                waybill_id=record.waybill_id,
                parties=record.parties,
                code_digest=record.code_digest,
                created_at=record.created_at,
                expires_at=record.expires_at,
                used_at=None,
                failures=0,
            )
        )

    def get(self, challenge_id: str) -> AccessChallengeRecord | None:
        query = select(m.access_challenge).where(m.access_challenge.c.id == challenge_id)
        if self._c.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self._c.execute(query).first()
        return None if row is None else _record(row)

    def count_failure(self, challenge_id: str) -> int:
        a = m.access_challenge.c
        result = self._c.execute(
            update(m.access_challenge)
            .where(a.id == challenge_id)
            .values(failures=a.failures + 1)
            .returning(a.failures)
        )
        return int(result.scalar_one())

    def grant_pass(
        self, challenge_id: str, *, at: datetime, pass_hash: str, csrf: str, expires_at: datetime
    ) -> bool:
        a = m.access_challenge.c
        result = self._c.execute(
            update(m.access_challenge)
            .where(a.id == challenge_id, a.used_at.is_(None))
            .values(used_at=at, pass_hash=pass_hash, pass_csrf=csrf, pass_expires_at=expires_at)
        )
        return int(result.rowcount) == 1

    def by_pass(self, pass_hash: str) -> AccessChallengeRecord | None:
        row = self._c.execute(
            select(m.access_challenge).where(m.access_challenge.c.pass_hash == pass_hash)
        ).first()
        return None if row is None else _record(row)

    def end_pass(self, pass_hash: str, at: datetime) -> bool:
        a = m.access_challenge.c
        result = self._c.execute(
            update(m.access_challenge)
            .where(a.pass_hash == pass_hash, a.pass_expires_at > at)
            .values(pass_expires_at=at)
        )
        return int(result.rowcount) == 1

    def forget_before(self, at: datetime) -> int:
        result = self._c.execute(delete(m.access_challenge).where(m.access_challenge.c.created_at < at))
        return int(result.rowcount)


class SqlSubjectAuditReader:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def numbered_for_subject(self, subject: str, *, limit: int) -> list[NumberedAuditEvent]:
        a = m.audit_event.c
        query = select(m.audit_event).where(a.subject == subject).order_by(a.seq.desc()).limit(limit)
        rows: Sequence[Any] = self._c.execute(query).all()
        return [
            NumberedAuditEvent(
                seq=int(r.seq),
                event=AuditEvent(r.action, r.actor, r.occurred_at, r.subject, json.loads(r.details)),
            )
            for r in reversed(rows)
        ]
