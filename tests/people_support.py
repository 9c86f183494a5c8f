"""Helpers for the tests of people and sign-in: a clock the test moves, a cheaper argon2id, people.

The cheaper hasher is still argon2id (argon2-cffi), with t=1 and 8 MiB instead of t=3 and 64 MiB, so that a
test can sign in dozens of times; one test checks the production parameters (test_people_and_sign_in).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

from parcelguard.adapters.crypto.passwords import Argon2Passwords
from parcelguard.bootstrap import Runtime
from parcelguard.domain.people import Role
from parcelguard.services import people
from parcelguard.services.context import ServiceContext

PASSWORD = "correct horse battery staple"
STATION = "SZ-NS-01"


class Clock:
    """Now, as the test says; starts mid-step so that ±1 TOTP drift never crosses a test's expectations."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 8, 0, 10, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def fast_runtime(runtime: Runtime, clock: Clock | None = None) -> Runtime:
    """The same runtime with a cheaper argon2id and, if given, the test's clock."""
    ctx = replace(runtime.ctx, passwords=Argon2Passwords(time_cost=1, memory_kib=8192, parallelism=1))
    if clock is not None:
        ctx = replace(ctx, clock=clock)
    return replace(runtime, ctx=ctx)


def with_station(ctx: ServiceContext) -> None:
    people.add_station(ctx, code=STATION, name="南山科技园站", district="440305", actor="test")


def add_person(ctx: ServiceContext, username: str, role: Role) -> str | None:
    """Add a user with PASSWORD (at STATION for station roles); the TOTP secret for second-factor roles."""
    station = STATION if role in {Role.COURIER, Role.OUTLET_CLERK, Role.STATION_MANAGER} else None
    _user, uri = people.add_user(
        ctx, username=username, role=role, password=PASSWORD, station_code=station, actor="test"
    )
    return None if uri is None else totp_secret(uri)


def totp_secret(uri: str) -> str:
    return parse_qs(urlparse(uri).query)["secret"][0]
