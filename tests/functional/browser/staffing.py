"""People, stations and parcels for the browser tests, made through the services (synthetic people only).

Every name is unique (a counter per session plus a random part), so tests sharing the one live server never
see each other's data. A parcel's earlier steps are recorded by the carrier's operator (an admin principal,
as the CLI is); what the test is about is then done by a person in the browser.
"""

from __future__ import annotations

import io
import itertools
import secrets
from dataclasses import dataclass
from typing import Any

import pyotp
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Principal, Scope
from parcelguard.domain.people import STATION_ROLES, Role
from parcelguard.domain.pii import Mobile
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services import people
from parcelguard.services.dispatch import assign_courier
from parcelguard.services.issuance import issue_waybill
from parcelguard.services.labels import render_label
from parcelguard.services.parcel_events import record_parcel_event

PASSWORD = "correct horse battery staple"
OPERATOR = Principal(actor="cli:test-operator", scopes=frozenset({Scope.ADMIN}))
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter):03d}{secrets.token_hex(2)}"


@dataclass(frozen=True)
class Person:
    username: str
    role: Role
    station: str | None
    totp_secret: str | None

    def otp(self) -> str:
        """The code the person's authenticator shows now."""
        return pyotp.TOTP(self.totp_secret).now() if self.totp_secret else ""


@dataclass(frozen=True)
class Parcel:
    tracking_number: str
    order: dict[str, Any]

    @property
    def last4(self) -> str:
        return Mobile.parse(str(self.order["recipient"]["mobile"])).last4


class Staffing:
    """Makes what a test needs on the live runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.ctx = runtime.ctx

    def station(self) -> str:
        code = unique("T-").upper()
        people.add_station(self.ctx, code=code, name=f"测试站 {code}", district="440305", actor="test")
        return code

    def person(self, role: Role, station: str | None = None) -> Person:
        if role in STATION_ROLES and station is None:
            station = self.station()
        username = unique(f"{role.value.replace('_', '')[:8]}.")
        _user, uri = people.add_user(
            self.ctx, username=username, role=role, password=PASSWORD, station_code=station, actor="test"
        )
        secret = pyotp.parse_uri(uri).secret if uri else None
        return Person(username=username, role=role, station=station, totp_secret=secret)

    def parcel(self) -> Parcel:
        order = SyntheticPeople(unique("seed-")).order()
        issued = issue_waybill(self.ctx, order, actor="test")
        return Parcel(issued.tracking_number, order)

    def to_station(self, parcel: Parcel, station: str) -> str:
        """Picked up, in transit, at ``station``: the pickup code the recipient is sent."""
        for status in ("picked_up", "in_transit"):
            record_parcel_event(self.ctx, parcel.tracking_number, status, principal=OPERATOR)
        arrived = record_parcel_event(
            self.ctx, parcel.tracking_number, "at_station", station_code=station, principal=OPERATOR
        )
        assert arrived.pickup_code is not None
        return arrived.pickup_code

    def out_for_delivery(self, parcel: Parcel, courier: Person) -> None:
        assert courier.station is not None
        self.to_station(parcel, courier.station)
        assign_courier(self.ctx, parcel.tracking_number, courier.username, principal=OPERATOR)
        record_parcel_event(self.ctx, parcel.tracking_number, "out_for_delivery", principal=OPERATOR)

    def label_qr_text(self, parcel: Parcel) -> str:
        """What a camera reads from the printed label's QR code (the PNG label, decoded by zxing-cpp)."""
        png = render_label(self.ctx, parcel.tracking_number, "png", principal=OPERATOR)
        decoded = {r.format.name: r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))}
        return decoded["QRCode"]


def sign_in(page: Page, person: Person, *, password: str = PASSWORD) -> None:
    """Signs ``person`` in through the sign-in page and waits for their first page."""
    page.goto("/signin")
    page.get_by_label("Username").fill(person.username)
    page.get_by_label("Password").fill(password)
    if person.totp_secret:
        page.get_by_label("One-time code").fill(person.otp())
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".staff-nav .who")).to_contain_text(person.username)
