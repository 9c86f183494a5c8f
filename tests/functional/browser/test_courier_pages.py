"""The courier's phone: deliveries, reveal of an assigned parcel, refusal of another's, scanning a label."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from parcelguard.bootstrap import Runtime
from parcelguard.domain.people import Role
from parcelguard.domain.pii import Mobile
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services import people
from parcelguard.services.audit_events import list_audit_events
from parcelguard.services.dispatch import assign_courier
from tests.functional.browser.conftest import PHONE, WatchedContext
from tests.functional.browser.staffing import OPERATOR, Parcel, Person, Staffing, sign_in

Shot = Callable[[Page, str], Path]

# A camera that "sees" a given QR code: the browser's BarcodeDetector answers what a real one would read
# from the printed label (the tests decode the real PNG label with zxing-cpp), and getUserMedia gets
# Chromium's fake camera. Everything after detection is the page's own script (static/scan.js).
_FAKE_DETECTOR = """
window.BarcodeDetector = class {
  static async getSupportedFormats() { return ["qr_code"]; }
  constructor(options) { this.formats = options.formats; }
  async detect(source) { return [{ rawValue: %s, format: "qr_code" }]; }
};
"""


@pytest.fixture
def staffing(live_runtime: Runtime) -> Staffing:
    return Staffing(live_runtime)


def _recipient(parcel: Parcel) -> dict[str, str]:
    return {key: str(value) for key, value in parcel.order["recipient"].items()}


def _out_for(staffing: Staffing, courier: Person) -> Parcel:
    parcel = staffing.parcel()
    staffing.out_for_delivery(parcel, courier)
    return parcel


def test_a_courier_sees_the_address_and_a_call_link_only_for_a_parcel_assigned_to_them(
    page: Page, staffing: Staffing, live_runtime: Runtime, screenshot: Shot
) -> None:
    courier = staffing.person(Role.COURIER)
    colleague = staffing.person(Role.COURIER, courier.station)
    mine = _out_for(staffing, courier)
    theirs = _out_for(staffing, colleague)

    sign_in(page, courier)
    expect(page).to_have_url("/courier")
    card = page.locator(f'#deliveries [data-tracking-number="{mine.tracking_number}"]')
    expect(card).to_contain_text("*")  # masked until revealed
    expect(page.locator(f'[data-tracking-number="{theirs.tracking_number}"]')).to_have_count(0)
    screenshot(page, "courier-deliveries")

    card.get_by_role("button", name="Show address and phone").click()
    revealed = card.locator(".revealed")
    mobile = Mobile.parse(_recipient(mine)["mobile"]).value
    expect(revealed.get_by_role("link", name="Call the recipient")).to_have_attribute("href", f"tel:{mobile}")
    expect(revealed.locator(".address")).not_to_contain_text("*")
    screenshot(page, "courier-reveal")

    # Another courier's parcel, typed in by its tracking number: refused, in words, and recorded.
    page.get_by_role("navigation").get_by_role("link", name="Scan").click()
    page.get_by_label("or tracking number").fill(theirs.tracking_number)
    page.get_by_role("button", name="Show address and phone").click()
    problem = page.locator("#reveal-result .problem")
    expect(problem).to_have_attribute("data-code", "not_assigned")
    expect(problem).to_contain_text("not assigned to you")
    expect(page.locator("#reveal-result .revealed")).to_have_count(0)
    screenshot(page, "courier-refused")

    events = list_audit_events(
        live_runtime.ctx, principal=OPERATOR, subject=theirs.tracking_number, actor=courier.username
    )
    assert [(e.details.get("decision"), e.details.get("reason")) for e in events] == [
        ("refused", "not_assigned")
    ]


def test_a_courier_scans_a_label_with_the_camera_and_a_forged_code_is_refused(
    browser: Browser, live_server: str, staffing: Staffing, screenshot: Shot
) -> None:
    courier = staffing.person(Role.COURIER)
    parcel = _out_for(staffing, courier)
    qr_text = staffing.label_qr_text(parcel)

    context = WatchedContext(browser, live_server, PHONE, permissions=["camera"])
    context.context.add_init_script(_FAKE_DETECTOR % json.dumps(qr_text))
    try:
        page = context.new_page()
        sign_in(page, courier)
        page.goto("/courier/scan")
        page.get_by_role("button", name="Scan with the camera").click()
        revealed = page.locator("#reveal-result .revealed")
        expect(revealed).to_have_attribute("data-tracking-number", parcel.tracking_number)
        expect(revealed.get_by_role("link", name="Call the recipient")).to_be_visible()
        screenshot(page, "courier-scan")

        # A code altered by one character (a forged or photographed-and-edited label) is no token.
        forged = qr_text[:-1] + ("A" if qr_text[-1] != "A" else "B")
        page.get_by_label("Code under the QR code").fill(forged)
        page.get_by_role("button", name="Show address and phone").click()
        expect(page.locator("#reveal-result .problem")).to_have_attribute("data-code", "token_invalid")
    finally:
        context.close()


def test_without_barcode_detection_the_scan_page_asks_for_the_code_and_reveals_by_it(
    page: Page, staffing: Staffing
) -> None:
    courier = staffing.person(Role.COURIER)
    parcel = _out_for(staffing, courier)
    sign_in(page, courier)
    page.goto("/courier/scan")
    assert not page.evaluate("'BarcodeDetector' in window")  # headless Linux Chromium has none
    expect(page.locator("#scan-status")).to_contain_text("type the code")
    expect(page.get_by_role("button", name="Scan with the camera")).to_be_hidden()

    page.get_by_label("Code under the QR code").fill(staffing.label_qr_text(parcel))
    page.get_by_role("button", name="Show address and phone").click()
    expect(page.locator("#reveal-result .revealed")).to_have_attribute(
        "data-tracking-number", parcel.tracking_number
    )


def test_a_parcel_not_yet_out_for_delivery_stays_hidden_from_its_courier(
    page: Page, staffing: Staffing
) -> None:
    courier = staffing.person(Role.COURIER)
    parcel = staffing.parcel()
    assert courier.station is not None
    staffing.to_station(parcel, courier.station)
    assign_courier(staffing.ctx, parcel.tracking_number, courier.username, principal=OPERATOR)
    sign_in(page, courier)
    card = page.locator(f'#deliveries [data-tracking-number="{parcel.tracking_number}"]')
    card.get_by_role("button", name="Show address and phone").click()
    expect(card.locator(".problem")).to_have_attribute("data-code", "outside_window")


def test_a_courier_disabled_while_the_page_is_open_is_sent_to_sign_in_by_the_next_reveal(
    page: Page, staffing: Staffing, live_runtime: Runtime
) -> None:
    courier = staffing.person(Role.COURIER)
    parcel = _out_for(staffing, courier)
    sign_in(page, courier)
    card = page.locator(f'#deliveries [data-tracking-number="{parcel.tracking_number}"]')
    expect(card).to_be_visible()
    people.disable_user(live_runtime.ctx, courier.username, actor="test")

    card.get_by_role("button", name="Show address and phone").click()  # an htmx request: HX-Redirect
    expect(page).to_have_url("/signin?reason=user_disabled")
    expect(page.locator(".problem")).to_have_attribute("data-code", "user_disabled")
    events = list_audit_events(live_runtime.ctx, principal=OPERATOR, subject=parcel.tracking_number)
    assert not [event for event in events if event.actor == f"user:{courier.username}"]


def test_at_pickup_a_courier_checks_the_senders_id_and_hears_only_match_or_no_match(
    page: Page, staffing: Staffing, screenshot: Shot
) -> None:
    courier = staffing.person(Role.COURIER)
    parcel = staffing.parcel()
    registered = str(parcel.order["sender"]["id_number"])
    other = SyntheticPeople("another sender").resident_id()
    assert other != registered
    sign_in(page, courier)
    page.get_by_role("navigation").get_by_role("link", name="ID check").click()

    for typed, verdict in ((other, "false"), (registered, "true")):
        page.get_by_label("Tracking number").fill(parcel.tracking_number)
        page.get_by_label("Document number").fill(typed)
        page.get_by_role("button", name="Check").click()
        expect(page.locator("#verdict")).to_have_attribute("data-match", verdict)
        expect(page.locator("main")).not_to_contain_text(registered)
        expect(page.locator("main")).not_to_contain_text(other)
    screenshot(page, "courier-id-check")
