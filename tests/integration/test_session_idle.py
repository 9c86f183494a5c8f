"""Idle page sessions end in the database (migration 0010, user_session.last_seen_at), on SQLite and
PostgreSQL: the last request is written at most once a minute, a session idle past the timeout is refused
and closed (audited with reason idle under a system actor) whether or not anyone presents it again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, insert, inspect, select, update

from parcelguard.adapters.db import migrate
from parcelguard.adapters.db import models as m
from parcelguard.bootstrap import Runtime
from parcelguard.domain import audit
from parcelguard.domain.access import hash_secret
from parcelguard.domain.people import Role
from parcelguard.errors import AuthenticationError, ErrorCode
from parcelguard.services import auth
from parcelguard.services.auth import IDLE_ACTOR, SessionIdleError
from tests.integration.test_migration_0003 import _downgrade, _row
from tests.people_support import PASSWORD, Clock, add_person, fast_runtime, with_station


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fast(runtime: Runtime, clock: Clock) -> Runtime:
    fast = fast_runtime(runtime, clock)
    with_station(fast.ctx)
    add_person(fast.ctx, "clerk.01", Role.OUTLET_CLERK)
    return fast


def open_one(fast: Runtime) -> str:
    return auth.open_session(fast.ctx, username="clerk.01", password=PASSWORD).session_id


def last_seen(engine: Engine, session_id: str) -> datetime:
    s = m.user_session.c
    with engine.connect() as connection:
        value = connection.execute(
            select(s.last_seen_at).where(s.secret_hash == hash_secret(session_id))
        ).scalar_one()
    assert isinstance(value, datetime)
    return value


def live_in_database(engine: Engine, now: datetime, idle: timedelta) -> int:
    """Sessions a query of the table alone counts as usable (what a dump or a report would see)."""
    s = m.user_session.c
    seen = func.coalesce(s.last_seen_at, s.issued_at)
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).where(
                    s.kind == "session", s.revoked_at.is_(None), s.expires_at > now, seen > now - idle
                )
            ).scalar_one()
        )


@contextmanager
def session_writes(engine: Engine) -> Iterator[list[str]]:
    """The UPDATE statements sent for user_session while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE USER_SESSION"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_requests_write_the_last_seen_time_at_most_once_a_minute(fast: Runtime, clock: Clock) -> None:
    session_id = open_one(fast)
    opened = clock.now
    assert last_seen(fast.engine, session_id) == opened
    with session_writes(fast.engine) as writes:
        for _ in range(29):  # 58 seconds of requests, one every 2 s
            clock.advance(seconds=2)
            auth.principal_for_session(fast.ctx, session_id)
        assert writes == [] and last_seen(fast.engine, session_id) == opened
        clock.advance(seconds=3)  # 61 s after the last write
        auth.principal_for_session(fast.ctx, session_id)
        assert len(writes) == 1 and last_seen(fast.engine, session_id) == clock.now
        written = clock.now
        for _ in range(10):
            clock.advance(seconds=5)
            auth.principal_for_session(fast.ctx, session_id)
        assert len(writes) == 1 and last_seen(fast.engine, session_id) == written


def test_a_session_used_every_few_minutes_lives_and_one_idle_past_the_timeout_is_refused_and_closed(
    fast: Runtime, clock: Clock
) -> None:
    idle = fast.ctx.login_policy.session_idle
    session_id = open_one(fast)
    for _ in range(8):  # two hours of work, a request every 14 minutes
        clock.advance(seconds=idle.total_seconds() - 60)
        auth.principal_for_session(fast.ctx, session_id)
    clock.advance(seconds=idle.total_seconds() + 1)
    with pytest.raises(SessionIdleError) as caught:
        auth.principal_for_session(fast.ctx, session_id)
    assert caught.value.code is ErrorCode.UNAUTHENTICATED
    with pytest.raises(AuthenticationError):  # closed: presented again, it is no idle session but none
        auth.principal_for_session(fast.ctx, session_id)
    with fast.ctx.uow() as uow:
        closed = uow.audit_search.search(subject="user:clerk.01", action_prefix=audit.SESSION_CLOSED)
    assert [(e.actor, e.details) for e in closed] == [(IDLE_ACTOR, {"method": "session", "reason": "idle"})]


def test_an_idle_session_nobody_presents_again_is_dead_in_the_database(fast: Runtime, clock: Clock) -> None:
    idle = fast.ctx.login_policy.session_idle
    open_one(fast)
    assert live_in_database(fast.engine, clock.now, idle) == 1
    clock.advance(seconds=idle.total_seconds() + 1)
    assert live_in_database(fast.engine, clock.now, idle) == 0  # no request needed to end it


def test_a_bearer_token_has_no_idle_check_its_own_lifetime_is_short(fast: Runtime, clock: Clock) -> None:
    token = auth.issue_access_token(fast.ctx, username="clerk.01", password=PASSWORD)
    clock.advance(seconds=fast.ctx.login_policy.token_ttl.total_seconds() - 1)
    assert auth.principal_for_access_token(fast.ctx, token.access_token).username == "clerk.01"


def test_migration_0010_gives_stored_sessions_their_issue_time_and_downgrades(runtime: Runtime) -> None:
    _downgrade(runtime.engine, "0009_one_active_label_token")
    assert "last_seen_at" not in {c["name"] for c in inspect(runtime.engine).get_columns("user_session")}
    issued = Clock().now
    with runtime.engine.begin() as connection:
        connection.execute(insert(m.organisation).values(_row(m.organisation, id=7, name="o7")))
        connection.execute(
            insert(m.app_user).values(_row(m.app_user, id=7, organisation_id=7, username="u7"))
        )
        values = _row(m.user_session, secret_hash="h" * 64, kind="session", user_id=7, issued_at=issued)
        values.pop("last_seen_at", None)
        connection.execute(insert(m.user_session).values(values))
    migrate.upgrade(runtime.engine)
    assert migrate.current_revision(runtime.engine) == migrate.HEAD_REVISION == "0010_session_last_seen"
    assert migrate.schema_differences(runtime.engine) == []
    s = m.user_session.c
    with runtime.engine.connect() as connection:
        assert (
            connection.execute(select(s.last_seen_at).where(s.secret_hash == "h" * 64)).scalar_one() == issued
        )
    with runtime.engine.begin() as connection:
        connection.execute(update(m.user_session).values(last_seen_at=None))
    _downgrade(runtime.engine, "0009_one_active_label_token")
    migrate.upgrade(runtime.engine)
