"""The public tracking page in a phone's browser: status history, the destination only with the last 4."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from parcelguard.bootstrap import Runtime
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.issuance import issue_waybill
from tests.functional.browser.conftest import PHONE, WatchedContext


def test_a_visitor_tracks_a_parcel_and_sees_its_destination_after_giving_the_last_four_digits(
    page: Page, live_runtime: Runtime, screenshot: Callable[[Page, str], Path]
) -> None:
    order = SyntheticPeople(seed="browser-tracking").order()
    issued = issue_waybill(live_runtime.ctx, order, actor="test")
    last4 = "".join(ch for ch in order["recipient"]["mobile"] if ch.isdigit())[-4:]

    page.goto("/")
    page.get_by_label("Tracking number").fill(issued.tracking_number)
    page.get_by_role("button", name="Track").click()
    expect(page.locator("#result h2")).to_contain_text(issued.tracking_number)
    expect(page.locator("#result")).not_to_contain_text("Destination")

    page.get_by_label("Last 4 digits").fill(last4)
    page.get_by_role("button", name="Track").click()
    expect(page.locator("#result")).to_contain_text("Destination")
    screenshot(page, "public-tracking")


def test_the_pages_run_no_inline_script_and_the_harness_notices_when_one_is_tried(
    browser: Browser, live_server: str
) -> None:
    context = WatchedContext(browser, live_server, PHONE)
    page = context.new_page()
    page.goto("/signin")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.append(s); }"
    )
    assert page.evaluate("window.ran") is None, "the Content-Security-Policy blocks inline scripts"
    page.wait_for_timeout(100)
    assert any("Content Security Policy" in error for error in context.errors)
    context.errors.clear()  # expected here; every other test fails on such an error
    context.close()
