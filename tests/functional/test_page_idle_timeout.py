"""A page session ends after LoginPolicy.session_idle without a request (kept in the database:
services/auth.py), besides its absolute lifetime: back to sign-in, the session closed on the server
(audited, reason idle, a system actor), the cookie dropped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.domain import audit
from parcelguard.domain.people import LoginPolicy
from parcelguard.errors import AuthenticationError
from parcelguard.services.auth import IDLE_ACTOR, principal_for_session
from parcelguard.web.sessions import SESSION_COOKIE
from tests.page_support import page_site, sign_in
from tests.reveal_world import World, build_world

IDLE_MINUTES = LoginPolicy().session_idle.total_seconds() / 60


@pytest.fixture
def world(sqlite_runtime: Runtime) -> World:
    return build_world(sqlite_runtime.ctx, only=("clerk.ns", "clerk.ft"))


@pytest.fixture
def site(sqlite_runtime: Runtime, world: World) -> Iterator[TestClient]:
    with page_site(sqlite_runtime, world) as client:
        yield client


def closed_events(world: World) -> list[audit.AuditEvent]:
    with world.ctx.uow() as uow:
        events = uow.audit_search.search(subject="user:clerk.ns", action_prefix=audit.SESSION_CLOSED)
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
    world.clock.advance(minutes=IDLE_MINUTES, seconds=1)
    answer = site.get("/outlet")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?reason=session_idle&next=/outlet"
    dropped = answer.headers.get_list("set-cookie")
    assert SESSION_COOKIE in {c.split("=")[0] for c in dropped if "Max-Age=0" in c}
    assert not session_is_live(world, session_id)  # closed on the server, not only in the browser
    [closed] = closed_events(world)
    assert closed.actor == IDLE_ACTOR and closed.details == {"method": "session", "reason": "idle"}
    signin = site.get(answer.headers["location"])
    assert signin.status_code == 200 and f"{int(IDLE_MINUTES)} minutes without activity" in signin.text


def test_the_session_cookie_kept_and_sent_again_after_the_timeout_opens_nothing(
    site: TestClient, world: World
) -> None:
    sign_in(site, world, "clerk.ns")
    session_id = str(site.cookies.get(SESSION_COOKIE))
    world.clock.advance(minutes=IDLE_MINUTES + 1)
    site.cookies.set(SESSION_COOKIE, session_id)
    assert "reason=session_idle" in site.get("/outlet").headers["location"]
    site.cookies.set(SESSION_COOKIE, session_id)
    assert site.get("/outlet").headers["location"].startswith("/signin?reason=unauthenticated")


def test_a_session_nobody_presents_again_is_dead_in_the_database(site: TestClient, world: World) -> None:
    sign_in(site, world, "clerk.ns")
    session_id = str(site.cookies.get(SESSION_COOKIE))
    site.cookies.clear()  # the browser is gone: nobody presents it again
    world.clock.advance(minutes=IDLE_MINUTES, seconds=1)
    assert not session_is_live(world, session_id)  # whoever holds the id (a copied cookie) gets nothing


def test_signing_out_is_audited_with_its_reason_under_the_person(site: TestClient, world: World) -> None:
    csrf = sign_in(site, world, "clerk.ns")
    assert site.post("/signout", headers={"X-CSRF-Token": csrf}).status_code == 303
    [closed] = closed_events(world)
    assert closed.actor == "user:clerk.ns" and closed.details == {"method": "session", "reason": "signed_out"}


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
