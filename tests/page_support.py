"""Helpers for the staff page tests over HTTP (TestClient, HTTPS so the Secure cookies are kept)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.services.parcel_events import record_parcel_event
from parcelguard.web.app import create_app
from tests.reveal_world import PASSWORD, World

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def page_site(runtime: Runtime, world: World) -> Iterator[TestClient]:
    """The real app over the world's context (its clock), not following redirects."""
    app = create_app(runtime=replace(runtime, ctx=world.ctx))
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def sign_in(site: TestClient, world: World, username: str) -> str:
    """Signs ``username`` in through the form; answers the page session's CSRF token."""
    site.cookies.clear()
    form = site.get("/signin")
    match = CSRF.search(form.text)
    assert match is not None
    data = {"username": username, "password": PASSWORD, "csrf_token": match.group(1)}
    if username in world.secrets:
        data["otp"] = world.ctx.otp.code_at(world.secrets[username], world.clock.now)
    answer = site.post("/signin", data=data)
    assert answer.status_code == 303, answer.text
    page = site.get("/account")
    match = CSRF.search(page.text)
    assert match is not None
    return match.group(1)


def at_counter(world: World) -> tuple[str, str, str]:
    """A parcel waiting at the SZ-NS outlet: its tracking number, pickup code and the mobile's last 4."""
    number = world.issue()
    record_parcel_event(world.ctx, number, "picked_up", principal=world.principal("courier.ns"))
    record_parcel_event(world.ctx, number, "in_transit", principal=world.principal("manager.ns"))
    event = record_parcel_event(world.ctx, number, "at_station", principal=world.principal("clerk.ns"))
    assert event.pickup_code is not None
    return number, event.pickup_code, world.last4(number)


def unknown_codes(known: str, count: int, start: int = 100_000) -> list[str]:
    """``count`` well-formed pickup codes other than ``known``."""
    codes = (f"{n:06d}" for n in range(start, start + count + 1))
    return [code for code in codes if code != known][:count]
