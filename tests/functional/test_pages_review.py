"""Security review of issue 10, the staff pages over HTTP (no browser): each finding's regression test."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.domain.organisation import OrganisationKind
from parcelguard.domain.people import Role
from parcelguard.services import people
from parcelguard.services.organisations import add_organisation
from tests.page_support import page_site, sign_in
from tests.reveal_world import PASSWORD, World, build_world


@pytest.fixture
def world(sqlite_runtime: Runtime) -> World:
    return build_world(sqlite_runtime.ctx)


@pytest.fixture
def site(sqlite_runtime: Runtime, world: World) -> Iterator[TestClient]:
    with page_site(sqlite_runtime, world) as client:
        yield client


def add_platform_person(world: World, username: str, role: Role) -> None:
    shop = add_organisation(world.ctx, actor="t", name="shop", kind=OrganisationKind.PLATFORM)
    user, uri = people.add_user(
        world.ctx, username=username, role=role, password=PASSWORD, organisation_id=shop.id, actor="t"
    )
    world.users[username] = user
    if uri is not None:
        world.secrets[username] = uri.split("secret=")[1].split("&")[0]


def test_a_platforms_admin_changes_none_of_the_carriers_people_stations_or_dispatch(
    site: TestClient, world: World
) -> None:
    add_platform_person(world, "shop.admin", Role.ADMIN)
    csrf = sign_in(site, world, "shop.admin")
    new_courier = {"username": "planted", "role": "courier", "password": PASSWORD, "station": "SZ-NS"}
    for path, form in (
        ("/admin/users", new_courier),
        ("/admin/users/courier.ns/disable", {}),
        ("/admin/users/courier.ns/offboard", {"from": "2026-12-01"}),
        ("/admin/stations", {"code": "EVIL", "name": "x", "district": "440305"}),
        ("/admin/dispatch/assign", {"tracking_number": world.issue(), "courier": "courier.ns"}),
    ):
        answer = site.post(path, data={**form, "csrf_token": csrf})
        assert answer.status_code == 403, (path, answer.status_code)
    for path in ("/admin/users", "/admin/stations", "/admin/dispatch", "/outlet", "/courier"):
        assert site.get(path).status_code == 403, path
    assert site.get("/home").headers["location"] == "/account"
    assert [u.username for u in people.list_users(world.ctx) if u.username == "planted"] == []
    courier = people.get_user(world.ctx, "courier.ns")
    assert courier.disabled_at is None and courier.offboard_from is None
    assert [s.code for s in people.list_stations(world.ctx)] == ["SZ-FT", "SZ-NS"]


def test_an_approval_of_a_grant_id_beyond_any_row_is_not_found(site: TestClient, world: World) -> None:
    csrf = sign_in(site, world, "officer.one")
    for grant_id in ("0", str(2**31), "99999999999999999999"):
        answer = site.post(f"/security/approvals/{grant_id}/approve", data={"csrf_token": csrf})
        assert answer.status_code == 404, (grant_id, answer.status_code)


def test_no_form_puts_what_it_asks_for_in_a_url(site: TestClient, world: World) -> None:
    """A form without method is a GET: without JavaScript (or before htmx loads, it is deferred) the
    tracking page sent the last 4 digits of a mobile in the URL, into access logs and history."""
    pages = {"/": site.get("/").text, "/signin": site.get("/signin").text}
    for username, path in (
        ("courier.ns", "/courier/scan"),
        ("agent.one", "/support"),
        ("admin.one", "/admin/users"),
    ):
        sign_in(site, world, username)
        pages[path] = site.get(path).text
    for path, html in pages.items():
        forms = re.findall(r"<form\b[^>]*>", html)
        assert forms, path
        assert all('method="post"' in form for form in forms), (path, forms)


def test_a_new_user_finds_the_staff_sign_in_from_the_home_page(site: TestClient) -> None:
    assert 'href="/signin"' in site.get("/").text
