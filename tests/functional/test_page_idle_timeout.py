"""A page session ends after SESSION_IDLE_TIMEOUT without a request (web/sessions.py), besides its absolute
lifetime: back to sign-in, the session closed on the server (audited), the cookies dropped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.domain import audit
from parcelguard.errors import AuthenticationError
from parcelguard.services.auth import principal_for_session
from parcelguard.web.sessions import ACTIVITY_COOKIE, SESSION_COOKIE, SESSION_IDLE_TIMEOUT, activity_stamp
from tests.page_support import page_site, sign_in
from tests.reveal_world import World, build_world

IDLE_MINUTES = SESSION_IDLE_TIMEOUT.total_seconds() / 60


@pytest.fixture
def world(sqlite_runtime: Runtime) -> World:
    return build_world(sqlite_runtime.ctx, only=("clerk.ns", "clerk.ft"))


@pytest.fixture
def site(sqlite_runtime: Runtime, world: World) -> Iterator[TestClient]:
    with page_site(sqlite_runtime, world) as client:
        yield client


def closed_events(world: World) -> list[audit.AuditEvent]:
    with world.ctx.uow() as uow:
        events = uow.audit_search.search(actor="user:clerk.ns")
    return [e for e in events if e.action == audit.SESSION_CLOSED]


def session_is_live(world: World, session_id: str) -> bool:
    try:
        principal_for_session(world.ctx, session_id, audit_refusal=False)
    except AuthenticationError:
        return False
    return True


def test_requests_keep_the_session_alive_and_the_timeout_without_one_ends_it(
    site: TestClient, world: World
) -> None:
    assert IDLE_MINUTES <= 30  # NIST SP 800-63B AAL2: at most 30 minutes of inactivity
    sign_in(site, world, "clerk.ns")
    session_id = str(site.cookies.get(SESSION_COOKIE))
    for _ in range(6):  # an hour and more of work, a request every IDLE - 1 minutes
        world.clock.advance(minutes=IDLE_MINUTES - 1)
        answer = site.get("/outlet")
        assert answer.status_code == 200
        assert any(c.startswith(f"{ACTIVITY_COOKIE}=") for c in answer.headers.get_list("set-cookie"))
        assert len(answer.headers.get_list("content-length")) == 1  # browsers refuse two
    world.clock.advance(minutes=IDLE_MINUTES, seconds=1)
    answer = site.get("/outlet")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?reason=session_idle&next=/outlet"
    dropped = answer.headers.get_list("set-cookie")
    assert {c.split("=")[0] for c in dropped if "Max-Age=0" in c} == {SESSION_COOKIE, ACTIVITY_COOKIE}
    assert not session_is_live(world, session_id)  # closed on the server, not only in the browser
    assert len(closed_events(world)) == 1
    signin = site.get(answer.headers["location"])
    assert signin.status_code == 200 and f"{int(IDLE_MINUTES)} minutes without activity" in signin.text


def test_the_session_cookie_kept_and_sent_again_after_the_timeout_opens_nothing(
    site: TestClient, world: World
) -> None:
    sign_in(site, world, "clerk.ns")
    session_id, stamp = str(site.cookies.get(SESSION_COOKIE)), str(site.cookies.get(ACTIVITY_COOKIE))
    world.clock.advance(minutes=IDLE_MINUTES + 1)
    site.cookies.set(SESSION_COOKIE, session_id)
    site.cookies.set(ACTIVITY_COOKIE, stamp)
    assert site.get("/outlet").status_code == 303
    fresh = activity_stamp(world.ctx, session_id, world.clock.now)  # even a good stamp, now: closed
    site.cookies.set(SESSION_COOKIE, session_id)
    site.cookies.set(ACTIVITY_COOKIE, fresh)
    assert site.get("/outlet").headers["location"].startswith("/signin?reason=unauthenticated")


@pytest.mark.parametrize("tamper", ["missing", "moved forward", "another session's", "garbage"])
def test_a_missing_or_forged_activity_stamp_ends_the_session(
    site: TestClient, world: World, tamper: str
) -> None:
    sign_in(site, world, "clerk.ft")
    other = str(site.cookies.get(SESSION_COOKIE))
    sign_in(site, world, "clerk.ns")
    session_id, stamp = str(site.cookies.get(SESSION_COOKIE)), str(site.cookies.get(ACTIVITY_COOKIE))
    # Only the stamp moved forward is older than the timeout; each would pass but for what it is.
    world.clock.advance(minutes=IDLE_MINUTES + 5 if tamper == "moved forward" else 1)
    seconds, _dot, mac = stamp.partition(".")
    forged = {
        "missing": None,
        "moved forward": f"{int(seconds) + 600}.{mac}",
        "another session's": activity_stamp(world.ctx, other, world.clock.now),
        "garbage": "0x1f.not-a-mac",
    }[tamper]
    site.cookies.delete(ACTIVITY_COOKIE)
    if forged is not None:
        site.cookies.set(ACTIVITY_COOKIE, forged)
    answer = site.get("/outlet")
    assert answer.status_code == 303 and "reason=session_idle" in answer.headers["location"]
    assert not session_is_live(world, session_id)


def test_an_htmx_request_after_the_timeout_is_sent_to_sign_in(site: TestClient, world: World) -> None:
    csrf = sign_in(site, world, "clerk.ns")
    world.clock.advance(minutes=IDLE_MINUTES + 1)
    answer = site.post(
        "/outlet/handover",
        data={"pickup_code": "123456", "last4": "1234"},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf},
    )
    assert answer.status_code == 401 and answer.headers["HX-Redirect"] == "/signin?reason=session_idle"


def test_the_absolute_lifetime_still_ends_a_busy_session(site: TestClient, world: World) -> None:
    sign_in(site, world, "clerk.ns")
    lifetime_h = world.ctx.login_policy.session_ttl.total_seconds() / 3600
    steps = int(lifetime_h * 60 / (IDLE_MINUTES - 1))
    for _ in range(steps):
        world.clock.advance(minutes=IDLE_MINUTES - 1)
        assert site.get("/account").status_code == 200
    world.clock.advance(minutes=IDLE_MINUTES - 1)
    answer = site.get("/account")
    assert answer.status_code == 303 and "reason=unauthenticated" in answer.headers["location"]


def test_the_sign_in_page_does_not_count_an_idle_session_as_signed_in(site: TestClient, world: World) -> None:
    sign_in(site, world, "clerk.ns")
    assert site.get("/signin").status_code == 303  # signed in: on to the pages
    world.clock.advance(minutes=IDLE_MINUTES + 1)
    assert site.get("/signin").status_code == 200  # the form, not a redirect to pages that refuse
