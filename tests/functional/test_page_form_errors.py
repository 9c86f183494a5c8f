"""Every page form answers a missing or malformed field with an HTML page naming the field, never echoing
what was typed, and keeps the person signed in; the JSON API keeps its JSON errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from annotated_types import MaxLen
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.web.pages.common import PageRoute, repeatable_fields
from parcelguard.web.sessions import CSRF_HEADER
from tests.page_support import page_site, sign_in
from tests.reveal_world import PASSWORD, World, build_world

# Looks like a mobile and a name (synthetic): what a person types into a page is often personal data.
TYPED = "13800138000张伟" * 100  # longer than any field may be (a password: 1024)
PATH_VALUES = {"grant_id": "1", "username": "courier.two"}


@pytest.fixture
def world(sqlite_runtime: Runtime) -> World:
    return build_world(sqlite_runtime.ctx, only=("admin.one", "courier.two", "clerk.ns"))


@pytest.fixture
def site(sqlite_runtime: Runtime, world: World) -> Iterator[TestClient]:
    with page_site(sqlite_runtime, world) as client:
        yield client


def routes_of(routes: list[Any]) -> Iterator[Any]:
    """Every route, those of included routers too (FastAPI 0.16x keeps them inside ``_IncludedRouter``;
    none of ours has a prefix, so their paths are the app's)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from routes_of(included.routes) if included is not None else (route,)


def page_forms(site: TestClient) -> list[APIRoute]:
    """Every POST route of the pages (web/pages/), found from the app itself, not from a list."""
    routes = [
        route
        for route in routes_of(site.app.routes)  # type: ignore[attr-defined]
        if isinstance(route, APIRoute)
        and "POST" in route.methods
        and route.endpoint.__module__.startswith("parcelguard.web.pages.")
    ]
    assert len(routes) >= 15  # the walk found the forms (sign-in, courier, outlet, support, admin, access...)
    return routes


def url_of(route: APIRoute) -> str:
    return route.path.format(**{name: PATH_VALUES[name] for name in route.param_convertors})


def required_fields(route: APIRoute) -> list[str]:
    return [field.alias for field in route.dependant.body_params if field.field_info.is_required()]


def test_every_page_form_is_a_page_route(site: TestClient) -> None:
    assert [route.path for route in page_forms(site) if not isinstance(route, PageRoute)] == []


def test_every_page_form_posted_empty_answers_an_html_page_naming_the_missing_field_and_keeps_the_session(
    site: TestClient, world: World
) -> None:
    csrf = sign_in(site, world, "admin.one")
    walked = []
    for route in page_forms(site):
        required = required_fields(route)
        if not required:
            continue  # nothing to leave out (sign-out, approve, disable, end the view...)
        answer = site.post(url_of(route), headers={CSRF_HEADER: csrf})
        walked.append(route.path)
        assert answer.status_code == 422, (route.path, answer.status_code, answer.text[:200])
        assert answer.headers["content-type"].startswith("text/html"), route.path
        assert 'data-code="missing_field"' in answer.text, route.path
        assert f"{required[0]} is required" in answer.text, route.path
        assert "<html" in answer.text and "返回 · Back" in answer.text, route.path
        assert site.get("/account").status_code == 200, route.path  # still signed in
    assert {"/outlet/handover", "/signin", "/admin/users", "/access/challenge", "/track"} <= set(walked)


def test_a_staff_form_error_keeps_the_persons_pages_around_it(site: TestClient, world: World) -> None:
    csrf = sign_in(site, world, "admin.one")
    answer = site.post("/admin/stations", data={"csrf_token": csrf, "code": "X1"})
    assert answer.status_code == 422
    assert 'class="staff-nav"' in answer.text and 'href="/admin/stations">返回 · Back' in answer.text
    assert "name is required" in answer.text


def test_every_too_long_or_malformed_field_is_named_and_what_was_typed_never_shown(
    site: TestClient, world: World
) -> None:
    csrf = sign_in(site, world, "admin.one")
    checked: list[tuple[str, str]] = []
    for route in page_forms(site):
        for target in route.dependant.body_params:
            kind = target.field_info.annotation
            limited = kind is str and any(isinstance(m, MaxLen) for m in target.field_info.metadata)
            if kind is not int and not limited:
                continue  # a list of choices (too many is no typing mistake), or a text without a limit
            data = {field.alias: "1" for field in route.dependant.body_params}
            data[target.alias] = TYPED
            answer = site.post(url_of(route), data=data, headers={CSRF_HEADER: csrf})
            where = (route.path, target.alias)
            assert answer.status_code == 422, where
            assert answer.headers["content-type"].startswith("text/html"), where
            assert 'data-code="invalid_request"' in answer.text, where
            assert f"{target.alias} is invalid" in answer.text, where
            assert "13800138000" not in answer.text and "张伟" not in answer.text, where
            checked.append(where)
    assert len(checked) >= 30
    # The over-long fields a fresh tester found answering bare JSON before PageRoute.
    assert {
        ("/admin/users", "username"),
        ("/admin/stations", "name"),
        ("/admin/dispatch/assign", "courier"),
    } <= set(checked)
    assert site.get("/account").status_code == 200


def test_an_htmx_form_error_is_the_problem_fragment(site: TestClient, world: World) -> None:
    csrf = sign_in(site, world, "clerk.ns")
    answer = site.post(
        "/outlet/handover", data={"last4": "1234"}, headers={CSRF_HEADER: csrf, "HX-Request": "true"}
    )
    assert answer.status_code == 422
    assert answer.text.lstrip().startswith('<div class="problem"') and "<html" not in answer.text
    assert "pickup_code is required" in answer.text and "1234" not in answer.text


def test_a_body_that_is_no_readable_form_is_a_400_page(site: TestClient, world: World) -> None:
    csrf = sign_in(site, world, "clerk.ns")
    broken = b'--xyz\r\nContent-Disposition: form-data; name="pickup_code"\r\n\r\n13800138000'  # no end
    answer = site.post(
        "/outlet/handover",
        content=broken,
        headers={CSRF_HEADER: csrf, "Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert answer.status_code in (400, 422), answer.text[:200]
    assert answer.headers["content-type"].startswith("text/html")
    assert "13800138000" not in answer.text
    assert site.get("/outlet").status_code == 200


def test_a_form_error_without_a_session_still_sends_to_sign_in(site: TestClient) -> None:
    answer = site.post("/outlet/handover")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")


def test_the_json_api_keeps_its_json_errors(site: TestClient, world: World) -> None:
    token = site.post("/v1/auth/token", json={"username": "clerk.ns", "password": PASSWORD}).json()
    answer = site.post(
        "/v1/pickup/handover", json={}, headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/json"
    assert answer.json()["code"] == "missing_field" and answer.json()["field"] == "pickup_code"


def test_every_page_form_refuses_a_repeated_field_with_the_html_form_error_and_does_nothing(
    site: TestClient, world: World
) -> None:
    csrf = sign_in(site, world, "admin.one")
    walked = []
    for route in page_forms(site):
        for target in route.dependant.body_params:
            if target.field_info.annotation is not str:
                continue  # a list of choices may repeat; an int field is walked by the str ones beside it
            data = {"csrf_token": csrf, **{field.alias: "1" for field in route.dependant.body_params}}
            answer = site.post(
                url_of(route),
                content=urlencode([*data.items(), (target.alias, TYPED[:11])]),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            where = (route.path, target.alias)
            assert answer.status_code == 422, (where, answer.status_code, answer.text[:200])
            assert answer.headers["content-type"].startswith("text/html"), where
            assert 'data-code="duplicate_field"' in answer.text, where
            assert f"{target.alias} is given more than once" in answer.text, where
            assert "13800138000" not in answer.text, where
            walked.append(where)
    assert {
        ("/track", "tracking_number"),
        ("/admin/users", "username"),
        ("/outlet/handover", "pickup_code"),
    } <= set(walked)
    assert site.get("/account").status_code == 200


def test_a_repeated_csrf_token_is_refused_too_and_a_list_field_may_repeat(
    site: TestClient, world: World
) -> None:
    csrf = sign_in(site, world, "admin.one")
    form = urlencode(
        [("csrf_token", csrf), ("csrf_token", csrf), ("code", "X9"), ("name", "n"), ("district", "1")]
    )
    answer = site.post(
        "/admin/stations", content=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code == 422 and 'data-code="duplicate_field"' in answer.text
    assert "csrf_token is given more than once" in answer.text
    lists = {route.path: repeatable_fields(route) for route in page_forms(site) if repeatable_fields(route)}
    assert lists and all(fields == {"fields"} for fields in lists.values()), lists  # the reveal's choices


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"tracking_number": "SF1234567890123"}', "application/json"),
        (bytes(range(256)), "application/octet-stream"),
        (b"\x00\x01\xfe\xff", None),
    ],
)
def test_a_page_form_sent_as_json_or_binary_answers_the_html_form_page(
    site: TestClient, world: World, body: bytes, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    answer = site.post("/track", content=body, headers=headers)
    assert answer.status_code in (400, 422), answer.text[:200]
    assert answer.headers["content-type"].startswith("text/html")
    assert "<html" in answer.text and "tracking_number is required" in answer.text
    csrf = sign_in(site, world, "clerk.ns")
    answer = site.post("/outlet/handover", content=body, headers={**headers, CSRF_HEADER: csrf})
    assert answer.status_code in (400, 422) and answer.headers["content-type"].startswith("text/html")
    assert site.get("/outlet").status_code == 200


@pytest.mark.parametrize("password", ["\x00" * 20, "correct horse\nbattery", "zzzzzzzzzzzzzzzz"])
def test_the_add_user_page_follows_the_one_password_policy(
    site: TestClient, world: World, sqlite_runtime: Runtime, password: str
) -> None:
    csrf = sign_in(site, world, "admin.one")
    data = {
        "csrf_token": csrf,
        "username": "nul.user",
        "role": "courier",
        "station": "SZ-NS",
        "password": password,
    }
    answer = site.post("/admin/users", data=data)
    assert answer.status_code == 422 and "User added" not in answer.text
    assert 'data-code="invalid_request"' in answer.text and "a password" in answer.text, answer.text[-900:]
    assert site.get("/admin/users").text.count("nul.user") == 0
