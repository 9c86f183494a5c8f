"""SQL repositories of people: stations, users, their tokens and page sessions, and sign-in throttling."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Literal

from sqlalchemy import (
    Connection,
    Select,
    Update,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from parcelguard.adapters.db import models as m
from parcelguard.domain.keys import WrappedKey
from parcelguard.domain.organisation import OrganisationKind
from parcelguard.domain.people import FailureCount, Role, Station, User
from parcelguard.errors import ConflictError, ErrorCode
from parcelguard.services.ports import NewUser, SessionRecord, UserCredentials


class SqlStationRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, *, organisation_id: int, code: str, name: str, district: str, at: datetime) -> Station:
        # Checked first so that the usual case is a clean error; the unique constraint still guards a race.
        if self.get_by_code(code) is not None:
            raise _station_exists()
        try:
            self._c.execute(
                insert(m.station).values(
                    organisation_id=organisation_id, code=code, name=name, district=district, created_at=at
                )
            )
        except IntegrityError:
            raise _station_exists() from None
        added = self.get_by_code(code)
        if added is None:  # pragma: no cover - inserted in this very transaction
            raise ConflictError("the station vanished while being added", code=ErrorCode.INTERNAL)
        return added

    def get(self, station_id: int) -> Station | None:
        row = self._c.execute(select(m.station).where(m.station.c.id == station_id)).first()
        return None if row is None else _station(row)

    def get_by_code(self, code: str) -> Station | None:
        row = self._c.execute(select(m.station).where(m.station.c.code == code)).first()
        return None if row is None else _station(row)

    def list(self, organisation_id: int | None = None) -> list[Station]:
        query = select(m.station).order_by(m.station.c.code)
        if organisation_id is not None:
            query = query.where(m.station.c.organisation_id == organisation_id)
        return [_station(row) for row in self._c.execute(query)]


def _station(row: Any) -> Station:
    return Station(
        id=row.id,
        organisation_id=row.organisation_id,
        code=row.code,
        name=row.name,
        district=row.district,
        created_at=row.created_at,
    )


def _station_exists() -> ConflictError:
    return ConflictError("a station with this code exists", code=ErrorCode.STATION_EXISTS, field="code")


def _user_select() -> Select[Any]:
    return (
        select(
            m.app_user,
            m.station.c.code.label("station_code"),
            m.organisation.c.kind.label("organisation_kind"),
        )
        .join(m.organisation, m.organisation.c.id == m.app_user.c.organisation_id)
        .outerjoin(m.station, m.station.c.id == m.app_user.c.station_id)
    )


@cache
def _session_with_user() -> Select[Any]:
    # One query with the user (and station code) joined, built once: it runs on every request a person makes.
    s = m.user_session.c
    return (
        select(
            m.app_user,
            m.station.c.code.label("station_code"),
            m.organisation.c.kind.label("organisation_kind"),
            s.secret_hash,
            s.kind,
            s.csrf_token,
            s.second_factor,
            s.device,
            s.issued_at,
            s.expires_at,
            s.revoked_at,
        )
        .join(m.app_user, m.app_user.c.id == s.user_id)
        .join(m.organisation, m.organisation.c.id == m.app_user.c.organisation_id)
        .outerjoin(m.station, m.station.c.id == m.app_user.c.station_id)
        .where(s.secret_hash == bindparam("secret_hash"))
    )


@cache
def _session_seen() -> tuple[Select[Any], Update]:
    # Built once, like _session_with_user: the read runs on every page request, the write once a minute.
    s = m.user_session.c
    seen = func.coalesce(s.last_seen_at, s.issued_at)
    read = select(seen).where(s.secret_hash == bindparam("h"))
    write = (
        update(m.user_session)
        .where(s.secret_hash == bindparam("h"), seen < bindparam("write_before"))
        .values(last_seen_at=bindparam("at"))
    )
    return read, write


class SqlUserRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, new: NewUser) -> User:
        if self.get(new.username) is not None:
            raise _user_exists()
        try:
            self._c.execute(
                insert(m.app_user).values(
                    organisation_id=new.organisation_id,
                    username=new.username,
                    role=new.role.value,
                    station_id=new.station_id,
                    password_hash=new.password_hash,
                    kek_version=new.totp_key.kek_version if new.totp_key else None,
                    wrapped_key=new.totp_key.blob if new.totp_key else None,
                    ct_totp_secret=new.ct_totp_secret,
                    totp_last_step=None,
                    disabled_at=None,
                    offboard_from=None,
                    created_at=new.created_at,
                    created_by=new.created_by,
                )
            )
        except IntegrityError:
            raise _user_exists() from None
        added = self.get(new.username)
        if added is None:  # pragma: no cover - inserted in this very transaction
            raise ConflictError("the user vanished while being added", code=ErrorCode.INTERNAL)
        return added

    def get(self, username: str) -> User | None:
        row = self._c.execute(_user_select().where(m.app_user.c.username == username)).first()
        return None if row is None else _user(row)

    def get_by_id(self, user_id: int) -> User | None:
        row = self._c.execute(_user_select().where(m.app_user.c.id == user_id)).first()
        return None if row is None else _user(row)

    def credentials(self, username: str) -> UserCredentials | None:
        row = self._c.execute(_user_select().where(m.app_user.c.username == username)).first()
        if row is None:
            return None
        wrapped = (
            WrappedKey(row.kek_version, bytes(row.wrapped_key))
            if row.wrapped_key is not None and row.kek_version is not None
            else None
        )
        return UserCredentials(
            user=_user(row),
            password_hash=row.password_hash,
            totp_key=wrapped,
            ct_totp_secret=bytes(row.ct_totp_secret) if row.ct_totp_secret is not None else None,
            totp_last_step=row.totp_last_step,
        )

    def list(
        self, *, organisation_id: int | None = None, role: Role | None = None, station_id: int | None = None
    ) -> list[User]:
        u = m.app_user.c
        query = _user_select().order_by(u.username)
        if organisation_id is not None:
            query = query.where(u.organisation_id == organisation_id)
        if role is not None:
            query = query.where(u.role == role.value)
        if station_id is not None:
            query = query.where(u.station_id == station_id)
        return [_user(row) for row in self._c.execute(query)]

    def set_disabled(self, user_id: int, at: datetime) -> None:
        u = m.app_user.c
        self._c.execute(
            update(m.app_user).where(u.id == user_id, u.disabled_at.is_(None)).values(disabled_at=at)
        )

    def set_offboard_from(self, user_id: int, from_: datetime) -> None:
        self._c.execute(update(m.app_user).where(m.app_user.c.id == user_id).values(offboard_from=from_))

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._c.execute(
            update(m.app_user).where(m.app_user.c.id == user_id).values(password_hash=password_hash)
        )

    def confirm_admission(
        self,
        user_id: int,
        *,
        password_hash: str,
        ct_totp_secret: bytes | None,
        now: datetime,
        new_password_hash: str | None = None,
    ) -> bool:
        # One conditional UPDATE: it takes the row's lock and re-reads it (PostgreSQL re-checks the WHERE
        # after waiting for a concurrent writer), so a password change, second-factor reset, disable or
        # offboarding committed since the secrets were checked makes it match nothing; one that comes later
        # waits for this transaction and then revokes the session it adds.
        u = m.app_user.c
        secret_unchanged = (
            u.ct_totp_secret.is_(None) if ct_totp_secret is None else u.ct_totp_secret == ct_totp_secret
        )
        result = self._c.execute(
            update(m.app_user)
            .where(
                u.id == user_id,
                u.password_hash == password_hash,
                secret_unchanged,
                u.disabled_at.is_(None),
                or_(u.offboard_from.is_(None), u.offboard_from > now),
            )
            .values(password_hash=new_password_hash or password_hash)
        )
        return bool(result.rowcount)

    def claim_totp_step(self, user_id: int, step: int) -> bool:
        # Compare-and-set in one statement: two sign-ins racing with the same code cannot both win.
        u = m.app_user.c
        result = self._c.execute(
            update(m.app_user)
            .where(u.id == user_id, or_(u.totp_last_step.is_(None), u.totp_last_step < step))
            .values(totp_last_step=step)
        )
        return bool(result.rowcount)

    def totp_keys_below(self, version: int) -> Sequence[tuple[int, str, WrappedKey]]:
        u = m.app_user.c
        rows = self._c.execute(
            select(u.id, u.username, u.kek_version, u.wrapped_key)
            .where(u.wrapped_key.is_not(None), u.kek_version < version)
            .order_by(u.id)
        )
        return [(row.id, row.username, WrappedKey(row.kek_version, bytes(row.wrapped_key))) for row in rows]

    def replace_totp_key(self, user_id: int, wrapped: WrappedKey) -> None:
        self._c.execute(
            update(m.app_user)
            .where(m.app_user.c.id == user_id)
            .values(kek_version=wrapped.kek_version, wrapped_key=wrapped.blob)
        )

    def set_enabled(self, user_id: int) -> bool:
        u = m.app_user.c
        result = self._c.execute(
            update(m.app_user).where(u.id == user_id, u.disabled_at.is_not(None)).values(disabled_at=None)
        )
        return bool(result.rowcount)

    def replace_totp_secret(
        self, user_id: int, ct_totp_secret: bytes, *, used_through: int, wrapped: WrappedKey | None = None
    ) -> None:
        # The step is raised in the statement itself, never lowered: a claim racing this update keeps its
        # later step rather than being overwritten by an earlier one.
        u = m.app_user.c
        values: dict[str, Any] = {
            "ct_totp_secret": ct_totp_secret,
            "totp_last_step": case(
                (and_(u.totp_last_step.is_not(None), u.totp_last_step > used_through), u.totp_last_step),
                else_=literal(used_through),
            ),
        }
        if wrapped is not None:
            values.update(kek_version=wrapped.kek_version, wrapped_key=wrapped.blob)
        self._c.execute(update(m.app_user).where(u.id == user_id).values(**values))


def _user(row: Any) -> User:
    return User(
        id=row.id,
        organisation_id=row.organisation_id,
        username=row.username,
        role=Role(row.role),
        station_id=row.station_id,
        disabled_at=row.disabled_at,
        offboard_from=row.offboard_from,
        created_at=row.created_at,
        station_code=row.station_code,
        organisation_kind=OrganisationKind(row.organisation_kind),
    )


def _user_exists() -> ConflictError:
    return ConflictError("a user with this username exists", code=ErrorCode.USER_EXISTS, field="username")


class SqlSessionRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, record: SessionRecord) -> None:
        self._c.execute(
            insert(m.user_session).values(
                secret_hash=record.secret_hash,
                kind=record.kind,
                user_id=record.user_id,
                csrf_token=record.csrf_token,
                second_factor=int(record.second_factor),
                device=record.device,
                issued_at=record.issued_at,
                expires_at=record.expires_at,
                revoked_at=record.revoked_at,
                last_seen_at=record.issued_at,
            )
        )

    def record_activity(
        self, secret_hash: str, *, at: datetime, idle_since: datetime, write_before: datetime
    ) -> bool:
        """Whether the session was last seen at ``idle_since`` or later (live); if so and that was before
        ``write_before``, ``last_seen_at`` becomes ``at`` (a conditional update: concurrent requests write
        once). False for an unknown session or one idle since then (nothing written)."""
        select_seen, update_seen = _session_seen()
        last = self._c.execute(select_seen, {"h": secret_hash}).scalar_one_or_none()
        if last is None or last < idle_since:
            return False
        if last < write_before:
            self._c.execute(update_seen, {"h": secret_hash, "write_before": write_before, "at": at})
        return True

    def get_with_user(self, secret_hash: str) -> tuple[SessionRecord, User] | None:
        row = self._c.execute(_session_with_user(), {"secret_hash": secret_hash}).first()
        if row is None:
            return None
        kind: Literal["token", "session"] = "token" if row.kind == "token" else "session"
        record = SessionRecord(
            secret_hash=row.secret_hash,
            kind=kind,
            user_id=row.id,
            csrf_token=row.csrf_token,
            second_factor=bool(row.second_factor),
            device=row.device,
            issued_at=row.issued_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
        )
        return record, _user(row)

    def revoke(self, secret_hash: str, at: datetime) -> bool:
        s = m.user_session.c
        result = self._c.execute(
            update(m.user_session)
            .where(s.secret_hash == secret_hash, s.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(result.rowcount)

    def revoke_for_user(self, user_id: int, at: datetime) -> int:
        s = m.user_session.c
        result = self._c.execute(
            update(m.user_session)
            .where(s.user_id == user_id, s.revoked_at.is_(None), s.expires_at > at)
            .values(revoked_at=at)
        )
        return int(result.rowcount)

    def forget_ended(self, user_id: int, before: datetime) -> int:
        s = m.user_session.c
        result = self._c.execute(delete(m.user_session).where(s.user_id == user_id, s.expires_at < before))
        return int(result.rowcount)


class SqlLoginThrottleRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, subject: bytes) -> FailureCount | None:
        row = self._c.execute(select(m.login_throttle).where(m.login_throttle.c.subject == subject)).first()
        if row is None:
            return None
        return FailureCount(
            failures=row.failures, window_started_at=row.window_started_at, locked_until=row.locked_until
        )

    def record_failure(
        self, subject: bytes, *, now: datetime, window: timedelta, lockout: timedelta, limit: int
    ) -> FailureCount:
        # One upsert that increments in the database: parallel guesses at one account each add one (a
        # read-then-write would let them all read the same count), and none collides on the insert.
        t = m.login_throttle.c
        at = literal(now, m.UtcDateTime())
        restarted = t.window_started_at <= literal(now - window, m.UtcDateTime())
        failures = case((restarted, 1), else_=t.failures + 1)
        lock = literal(now + lockout, m.UtcDateTime())
        locked_until = case(
            (and_(t.locked_until.is_not(None), t.locked_until > at), t.locked_until),
            (failures >= limit, lock),
            else_=null(),
        )
        upsert = pg_insert if self._c.dialect.name == "postgresql" else sqlite_insert
        inserted = upsert(m.login_throttle).values(
            subject=subject,
            failures=1,
            window_started_at=now,
            locked_until=now + lockout if limit <= 1 else None,
        )
        statement = inserted.on_conflict_do_update(
            index_elements=["subject"],
            set_={
                "failures": failures,
                "window_started_at": case((restarted, at), else_=t.window_started_at),
                "locked_until": locked_until,
            },
        ).returning(t.failures, t.window_started_at, t.locked_until)
        row = self._c.execute(statement).one()
        return FailureCount(
            failures=row.failures, window_started_at=row.window_started_at, locked_until=row.locked_until
        )

    def clear(self, subject: bytes) -> None:
        self._c.execute(delete(m.login_throttle).where(m.login_throttle.c.subject == subject))

    def refund(self, subject: bytes, *, limit: int) -> None:
        t = m.login_throttle.c
        self._c.execute(  # both right-hand sides read the row as it was: one atomic step
            update(m.login_throttle)
            .where(t.subject == subject, t.failures > 0)
            .values(
                failures=t.failures - 1,
                locked_until=case((t.failures - 1 < limit, null()), else_=t.locked_until),
            )
        )

    def forget_stale(self, window_started_before: datetime, now: datetime) -> int:
        t = m.login_throttle.c
        result = self._c.execute(
            delete(m.login_throttle).where(
                or_(t.window_started_at < window_started_before, t.failures <= 0),
                or_(t.locked_until.is_(None), t.locked_until <= now),
            )
        )
        return int(result.rowcount)
