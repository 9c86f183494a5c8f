"""A page form sent with a field the page would not have let through (a hand-edited form, an old page):
the browser shows a page in the person's layout naming the field, not FastAPI's JSON, and what was typed
is not on it; the person is still signed in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from parcelguard.bootstrap import Runtime
from parcelguard.domain.people import Role
from tests.functional.browser.staffing import Staffing, sign_in

Shot = Callable[[Page, str], Path]
TYPED = "13800138000"  # a synthetic mobile, where the last 4 digits go


@pytest.fixture
def staffing(live_runtime: Runtime) -> Staffing:
    return Staffing(live_runtime)


def test_a_form_with_a_malformed_field_shows_a_page_naming_it_and_keeps_the_clerk_signed_in(
    page: Page, staffing: Staffing, screenshot: Shot
) -> None:
    clerk = staffing.person(Role.OUTLET_CLERK)
    sign_in(page, clerk)
    expect(page).to_have_url("/outlet")
    # What the page's own checks (required, maxlength, pattern) would have stopped, sent as a browser would.
    page.locator("form[action='/outlet/handover'] input").evaluate_all(
        "inputs => inputs.forEach(i => { i.removeAttribute('required'); i.removeAttribute('maxlength');"
        " i.removeAttribute('pattern'); })"
    )
    page.get_by_label("Pickup code").fill("123456")
    page.get_by_label("Last 4 digits").fill(TYPED * 3)
    page.get_by_role("button", name="Check and hand over").click()
    problem = page.locator(".problem")
    expect(problem).to_have_attribute("data-code", "invalid_request")
    expect(problem).to_contain_text("last4 is invalid")
    expect(page.locator(".staff-nav .who")).to_contain_text(clerk.username)
    expect(page.locator("main")).not_to_contain_text(TYPED)
    screenshot(page, "form-invalid")
    page.get_by_role("link", name="返回 · Back").click()
    expect(page).to_have_url("/outlet")
    expect(page.get_by_label("Pickup code")).to_be_visible()
