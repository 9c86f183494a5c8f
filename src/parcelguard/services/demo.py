"""Demo staff: a station, one person of each role and a few parcels on their way, so that a new user of
``parcelguard demo`` can sign in to the staff pages and try every flow at once.

For a development or demo database only: the caller (``parcelguard demo``) refuses it in production
settings. The passwords are random (``secrets``), made here and returned once for the console; only their
argon2id hashes are stored, like any user's. People and parcels are synthetic
(``domain.pii.synthetic``). Made once: a database that already has the demo station is left as it is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from parcelguard.domain.access import Principal
from parcelguard.domain.organisation import OrganisationKind
from parcelguard.domain.people import STATION_ROLES, Role, User
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services import people
from parcelguard.services.context import ServiceContext
from parcelguard.services.dispatch import assign_courier
from parcelguard.services.issuance import issue_waybill
from parcelguard.services.parcel_events import record_parcel_event

DEMO_STATION = "DEMO-NS"
DEMO_STATION_NAME = "演示网点 · Demo station (南山)"
DEMO_DISTRICT = "440305"  # 深圳市南山区
DEMO_PEOPLE_SEED = 20261130
# One person of each role, in the order the console lists them.
DEMO_STAFF: tuple[tuple[str, Role], ...] = (
    ("demo.admin", Role.ADMIN),
    ("demo.manager", Role.STATION_MANAGER),
    ("demo.courier", Role.COURIER),
    ("demo.clerk", Role.OUTLET_CLERK),
    ("demo.agent", Role.CS_AGENT),
    ("demo.security", Role.SECURITY_OFFICER),
    ("demo.regulator", Role.REGULATOR),
)
OUT_FOR_DELIVERY = 2  # parcels assigned to demo.courier and out for delivery
PASSWORD_BYTES = 12  # 16 URL-safe characters: above the 12-character minimum


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """A demo person's sign-in: ``password`` and ``totp_uri`` (second-factor roles) exist only here."""

    username: str
    role: Role
    password: str
    totp_uri: str | None


@dataclass(frozen=True, slots=True)
class DemoStaff:
    """What ``seed_demo_staff`` made: the people, the parcels out for delivery with demo.courier, and one
    parcel waiting at the demo station's counter with its pickup code (shown this once)."""

    station: str
    people: tuple[DemoPerson, ...]
    out_for_delivery: tuple[str, ...]
    at_counter: str
    pickup_code: str


def demo_staff_exist(ctx: ServiceContext) -> bool:
    """Whether the demo station (and so its people) was made on an earlier run."""
    with ctx.uow() as uow:
        return uow.stations.get_by_code(DEMO_STATION) is not None


def seed_demo_staff(ctx: ServiceContext, *, organisation_id: int, actor: str) -> DemoStaff:
    """The demo station, its seven people and three parcels of ``organisation_id`` (the demo platform):
    two out for delivery with demo.courier, one at the station's counter.

    Raises ConflictError ``station_exists`` / ``user_exists`` when run twice (check
    :func:`demo_staff_exist` first).
    """
    people.add_station(ctx, code=DEMO_STATION, name=DEMO_STATION_NAME, district=DEMO_DISTRICT, actor=actor)
    made: list[DemoPerson] = []
    users: dict[Role, User] = {}
    for username, role in DEMO_STAFF:
        password = secrets.token_urlsafe(PASSWORD_BYTES)
        station = DEMO_STATION if role in STATION_ROLES else None
        user, uri = people.add_user(
            ctx, username=username, role=role, password=password, station_code=station, actor=actor
        )
        users[role] = user
        made.append(DemoPerson(username=username, role=role, password=password, totp_uri=uri))
    manager, courier, clerk = (
        _acting(users[Role.STATION_MANAGER]),
        _acting(users[Role.COURIER]),
        _acting(users[Role.OUTLET_CLERK]),
    )
    synthetic = SyntheticPeople(DEMO_PEOPLE_SEED)
    numbers = [
        issue_waybill(ctx, synthetic.order(), actor=actor, organisation_id=organisation_id).tracking_number
        for _ in range(OUT_FOR_DELIVERY + 1)
    ]
    pickup_code = ""
    for number in numbers:
        record_parcel_event(ctx, number, "picked_up", principal=courier)
        record_parcel_event(ctx, number, "in_transit", principal=manager)
        arrived = record_parcel_event(ctx, number, "at_station", principal=clerk)
        pickup_code = arrived.pickup_code or ""
    for number in numbers[:OUT_FOR_DELIVERY]:
        assign_courier(ctx, number, courier.username or "", principal=manager)
        record_parcel_event(ctx, number, "out_for_delivery", principal=courier)
    return DemoStaff(
        station=DEMO_STATION,
        people=tuple(made),
        out_for_delivery=tuple(numbers[:OUT_FOR_DELIVERY]),
        at_counter=numbers[-1],
        pickup_code=pickup_code,
    )


def _acting(user: User) -> Principal:
    """The demo person as a signed-in principal (no second factor: the steps seeded need none)."""
    return Principal(
        actor=user.actor,
        scopes=user.scopes,
        organisation_id=user.organisation_id,
        organisation_kind=OrganisationKind.CARRIER,
        user_id=user.id,
        username=user.username,
        role=user.role,
        station_id=user.station_id,
        auth_method="token",
    )
