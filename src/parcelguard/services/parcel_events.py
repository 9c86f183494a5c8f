"""Recording a step of a parcel's life: who recorded it, where, when; a pickup code when it reaches a station.

The rules of which status follows which and who may record it are domain.parcel_lifecycle; this use case
adds what needs the database: station users record at their own station only, a courier delivers only
what is assigned to them, and a parcel reaching a station gets a fresh pickup code (six digits, stored only
as a keyed digest, answered once so it can be sent to the recipient). Leaving the station ends its codes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from parcelguard.domain.access import Principal
from parcelguard.domain.parcel_lifecycle import NEEDS_STATION, check_transition, parse_status
from parcelguard.domain.people import STATION_ROLES, Role, Station, parse_station_code
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.domain.waybill import TrackingEvent, WaybillStatus
from parcelguard.errors import ErrorCode, NotFoundError, PermissionDeniedError, ValidationError
from parcelguard.services.audit_events import (
    PARCEL_EVENT_RECORDED,
    Circumstances,
    person_event,
    station_code_of,
)
from parcelguard.services.context import ServiceContext
from parcelguard.services.dispatch import last_station
from parcelguard.services.parcel_numbers import on_parcel_status
from parcelguard.services.ports import UnitOfWork
from parcelguard.services.staff import acting_role
from parcelguard.services.unseal import get_sealed

PICKUP_CODE_DIGITS = 6
PICKUP_INDEX_KIND = "pickup_code"
_COURIER_OWN_STEPS = frozenset({WaybillStatus.OUT_FOR_DELIVERY, WaybillStatus.DELIVERED})


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """The step recorded; ``pickup_code`` only when the parcel reached a station (shown this once)."""

    tracking_number: str
    status: str
    occurred_at: datetime
    actor: str
    station: str | None
    pickup_code: str | None = None


def pickup_digest(ctx: ServiceContext, station_id: int, code: str) -> bytes:
    """The keyed digest a pickup code is stored and found by: codes are per station."""
    return ctx.index.digest(PICKUP_INDEX_KIND, f"{station_id}:{code}")


def record_parcel_event(
    ctx: ServiceContext,
    tracking_number: str,
    status: object,
    *,
    station_code: str | None = None,
    principal: Principal,
    client: str | None = None,
) -> RecordedEvent:
    """Move a parcel to ``status`` (at ``station_code``, required for ``at_station``).

    Errors: ValidationError ``invalid_request`` (status, station), ``missing_field`` (station),
    ``invalid_transition`` (409); PermissionDeniedError ``role_not_allowed``, ``station_mismatch`` (a
    station user at another station, or sending out for delivery a parcel that is at another station),
    ``not_assigned`` (a courier delivering another's parcel), the person
    checks; NotFoundError ``waybill_not_found``, ``station_not_found``.
    """
    number = TrackingNumber.parse(tracking_number).value
    new = parse_status(status)
    code = _station_code(station_code) if station_code is not None else None
    now = ctx.clock()
    with ctx.uow() as uow:
        role = acting_role(uow, principal, now)
        sealed = get_sealed(uow, number, principal=principal)
        check_transition(sealed.status, new, role)
        station = _station(uow, principal, role, code)
        if new in NEEDS_STATION and station is None:
            raise ValidationError(
                f"a parcel {new.value} names its station", code=ErrorCode.MISSING_FIELD, field="station"
            )
        if new is WaybillStatus.OUT_FOR_DELIVERY and role in STATION_ROLES:
            here = last_station(uow, sealed.id)
            if station is None or here != station.code:
                raise PermissionDeniedError(
                    "a parcel goes out for delivery from the station it is at",
                    code=ErrorCode.STATION_MISMATCH,
                )
        if role is Role.COURIER and new in _COURIER_OWN_STEPS:
            assignment = uow.dispatch.get(sealed.id)
            if assignment is None or assignment.courier_id != principal.user_id:
                raise PermissionDeniedError(
                    "this waybill is not assigned to this courier", code=ErrorCode.NOT_ASSIGNED
                )
        event = TrackingEvent(
            status=new, occurred_at=now, location=station.name if station else "", actor=principal.actor
        )
        uow.parcel_events.add(sealed.id, event, station_id=station.id if station else None)
        on_parcel_status(ctx, uow, sealed, new, now=now, actor=principal.actor)  # number's grace (issue 12)
        uow.pickup_codes.retire_for(sealed.id, now)
        pickup_code = _new_pickup_code(ctx, uow, sealed.id, station, now) if new in NEEDS_STATION else None
        circumstances = Circumstances(client=client, station_code=station_code_of(uow, principal))
        uow.audit.append_many(
            [
                person_event(
                    ctx,
                    principal,
                    PARCEL_EVENT_RECORDED,
                    subject=number,
                    circumstances=circumstances,
                    details={
                        "status": new.value,
                        "from": sealed.status.value,
                        "at_station": station.code if station else None,
                    },
                )
            ]
        )
        uow.commit()
    return RecordedEvent(
        tracking_number=number,
        status=new.value,
        occurred_at=now,
        actor=principal.actor,
        station=station.code if station else None,
        pickup_code=pickup_code,
    )


def _station(uow: UnitOfWork, principal: Principal, role: Role | None, code: str | None) -> Station | None:
    """The station the event happens at: the one named, or a station user's own; a station user names
    only their own (``station_mismatch``)."""
    own = uow.stations.get(principal.station_id) if principal.station_id is not None else None
    if code is None:
        return own if role in STATION_ROLES else None
    station = uow.stations.get_by_code(code)
    if station is None:
        raise NotFoundError("no station with this code", code=ErrorCode.STATION_NOT_FOUND, field="station")
    if role in STATION_ROLES and (own is None or own.id != station.id):
        raise PermissionDeniedError(
            "a station's staff record events at their own station", code=ErrorCode.STATION_MISMATCH
        )
    return station


def _new_pickup_code(
    ctx: ServiceContext, uow: UnitOfWork, waybill_id: str, station: Station | None, now: datetime
) -> str:
    assert station is not None  # noqa: S101 - checked by the caller (NEEDS_STATION)
    for _ in range(20):
        code = f"{secrets.randbelow(10**PICKUP_CODE_DIGITS):0{PICKUP_CODE_DIGITS}d}"
        digest = pickup_digest(ctx, station.id, code)
        if not uow.pickup_codes.digest_in_use(digest):
            uow.pickup_codes.add(waybill_id=waybill_id, station_id=station.id, code_digest=digest, at=now)
            return code
    raise RuntimeError("no free pickup code at this station after 20 draws")


def _station_code(raw: str) -> str:
    try:
        return parse_station_code(raw)
    except ValidationError as error:
        raise ValidationError(error.message, code=error.code, field="station") from None
