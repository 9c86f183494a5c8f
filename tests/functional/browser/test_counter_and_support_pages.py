"""The outlet counter, customer service (masked search, reveal with a ticket, break-glass), its approval."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from parcelguard.bootstrap import Runtime
from parcelguard.domain.people import Role
from parcelguard.domain.pii import Mobile
from parcelguard.services.tracking import track_parcel
from tests.functional.browser.staffing import Staffing, sign_in

Shot = Callable[[Page, str], Path]


@pytest.fixture
def staffing(live_runtime: Runtime) -> Staffing:
    return Staffing(live_runtime)


def test_an_outlet_clerk_hands_a_parcel_over_on_its_pickup_code_and_the_last_four_digits(
    page: Page, staffing: Staffing, live_runtime: Runtime, screenshot: Shot
) -> None:
    clerk = staffing.person(Role.OUTLET_CLERK)
    assert clerk.station is not None
    parcel = staffing.parcel()
    code = staffing.to_station(parcel, clerk.station)
    wrong = f"{(int(parcel.last4) + 1) % 10000:04d}"

    sign_in(page, clerk)
    expect(page).to_have_url("/outlet")
    screenshot(page, "outlet")
    page.get_by_label("Pickup code").fill(code)
    page.get_by_label("Last 4 digits").fill(wrong)
    page.get_by_role("button", name="Check and hand over").click()
    expect(page.locator(".problem")).to_have_attribute("data-code", "pickup_verification_failed")
    screenshot(page, "outlet-refused")

    page.get_by_label("Pickup code").fill(code)
    page.get_by_label("Last 4 digits").fill(parcel.last4)
    page.get_by_role("button", name="Check and hand over").click()
    handed = page.locator("#handed")
    expect(handed).to_have_attribute("data-tracking-number", parcel.tracking_number)
    expect(handed).to_contain_text("*")  # the clerk sees the masked view only
    full_mobile = Mobile.parse(str(parcel.order["recipient"]["mobile"])).value
    expect(page.locator("main")).not_to_contain_text(full_mobile)
    screenshot(page, "outlet-handed-over")

    view = track_parcel(live_runtime.ctx, live_runtime.track_limiter, parcel.tracking_number, client="test")
    assert view.status == "delivered"


def test_customer_service_finds_masked_waybills_reveals_against_a_ticket_and_asks_for_break_glass(
    desk_page: Page,
    new_page: Callable[[str], Page],
    staffing: Staffing,
    screenshot: Shot,
) -> None:
    agent = staffing.person(Role.CS_AGENT)
    officer = staffing.person(Role.SECURITY_OFFICER)
    first, second = staffing.parcel(), staffing.parcel()
    mobile = str(second.order["recipient"]["mobile"])
    full_mobile = Mobile.parse(mobile).value

    page = desk_page
    sign_in(page, agent)
    expect(page).to_have_url("/support")

    # By mobile (through the blind index): masked results, never the number searched for.
    page.get_by_label("Tracking number or mobile").fill(mobile)
    page.get_by_role("button", name="Search").click()
    card = page.locator(f'#search-results [data-tracking-number="{second.tracking_number}"]')
    expect(card).to_contain_text("*")
    expect(page.locator("#results")).not_to_contain_text(full_mobile)
    screenshot(page, "support-search")

    # By tracking number; the day's quota (1 in these tests) allows one reveal, with a ticket and purpose.
    page.get_by_label("Tracking number or mobile").fill(first.tracking_number)
    page.get_by_role("button", name="Search").click()
    card = page.locator(f'#search-results [data-tracking-number="{first.tracking_number}"]')
    _reveal(card, ticket="CS-20261130-0042")
    expect(card.locator('[data-field="recipient.mobile"]')).to_have_text(
        Mobile.parse(str(first.order["recipient"]["mobile"])).value
    )
    screenshot(page, "support-reveal")

    # The second reveal of the day needs a security officer's approval: ask for it from the refusal.
    page.get_by_label("Tracking number or mobile").fill(second.tracking_number)
    page.get_by_role("button", name="Search").click()
    card = page.locator(f'#search-results [data-tracking-number="{second.tracking_number}"]')
    _reveal(card, ticket="CS-20261130-0043")
    expect(card.locator(".problem")).to_have_attribute("data-code", "approval_required")
    card.get_by_role("button", name="Ask a security officer").click()
    requested = card.locator("[data-grant-id]")
    expect(requested).to_contain_text("sent to security")
    grant_id = requested.get_attribute("data-grant-id")
    screenshot(page, "support-break-glass")

    # The agent cannot approve it; a security officer, signed in on their own device, can.
    approvals = page.request.get("/security/approvals")
    assert approvals.status == 403
    desk = new_page("desk")
    sign_in(desk, officer)
    expect(desk).to_have_url("/security/approvals")
    request_card = desk.locator(f'#pending [data-grant-id="{grant_id}"]')
    expect(request_card).to_contain_text(second.tracking_number)
    expect(request_card).to_contain_text(agent.username)
    screenshot(desk, "security-approvals")
    request_card.get_by_role("button", name="Approve").click()
    expect(desk.get_by_role("status")).to_contain_text(f"#{grant_id}")
    expect(desk.locator(f'#pending [data-grant-id="{grant_id}"]')).to_have_count(0)

    # Now the same reveal goes through, under the approval.
    card.locator("details").last.locator("summary").click()
    card.locator("details").last.get_by_role("button", name="Reveal").click()
    expect(card.locator('[data-field="recipient.mobile"]')).to_have_text(full_mobile)


def _reveal(card: Locator, *, ticket: str) -> None:
    details = card.locator("details").first
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    details.get_by_label("Recipient's mobile").check()
    details.get_by_label("Ticket").fill(ticket)
    details.get_by_label("Purpose").select_option("customer_request")
    details.get_by_role("button", name="Reveal").click()


def test_a_regulator_reveals_on_a_legal_request_and_sees_their_account(
    desk_page: Page, staffing: Staffing, screenshot: Shot
) -> None:
    regulator = staffing.person(Role.REGULATOR)
    parcel = staffing.parcel()
    sign_in(desk_page, regulator)
    expect(desk_page).to_have_url("/support")
    desk_page.get_by_label("Tracking number or mobile").fill(parcel.tracking_number)
    desk_page.get_by_role("button", name="Search").click()
    card = desk_page.locator(f'#search-results [data-tracking-number="{parcel.tracking_number}"]')
    details = card.locator("details").first
    details.locator("summary").click()
    details.get_by_label("Recipient's mobile").check()
    details.get_by_label("Ticket").fill("REG-2026-0007")
    details.get_by_label("Purpose").select_option("legal_request")
    details.get_by_role("button", name="Reveal").click()
    expect(card.locator('[data-field="recipient.mobile"]')).to_have_text(
        Mobile.parse(str(parcel.order["recipient"]["mobile"])).value
    )

    desk_page.locator(".staff-nav .who").click()
    expect(desk_page).to_have_url("/account")
    expect(desk_page.locator("main")).to_contain_text("passed")  # signed in with the second factor
    screenshot(desk_page, "account")
