"""Page sessions: the pg_session cookie's attributes and CSRF on unsafe methods (web/sessions.py, HTTPS).

The pages themselves come with their own tests (tests/functional/browser); these drive the helpers they
use through two probe routes added to the real app, so every check is the one a page gets.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import Form, Request, Response
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.domain.people import Role
from parcelguard.services import people
from parcelguard.services.auth import close_session, open_session
from parcelguard.web.app import create_app
from parcelguard.web.sessions import (
    CSRF_HEADER,
    SESSION_COOKIE,
    PagePrincipal,
    clear_session_cookie,
    set_session_cookie,
)
from tests.people_support import PASSWORD, Clock, add_person, fast_runtime, with_station


@pytest.fixture
def fast(sqlite_runtime: Runtime) -> Runtime:
    runtime = fast_runtime(sqlite_runtime, Clock())
    with_station(runtime.ctx)
    add_person(runtime.ctx, "clerk.01", Role.OUTLET_CLERK)
    return runtime


@pytest.fixture
def site(fast: Runtime) -> Iterator[TestClient]:
    app = create_app(runtime=fast)

    @app.post("/probe/signin")
    def signin(username: str = Form(), password: str = Form()) -> Response:
        session = open_session(fast.ctx, username=username, password=password, client="10.0.0.1")
        response = Response(session.csrf_token)
        set_session_cookie(response, session)
        return response

    @app.post("/probe/signout")
    def signout(request: Request, principal: PagePrincipal) -> Response:
        close_session(fast.ctx, request.cookies.get(SESSION_COOKIE, ""))
        response = Response(status_code=204)
        clear_session_cookie(response)
        return response

    @app.get("/probe")
    def read(principal: PagePrincipal) -> dict[str, str | None]:
        return {"actor": principal.actor, "method": principal.auth_method}

    @app.post("/probe")
    def write(principal: PagePrincipal) -> dict[str, str]:
        return {"done": principal.actor}

    with TestClient(app, base_url="https://testserver") as client:
        yield client


def sign_in(site: TestClient) -> str:
    response = site.post("/probe/signin", data={"username": "clerk.01", "password": PASSWORD})
    assert response.status_code == 200
    return response.text


def test_the_session_cookie_is_secure_http_only_strict_and_lives_as_long_as_the_session(
    site: TestClient,
) -> None:
    response = site.post("/probe/signin", data={"username": "clerk.01", "password": PASSWORD})
    cookie = response.headers.get_list("set-cookie")[0]
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
    assert cookie.startswith(f"{SESSION_COOKIE}=pgs_")
    assert "secure" in attributes and "httponly" in attributes
    assert attributes["samesite"].lower() == "samesite=strict" and attributes["path"] == "Path=/"
    assert attributes["max-age"] == "Max-Age=28800"
    assert site.get("/probe").json() == {"actor": "user:clerk.01", "method": "session"}


def test_an_unsafe_request_without_the_sessions_csrf_token_is_refused(site: TestClient) -> None:
    csrf = sign_in(site)
    for headers, data in (({}, None), ({CSRF_HEADER: "x" * 43}, None), ({}, {"csrf_token": ""})):
        refused = site.post("/probe", headers=headers, data=data)
        assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert site.post("/probe", headers={CSRF_HEADER: csrf}).json() == {"done": "user:clerk.01"}
    assert site.post("/probe", data={"csrf_token": csrf}).json() == {"done": "user:clerk.01"}


def test_another_sessions_csrf_token_does_not_pass(site: TestClient, fast: Runtime) -> None:
    sign_in(site)
    other = open_session(fast.ctx, username="clerk.01", password=PASSWORD)
    refused = site.post("/probe", headers={CSRF_HEADER: other.csrf_token})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"


def test_without_a_session_or_after_signing_out_a_page_is_unauthenticated(site: TestClient) -> None:
    assert site.get("/probe").json()["code"] == "unauthenticated"
    csrf = sign_in(site)
    old = site.cookies.get(SESSION_COOKIE)
    signed_out = site.post("/probe/signout", headers={CSRF_HEADER: csrf})
    assert signed_out.status_code == 204
    assert all("Max-Age=0" in cookie for cookie in signed_out.headers.get_list("set-cookie"))
    site.cookies.set(SESSION_COOKIE, str(old))  # the old cookie kept and sent again
    assert site.get("/probe").json()["code"] == "unauthenticated"


def test_disabling_the_person_ends_the_page_session_on_the_next_request(
    site: TestClient, fast: Runtime
) -> None:
    sign_in(site)
    assert site.get("/probe").status_code == 200
    people.disable_user(fast.ctx, "clerk.01", actor="test")
    refused = site.get("/probe")
    assert refused.status_code == 403 and refused.json()["code"] == "user_disabled"


def test_a_session_cookie_is_no_bearer_token_and_a_token_is_no_session(site: TestClient) -> None:
    sign_in(site)
    session_id = str(site.cookies.get(SESSION_COOKIE))
    as_bearer = site.get("/v1/waybills/PG0000000000000", headers={"Authorization": f"Bearer {session_id}"})
    assert as_bearer.status_code == 401
    token = site.post("/v1/auth/token", json={"username": "clerk.01", "password": PASSWORD}).json()
    site.cookies.set(SESSION_COOKIE, token["access_token"])
    assert site.get("/probe").status_code == 401


def test_no_activity_cookie_is_set_the_database_keeps_the_sessions_activity(site: TestClient) -> None:
    response = site.post("/probe/signin", data={"username": "clerk.01", "password": PASSWORD})
    assert [c.split("=")[0] for c in response.headers.get_list("set-cookie")] == [SESSION_COOKIE]
    assert all("pg_active" not in c for c in site.get("/probe").headers.get_list("set-cookie"))


def test_a_session_idle_past_the_timeout_is_unauthenticated_and_closed(
    site: TestClient, fast: Runtime
) -> None:
    sign_in(site)
    assert site.get("/probe").status_code == 200
    clock = fast.ctx.clock
    assert isinstance(clock, Clock)
    clock.advance(seconds=fast.ctx.login_policy.session_idle.total_seconds() + 1)
    refused = site.get("/probe")
    assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated"
    assert site.get("/probe").status_code == 401  # closed on the server: sent again, it opens nothing
