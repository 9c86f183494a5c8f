"""The customers' access page on a phone: prove control of a parcel with a one-time code, see who accessed
its personal data, download an inclusion proof and check it against the signed checkpoint."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from parcelguard.adapters.db import models as m
from parcelguard.adapters.notify import InMemoryNotifier
from parcelguard.bootstrap import Runtime
from parcelguard.domain import merkle
from parcelguard.domain.access import Principal
from parcelguard.domain.people import Role
from parcelguard.domain.pii import Mobile
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.services import transparency_log
from parcelguard.services.reveal import reveal
from tests.functional.browser.staffing import Parcel, Person, Staffing

Shot = Callable[[Page, str], Path]


@pytest.fixture
def staffing(live_runtime: Runtime) -> Staffing:
    return Staffing(live_runtime)


@pytest.fixture
def sms(live_runtime: Runtime) -> InMemoryNotifier:
    notifier = live_runtime.access.notifier
    assert isinstance(notifier, InMemoryNotifier), "the browser tests' server keeps codes in memory"
    return notifier


def _mobile(parcel: Parcel, party: str = "recipient") -> str:
    return Mobile.parse(str(parcel.order[party]["mobile"])).value


def _courier_reveals(runtime: Runtime, courier: Person, parcel: Parcel) -> None:
    with runtime.ctx.uow() as uow:
        user = uow.users.get(courier.username)
    assert user is not None
    principal = Principal(
        actor=user.actor,
        scopes=user.scopes,
        organisation_id=user.organisation_id,
        user_id=user.id,
        username=user.username,
        role=user.role,
        station_id=user.station_id,
        auth_method="token",
    )
    reveal(
        runtime.ctx,
        principal,
        tracking_number=parcel.tracking_number,
        fields=["recipient.address"],
        purpose="delivery",
        client="10.1.2.3",
    )


def _ask_for_code(page: Page, tracking_number: str, last4: str) -> None:
    page.goto("/access")
    page.get_by_label("Tracking number").fill(tracking_number)
    page.get_by_label("Last 4 digits of your mobile").fill(last4)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", name="Enter the code")).to_be_visible()


def _code_sent(sms: InMemoryNotifier, mobile: str) -> str:
    found = re.search(r"\b([0-9]{6})\b", sms.messages_to(mobile)[-1])
    assert found is not None
    return found.group(1)


def _enter_code(page: Page, code: str) -> None:
    page.get_by_label("验证码 · Code").fill(code)
    page.get_by_role("button", name="Show the accesses").click()


def test_a_recipient_proves_control_sees_the_couriers_reveal_and_checks_its_proof(
    page: Page, staffing: Staffing, live_runtime: Runtime, sms: InMemoryNotifier, screenshot: Shot
) -> None:
    courier = staffing.person(Role.COURIER)
    parcel = staffing.parcel()
    staffing.out_for_delivery(parcel, courier)
    _courier_reveals(live_runtime, courier, parcel)
    mobile = _mobile(parcel)

    page.goto("/access")
    screenshot(page, "customer-access-request")
    _ask_for_code(page, parcel.tracking_number, mobile[-4:])
    screenshot(page, "customer-access-code")
    _enter_code(page, _code_sent(sms, mobile))

    expect(page).to_have_url(re.compile(r"/access/events$"))
    revealed = page.locator("li.card[data-kind='revealed']")
    expect(revealed).to_have_count(1)
    expect(revealed).to_contain_text("Courier")
    expect(revealed).to_contain_text(courier.station or "")
    expect(revealed.locator(".purpose")).to_contain_text("Delivery")
    expect(revealed.locator(".decision")).to_contain_text("Allowed")
    expect(revealed.locator(".staff-alias")).to_have_text(re.compile(r"^[A-Z2-7]{4}-[A-Z2-7]{4}$"))
    expect(page.locator("body")).not_to_contain_text(courier.username)
    screenshot(page, "customer-access-list")

    with page.expect_download() as download_info:
        revealed.get_by_role("button", name="Download proof").click()
    document = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    inclusion = document["inclusion"]
    assert document["access"]["purpose"] == "delivery" and document["access"]["decision"] == "allowed"
    assert courier.username not in json.dumps(document)
    checkpoint = transparency_log.verify_signed(live_runtime.ctx, document["checkpoint"])
    assert checkpoint.size == inclusion["tree_size"]
    assert checkpoint.root_hash.hex() == inclusion["root_hash"]
    merkle.verify_inclusion(
        inclusion["leaf_index"],
        inclusion["tree_size"],
        bytes.fromhex(inclusion["leaf_hash"]),
        [bytes.fromhex(node) for node in inclusion["proof"]],
        checkpoint.root_hash,
    )
    with pytest.raises(merkle.ProofError):  # the same proof for another leaf does not hold
        merkle.verify_inclusion(
            inclusion["leaf_index"],
            inclusion["tree_size"],
            bytes(32),
            [bytes.fromhex(node) for node in inclusion["proof"]],
            checkpoint.root_hash,
        )


def test_a_wrong_code_an_expired_code_and_another_parcel_are_refused(
    page: Page, staffing: Staffing, live_runtime: Runtime, sms: InMemoryNotifier, screenshot: Shot
) -> None:
    courier = staffing.person(Role.COURIER)
    mine = staffing.parcel()
    theirs = staffing.parcel()
    staffing.out_for_delivery(theirs, courier)
    _courier_reveals(live_runtime, courier, theirs)
    mobile = _mobile(mine)

    # A number that does not exist, and digits that are nobody's, get the page a match gets; no code goes out.
    sent_before = len(sms.messages_to(mobile))
    _ask_for_code(page, TrackingNumber.generate("PG").value, mobile[-4:])
    _enter_code(page, "123456")
    expect(page.locator(".problem")).to_have_attribute("data-code", "access_code_invalid")
    assert len(sms.messages_to(mobile)) == sent_before

    # A wrong code, then the right one after its five minutes.
    _ask_for_code(page, mine.tracking_number, mobile[-4:])
    code = _code_sent(sms, mobile)
    _enter_code(page, f"{(int(code) + 1) % 10**6:06d}")
    expect(page.locator(".problem")).to_have_attribute("data-code", "access_code_invalid")
    screenshot(page, "customer-access-wrong-code")
    challenge_id = page.locator("input[name=challenge_id]").input_value()
    with live_runtime.engine.begin() as connection:
        connection.execute(
            update(m.access_challenge)
            .where(m.access_challenge.c.id == challenge_id)
            .values(expires_at=m.access_challenge.c.created_at)
        )
    _enter_code(page, code)
    expect(page.locator(".problem")).to_have_attribute("data-code", "access_code_expired")
    expect(page.get_by_role("button", name="Send me a code")).to_be_visible()

    # A pass for my parcel shows nothing of theirs, and does not prove their accesses.
    _ask_for_code(page, mine.tracking_number, mobile[-4:])
    _enter_code(page, _code_sent(sms, mobile))
    expect(page).to_have_url(re.compile(r"/access/events$"))
    expect(page.locator("h1")).to_contain_text(mine.tracking_number)
    expect(page.locator("li.card[data-kind='revealed']")).to_have_count(0)
    with live_runtime.ctx.uow() as uow:
        foreign = uow.subject_audit.numbered_for_subject(theirs.tracking_number, limit=100)[-1].seq
    form = page.locator("form[action='/access/proof']").first
    form.locator("input[name=seq]").evaluate("(input, seq) => { input.value = seq; }", str(foreign))
    with page.expect_response(re.compile(r"/access/proof$")) as answered:
        form.get_by_role("button").click()
    assert answered.value.status == 404
    assert "attachment" not in (answered.value.headers.get("content-disposition") or "")
