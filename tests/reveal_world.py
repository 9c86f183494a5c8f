"""A small carrier for the dispatch and reveal tests: two stations, one person of each role, waybills, and a
clock the tests move. Synthetic people only."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

from parcelguard.adapters.crypto.passwords import Argon2Passwords
from parcelguard.domain.access import Principal
from parcelguard.domain.people import Role, User
from parcelguard.domain.pii import Mobile
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.reveal_policy import RevealLimits
from parcelguard.services import people
from parcelguard.services.context import ServiceContext
from parcelguard.services.issuance import issue_waybill

PASSWORD = "correct horse battery staple"
START = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in China
LIMITS = RevealLimits(grace=timedelta(hours=24), daily_quota=2, daily_ceiling=4, notice_bulk_threshold=3)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class World:
    ctx: ServiceContext
    clock: Clock
    users: dict[str, User] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)  # TOTP secrets of second-factor roles
    orders: dict[str, dict[str, object]] = field(default_factory=dict)

    def principal(self, username: str, *, second_factor: bool = True) -> Principal:
        """The principal a signed-in person's token carries (second factor as the role needs)."""
        user = self.users[username]
        return Principal(
            actor=user.actor,
            scopes=user.scopes,
            organisation_id=user.organisation_id,
            user_id=user.id,
            username=user.username,
            role=user.role,
            station_id=user.station_id,
            second_factor=second_factor and user.needs_second_factor,
            offboard_from=user.offboard_from,
            auth_method="token",
        )

    def issue(self, seed: int = 11) -> str:
        order = SyntheticPeople(seed).order()
        number = issue_waybill(self.ctx, order, actor="test").tracking_number
        self.orders[number] = order
        return number

    def recipient(self, number: str) -> dict[str, str]:
        party = self.orders[number]["recipient"]
        assert isinstance(party, dict)
        return {str(k): str(v) for k, v in party.items()}

    def last4(self, number: str) -> str:
        return Mobile.parse(self.recipient(number)["mobile"]).last4


STAFF = {
    "admin.one": (Role.ADMIN, None),
    "manager.ns": (Role.STATION_MANAGER, "SZ-NS"),
    "courier.ns": (Role.COURIER, "SZ-NS"),
    "courier.two": (Role.COURIER, "SZ-NS"),
    "courier.ft": (Role.COURIER, "SZ-FT"),
    "clerk.ns": (Role.OUTLET_CLERK, "SZ-NS"),
    "clerk.ft": (Role.OUTLET_CLERK, "SZ-FT"),
    "agent.one": (Role.CS_AGENT, None),
    "agent.two": (Role.CS_AGENT, None),
    "officer.one": (Role.SECURITY_OFFICER, None),
    "regulator.one": (Role.REGULATOR, None),
}


def build_world(ctx: ServiceContext, only: tuple[str, ...] | None = None) -> World:
    """Stations SZ-NS (南山) and SZ-FT (福田) and the STAFF (or ``only`` those), on a fake clock."""
    clock = Clock()
    # argon2id at its cheapest: these tests are about reveals, and eleven users at 0.15 s each add up
    cheap = Argon2Passwords(time_cost=1, memory_kib=8192, parallelism=1)
    world = World(ctx=replace(ctx, clock=clock, reveal_limits=LIMITS, passwords=cheap), clock=clock)
    people.add_station(world.ctx, code="SZ-NS", name="南山科技园网点", district="440305", actor="test")
    people.add_station(world.ctx, code="SZ-FT", name="福田中心网点", district="440304", actor="test")
    for username, (role, station) in STAFF.items():
        if only is not None and username not in only:
            continue
        user, uri = people.add_user(
            world.ctx, username=username, role=role, password=PASSWORD, station_code=station, actor="test"
        )
        world.users[username] = user
        if uri is not None:
            world.secrets[username] = parse_qs(urlparse(uri).query)["secret"][0]
    return world
