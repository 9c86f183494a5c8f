"""Sign-in with the second factor, lockout, sessions and CSRF, and the administration pages, in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from parcelguard.bootstrap import Runtime
from parcelguard.domain.people import Role
from parcelguard.services import people
from tests.functional.browser.staffing import PASSWORD, Staffing, sign_in, unique

Shot = Callable[[Page, str], Path]

STAFF_PAGES = [
    "/home",
    "/account",
    "/courier",
    "/courier/scan",
    "/outlet",
    "/support",
    "/security/approvals",
    "/admin/stations",
    "/admin/users",
    "/admin/dispatch",
]


@pytest.fixture
def staffing(live_runtime: Runtime) -> Staffing:
    return Staffing(live_runtime)


def test_an_administrator_signs_in_with_a_one_time_code_and_adds_a_station_and_a_courier(
    desk_page: Page, staffing: Staffing, live_runtime: Runtime, screenshot: Shot
) -> None:
    admin = staffing.person(Role.ADMIN)
    page = desk_page
    page.goto("/signin")
    screenshot(page, "signin")
    sign_in(page, admin)
    expect(page).to_have_url("/admin/stations")

    code = unique("NS-").upper()
    page.get_by_label("Station code").fill(code)
    page.get_by_label("Name").fill("南山科技园站")
    page.get_by_label("District").fill("440305")
    page.get_by_role("button", name="Add station").click()
    expect(page.get_by_role("status")).to_contain_text(code)
    expect(page.locator(f'#stations [data-code="{code}"]')).to_contain_text("南山科技园站")
    screenshot(page, "admin-stations")

    page.get_by_role("link", name="Users").click()
    courier = unique("courier.")
    page.get_by_label("Username").fill(courier)
    page.get_by_label("Role").select_option("courier")
    page.get_by_label("站点 · Station").select_option(code)
    page.get_by_label("Initial password").fill(PASSWORD)
    page.get_by_role("button", name="Add user").click()
    expect(page.locator(f'#users [data-username="{courier}"]')).to_contain_text(code)
    created = people.get_user(live_runtime.ctx, courier)
    assert created.role is Role.COURIER and created.station_code == code

    agent = unique("agent.")
    page.get_by_label("Username").fill(agent)
    page.get_by_label("Role").select_option("cs_agent")
    page.get_by_label("Initial password").fill(PASSWORD)
    page.get_by_role("button", name="Add user").click()
    expect(page.locator("#provisioning-uri")).to_contain_text("otpauth://totp/")
    expect(page.get_by_alt_text(f"TOTP set-up QR code for {agent}")).to_be_visible()
    screenshot(page, "admin-users")

    page.reload()  # the provisioning URI is shown once: the next page does not hold it
    expect(page.locator("#provisioning-uri")).to_have_count(0)


def test_an_administrator_disables_and_offboards_users_from_the_users_page(
    desk_page: Page, staffing: Staffing, live_runtime: Runtime
) -> None:
    admin = staffing.person(Role.ADMIN)
    leaving = staffing.person(Role.CS_AGENT)
    gone = staffing.person(Role.COURIER)
    sign_in(desk_page, admin)
    desk_page.goto("/admin/users")

    card = desk_page.locator(f'#users [data-username="{gone.username}"]')
    card.get_by_role("button", name="Disable").click()
    expect(desk_page.get_by_role("status")).to_contain_text(gone.username)
    expect(desk_page.locator(f'#users [data-username="{gone.username}"]')).to_contain_text("disabled")
    assert people.get_user(live_runtime.ctx, gone.username).disabled_at is not None

    card = desk_page.locator(f'#users [data-username="{leaving.username}"]')
    card.get_by_label("Leaving on").fill("2030-01-31")
    card.get_by_role("button", name="Offboard").click()
    expect(desk_page.locator(f'#users [data-username="{leaving.username}"]')).to_contain_text("2030-01-31")
    assert people.get_user(live_runtime.ctx, leaving.username).offboard_from is not None


@pytest.mark.parametrize(("change", "reason"), [("disable", "user_disabled"), ("offboard", "offboarding")])
def test_a_person_disabled_or_offboarded_is_signed_out_of_an_open_page_at_once(
    page: Page, staffing: Staffing, live_runtime: Runtime, change: str, reason: str
) -> None:
    courier = staffing.person(Role.COURIER)
    sign_in(page, courier)
    if change == "disable":
        people.disable_user(live_runtime.ctx, courier.username, actor="test")
    else:
        yesterday = datetime.now(UTC) - timedelta(days=1)
        people.offboard_user(live_runtime.ctx, courier.username, from_=yesterday, actor="test")
    page.goto("/courier")
    expect(page).to_have_url(f"/signin?reason={reason}&next=/courier")
    expect(page.locator(".problem")).to_have_attribute("data-code", reason)


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_every_staff_page_sends_a_visitor_without_a_session_to_sign_in(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None
    expect(page).to_have_url(f"/signin?next={path}")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    desk_page: Page, staffing: Staffing, live_runtime: Runtime, screenshot: Shot
) -> None:
    admin = staffing.person(Role.ADMIN)
    sign_in(desk_page, admin)
    code = unique("CSRF-").upper()
    form = {"code": code, "name": "伪造站", "district": "440305"}

    # The browser's own cookies (pg_session) go with it, as they would with a forged form.
    missing = desk_page.request.post("/admin/stations", form=form)
    wrong = desk_page.request.post("/admin/stations", form={**form, "csrf_token": "not-the-token"})

    for answer in (missing, wrong):
        assert answer.status == 403
        assert 'data-code="csrf_failed"' in answer.text()
    assert code not in {station.code for station in people.list_stations(live_runtime.ctx)}
    desk_page.set_content(missing.text())
    screenshot(desk_page, "csrf-refused")

    # The same form from the page itself (it carries the token) goes through.
    desk_page.goto("/admin/stations")
    desk_page.get_by_label("Station code").fill(code)
    desk_page.get_by_label("Name").fill("真站")
    desk_page.get_by_label("District").fill("440305")
    desk_page.get_by_role("button", name="Add station").click()
    expect(desk_page.get_by_role("status")).to_contain_text(code)


def test_a_sign_in_form_from_elsewhere_is_refused(page: Page, staffing: Staffing) -> None:
    courier = staffing.person(Role.COURIER)
    answer = page.request.post("/signin", form={"username": courier.username, "password": PASSWORD})
    assert answer.status == 403
    assert 'data-code="csrf_failed"' in answer.text()
    assert "pg_session" not in {cookie["name"] for cookie in page.context.cookies()}


def test_repeated_failed_sign_ins_lock_the_account_and_the_page_says_so(
    page: Page, staffing: Staffing, live_runtime: Runtime, screenshot: Shot
) -> None:
    courier = staffing.person(Role.COURIER)
    page.goto("/signin")
    for _ in range(live_runtime.settings.login_max_failures):
        page.get_by_label("Username").fill(courier.username)
        page.get_by_label("Password").fill("wrong password, again")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".problem")).to_have_attribute("data-code", "invalid_credentials")
    # Locked now: even the right password is refused, and the page says why.
    page.get_by_label("Username").fill(courier.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".problem")).to_have_attribute("data-code", "account_locked")
    expect(page.locator(".problem")).to_contain_text("Too many failed sign-ins")
    expect(page.get_by_label("Username")).to_have_value(courier.username)
    expect(page.get_by_label("Password")).to_have_value("")
    screenshot(page, "signin-locked")


def test_a_second_factor_role_is_refused_without_its_one_time_code(page: Page, staffing: Staffing) -> None:
    officer = staffing.person(Role.SECURITY_OFFICER)
    page.goto("/signin")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".problem")).to_have_attribute("data-code", "second_factor_required")
    expect(page).to_have_url("/signin")


def test_signing_out_ends_the_session_on_the_server(page: Page, staffing: Staffing) -> None:
    clerk = staffing.person(Role.OUTLET_CLERK)
    sign_in(page, clerk)
    expect(page).to_have_url("/outlet")
    session = next(c for c in page.context.cookies() if c["name"] == "pg_session")
    assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Strict"
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".notice")).to_contain_text("signed out")
    # The old cookie, put back, no longer opens anything: the session was closed on the server.
    page.context.add_cookies([session])  # type: ignore[list-item]
    page.goto("/outlet")
    expect(page).to_have_url("/signin?reason=unauthenticated&next=/outlet")


def test_a_page_of_another_role_is_refused_in_words(page: Page, staffing: Staffing) -> None:
    courier = staffing.person(Role.COURIER)
    sign_in(page, courier)
    response = page.goto("/admin/users")
    assert response is not None and response.status == 403
    expect(page.locator(".problem")).to_have_attribute("data-code", "forbidden")


def test_a_station_manager_assigns_a_parcel_and_sends_it_out_from_the_dispatch_page(
    desk_page: Page, staffing: Staffing, live_runtime: Runtime, screenshot: Shot
) -> None:
    manager = staffing.person(Role.STATION_MANAGER)
    courier = staffing.person(Role.COURIER, manager.station)
    elsewhere = staffing.person(Role.COURIER)
    parcel = staffing.parcel()
    assert manager.station is not None
    staffing.to_station(parcel, manager.station)

    sign_in(desk_page, manager)
    expect(desk_page).to_have_url("/admin/dispatch")
    couriers = desk_page.get_by_label("快递员 · Courier")
    expect(couriers.locator(f'option[value="{courier.username}"]')).to_have_count(1)
    expect(couriers.locator(f'option[value="{elsewhere.username}"]')).to_have_count(0)  # another station's

    assign = desk_page.get_by_role("form", name="Assign a courier")
    assign.get_by_label("Tracking number").fill(parcel.tracking_number)
    couriers.select_option(courier.username)
    assign.get_by_role("button", name="Assign").click()
    expect(desk_page.get_by_role("status")).to_contain_text(f"Assigned {parcel.tracking_number}")

    step = desk_page.get_by_role("form", name="Record a step")
    step.get_by_label("Tracking number").fill(parcel.tracking_number)
    step.get_by_label("Status").select_option("out_for_delivery")
    step.get_by_role("button", name="Record").click()
    expect(desk_page.get_by_role("status")).to_contain_text("out_for_delivery")
    screenshot(desk_page, "admin-dispatch")

    # A step the parcel cannot take from where it is (out again), refused in words.
    step = desk_page.get_by_role("form", name="Record a step")
    step.get_by_label("Tracking number").fill(parcel.tracking_number)
    step.get_by_label("Status").select_option("out_for_delivery")
    step.get_by_role("button", name="Record").click()
    expect(desk_page.locator(".problem")).to_have_attribute("data-code", "invalid_transition")
