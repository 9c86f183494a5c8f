"""SQL repositories for dispatch and controlled reveal: assignments, pickup codes, break-glass grants,
reveal counters, alerts, the parcel's events with their actors, and audit searches.

Counting reveals is the one place where concurrency matters: a person's counter row is created if missing
(insert, ignoring a conflict) and then updated, which holds the row lock until the transaction ends, so
one person's reveals are decided one after the other on PostgreSQL; taking a reveal is a conditional
UPDATE (``revealed < limit``), so two transactions can never both take the last one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from parcelguard.adapters.db import models as m
from parcelguard.domain.audit import AuditEvent
from parcelguard.domain.waybill import TrackingEvent
from parcelguard.services.ports import (
    AlertRecord,
    Assignment,
    GrantRecord,
    ParcelEventRecord,
    PickupCodeRecord,
)


def _insert_ignoring_conflict(c: Connection, table: Table, values: dict[str, Any]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on either backend (a failed plain INSERT would abort a
    PostgreSQL transaction); the number of rows inserted."""
    dialect = postgresql if c.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing()
    return int(c.execute(statement).rowcount)


class SqlDispatchRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def assign(self, assignment: Assignment) -> None:
        values = {
            "courier_id": assignment.courier_id,
            "station_id": assignment.station_id,
            "assigned_by": assignment.assigned_by,
            "assigned_at": assignment.assigned_at,
        }
        d = m.dispatch_assignment.c
        updated = self._c.execute(
            update(m.dispatch_assignment).where(d.waybill_id == assignment.waybill_id).values(**values)
        )
        if updated.rowcount == 0:
            self._c.execute(insert(m.dispatch_assignment).values(waybill_id=assignment.waybill_id, **values))

    def get(self, waybill_id: str) -> Assignment | None:
        d = m.dispatch_assignment.c
        row = self._c.execute(
            select(m.dispatch_assignment, m.app_user.c.username)
            .join(m.app_user, m.app_user.c.id == d.courier_id)
            .where(d.waybill_id == waybill_id)
        ).first()
        if row is None:
            return None
        return Assignment(
            waybill_id=row.waybill_id,
            courier_id=row.courier_id,
            station_id=row.station_id,
            assigned_by=row.assigned_by,
            assigned_at=row.assigned_at,
            courier_username=row.username,
        )

    def waybill_ids_of(self, courier_id: int) -> list[str]:
        d = m.dispatch_assignment.c
        query = select(d.waybill_id).where(d.courier_id == courier_id).order_by(d.assigned_at)
        return list(self._c.scalars(query))


class SqlPickupCodeRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, *, waybill_id: str, station_id: int, code_digest: bytes, at: datetime) -> int:
        result = self._c.execute(
            insert(m.pickup_code)
            .values(
                waybill_id=waybill_id,
                station_id=station_id,
                code_digest=code_digest,
                created_at=at,
                failures=0,
            )
            .returning(m.pickup_code.c.id)
        )
        return int(result.scalar_one())

    def digest_in_use(self, code_digest: bytes) -> bool:
        return self.live_by_digest(code_digest) is not None

    def live_by_digest(self, code_digest: bytes) -> PickupCodeRecord | None:
        p = m.pickup_code.c
        row = self._c.execute(
            select(m.pickup_code).where(p.code_digest == code_digest, p.used_at.is_(None)).limit(1)
        ).first()
        if row is None:
            return None
        return PickupCodeRecord(
            row.id, row.waybill_id, row.station_id, row.created_at, row.used_at, row.failures
        )

    def count_failure(self, code_id: int) -> int:
        p = m.pickup_code.c
        result = self._c.execute(
            update(m.pickup_code).where(p.id == code_id).values(failures=p.failures + 1).returning(p.failures)
        )
        return int(result.scalar_one())

    def mark_used(self, code_id: int, at: datetime) -> None:
        self._c.execute(update(m.pickup_code).where(m.pickup_code.c.id == code_id).values(used_at=at))

    def retire_for(self, waybill_id: str, at: datetime) -> int:
        p = m.pickup_code.c
        result = self._c.execute(
            update(m.pickup_code).where(p.waybill_id == waybill_id, p.used_at.is_(None)).values(used_at=at)
        )
        return int(result.rowcount)


_REQUESTER = aliased(m.app_user, name="requester")
_APPROVER = aliased(m.app_user, name="approver")


class SqlRevealGrantRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, record: GrantRecord) -> int:
        result = self._c.execute(
            insert(m.reveal_grant)
            .values(
                organisation_id=record.organisation_id,
                requester_id=record.requester_id,
                tracking_numbers=json.dumps(list(record.tracking_numbers)),
                fields=json.dumps(list(record.fields)),
                purpose=record.purpose,
                ticket=record.ticket,
                minutes=record.minutes,
                requested_at=record.requested_at,
            )
            .returning(m.reveal_grant.c.id)
        )
        return int(result.scalar_one())

    def get(self, grant_id: int) -> GrantRecord | None:
        found = self._select(m.reveal_grant.c.id == grant_id)
        return found[0] if found else None

    def approve(self, grant_id: int, *, approver_id: int, at: datetime, expires_at: datetime) -> bool:
        g = m.reveal_grant.c
        result = self._c.execute(
            update(m.reveal_grant)
            .where(g.id == grant_id, g.approved_at.is_(None))
            .values(approved_by=approver_id, approved_at=at, expires_at=expires_at)
        )
        return bool(result.rowcount == 1)

    def approved_for(self, requester_id: int, now: datetime) -> list[GrantRecord]:
        g = m.reveal_grant.c
        return self._select(
            and_(g.requester_id == requester_id, g.approved_at.is_not(None), g.expires_at > now)
        )

    def pending(self, organisation_id: int | None = None) -> list[GrantRecord]:
        g = m.reveal_grant.c
        condition: Any = g.approved_at.is_(None)
        if organisation_id is not None:
            condition = and_(condition, g.organisation_id == organisation_id)
        return self._select(condition)

    def _select(self, condition: Any) -> list[GrantRecord]:
        g = m.reveal_grant.c
        query = (
            select(
                m.reveal_grant,
                _REQUESTER.c.username.label("requester"),
                _APPROVER.c.username.label("approver"),
            )
            .join(_REQUESTER, _REQUESTER.c.id == g.requester_id)
            .outerjoin(_APPROVER, _APPROVER.c.id == g.approved_by)
            .where(condition)
            .order_by(g.id)
        )
        return [
            GrantRecord(
                id=row.id,
                organisation_id=row.organisation_id,
                requester_id=row.requester_id,
                tracking_numbers=tuple(json.loads(row.tracking_numbers)),
                fields=tuple(json.loads(row.fields)),
                purpose=row.purpose,
                ticket=row.ticket,
                minutes=row.minutes,
                requested_at=row.requested_at,
                approved_by=row.approved_by,
                approved_at=row.approved_at,
                expires_at=row.expires_at,
                requester=row.requester,
                approver=row.approver,
            )
            for row in self._c.execute(query)
        ]


class SqlRevealCounterRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def count_request(self, user_id: int, day: str) -> tuple[int, int]:
        r = m.reveal_counter.c
        _insert_ignoring_conflict(
            self._c, m.reveal_counter, {"user_id": user_id, "day": day, "revealed": 0, "requests": 0}
        )
        # The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) before anything is read.
        row = self._c.execute(
            update(m.reveal_counter)
            .where(r.user_id == user_id, r.day == day)
            .values(requests=r.requests + 1)
            .returning(r.revealed, r.requests)
        ).one()
        return int(row.revealed), int(row.requests) - 1

    def take(self, user_id: int, day: str, limit: int) -> bool:
        r = m.reveal_counter.c
        result = self._c.execute(
            update(m.reveal_counter)
            .where(r.user_id == user_id, r.day == day, r.revealed < limit)
            .values(revealed=r.revealed + 1)
        )
        return bool(result.rowcount == 1)


class SqlAlertRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def raise_once(self, alert: AlertRecord) -> bool:
        values = {
            "kind": alert.kind,
            "user_id": alert.user_id,
            "day": alert.day,
            "subject": alert.subject,
            "raised_at": alert.raised_at,
            "details": json.dumps(dict(alert.details), sort_keys=True, separators=(",", ":")),
        }
        return _insert_ignoring_conflict(self._c, m.alert, values) == 1

    def list(self, *, limit: int = 100) -> list[AlertRecord]:
        a = m.alert.c
        query = (
            select(m.alert, m.app_user.c.username)
            .join(m.app_user, m.app_user.c.id == a.user_id)
            .order_by(a.id.desc())
            .limit(limit)
        )
        return [
            AlertRecord(
                kind=row.kind,
                user_id=row.user_id,
                day=row.day,
                subject=row.subject,
                raised_at=row.raised_at,
                details=json.loads(row.details),
                id=row.id,
                username=row.username,
            )
            for row in self._c.execute(query)
        ]


class SqlParcelEventRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, waybill_id: str, event: TrackingEvent, *, station_id: int | None) -> None:
        self._c.execute(
            insert(m.tracking_event).values(
                waybill_id=waybill_id,
                status=event.status.value,
                occurred_at=event.occurred_at,
                location=event.location,
                actor=event.actor,
                station_id=station_id,
            )
        )
        self._c.execute(
            update(m.waybill).where(m.waybill.c.id == waybill_id).values(status=event.status.value)
        )

    def for_waybill(self, waybill_id: str) -> list[ParcelEventRecord]:
        e = m.tracking_event.c
        query = (
            select(e.status, e.occurred_at, e.location, e.actor, m.station.c.code)
            .outerjoin(m.station, m.station.c.id == e.station_id)
            .where(e.waybill_id == waybill_id)
            .order_by(e.id)
        )
        return [
            ParcelEventRecord(row.status, row.occurred_at, row.location, row.actor, row.code)
            for row in self._c.execute(query)
        ]


class SqlAuditSearch:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def search(
        self,
        *,
        subject: str | None = None,
        actor: str | None = None,
        action_prefix: str | None = None,
        limit: int = 1000,
    ) -> list[AuditEvent]:
        a = m.audit_event.c
        conditions: list[Any] = []
        if subject is not None:
            conditions.append(a.subject == subject)
        if actor is not None:
            conditions.append(a.actor == actor)
        if action_prefix is not None:
            conditions.append(a.action.startswith(action_prefix, autoescape=True))
        query = select(m.audit_event).where(*conditions).order_by(a.seq.desc()).limit(limit)
        rows: Sequence[Any] = self._c.execute(query).all()
        return [
            AuditEvent(r.action, r.actor, r.occurred_at, r.subject, json.loads(r.details))
            for r in reversed(rows)
        ]
