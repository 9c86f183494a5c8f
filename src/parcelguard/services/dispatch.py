"""Dispatch: which courier delivers which parcel, and the courier's list of deliveries.

An assignment is what lets a courier see a recipient's address at all (domain.reveal_policy), so only an
administrator or the manager of the courier's station assigns, only to an active courier, and every
assignment is an audit event.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from parcelguard.domain import waybill as wb
from parcelguard.domain.access import Principal
from parcelguard.domain.parcel_lifecycle import TERMINAL
from parcelguard.domain.people import Role, actor_for, parse_username
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.domain.waybill import WaybillStatus
from parcelguard.errors import ErrorCode, NotFoundError, PermissionDeniedError, ValidationError
from parcelguard.services.audit_events import COURIER_ASSIGNED, Circumstances, person_event, station_code_of
from parcelguard.services.context import ServiceContext
from parcelguard.services.parcel_numbers import on_courier_assigned, virtual_number_of
from parcelguard.services.parcel_view import MaskedParcel, masked_parcel
from parcelguard.services.ports import Assignment, UnitOfWork
from parcelguard.services.staff import require_role
from parcelguard.services.unseal import get_sealed

DISPATCHERS = frozenset({Role.ADMIN, Role.STATION_MANAGER})


def assign_courier(
    ctx: ServiceContext,
    tracking_number: str,
    courier_username: str,
    *,
    principal: Principal,
    client: str | None = None,
) -> Assignment:
    """Assign a waybill to a courier, replacing any earlier assignment.

    Errors: PermissionDeniedError ``role_not_allowed`` (not an administrator or station manager; a
    platform's key), ``station_mismatch`` (a manager assigning to another station's courier), the person
    checks (``user_disabled``, ``offboarding``, ``second_factor_required``); NotFoundError
    ``waybill_not_found`` / ``user_not_found``; ValidationError ``invalid_request`` (field ``courier``:
    not a courier, or disabled or offboarded), ``invalid_transition`` (the parcel's life has ended).
    """
    number = TrackingNumber.parse(tracking_number).value
    username = _courier_name(courier_username)
    now = ctx.clock()
    with ctx.uow() as uow:
        role = require_role(uow, principal, DISPATCHERS, now)
        sealed = get_sealed(uow, number, principal=principal)
        courier = uow.users.get(username)
        if courier is None:
            raise NotFoundError("no user with this username", code=ErrorCode.USER_NOT_FOUND, field="courier")
        if courier.role is not Role.COURIER or courier.disabled_at is not None or courier.offboarded_at(now):
            raise ValidationError(
                "courier must name an active courier", code=ErrorCode.INVALID_REQUEST, field="courier"
            )
        if role is Role.STATION_MANAGER and courier.station_id != principal.station_id:
            raise PermissionDeniedError(
                "a station manager assigns the couriers of their own station", code=ErrorCode.STATION_MISMATCH
            )
        if role is Role.STATION_MANAGER and not _handled_by(uow, sealed.id, principal.station_id):
            # else a manager could hand a parcel out for delivery at another station to their own
            # courier, who would see its address at once
            raise PermissionDeniedError(
                "a station manager assigns the parcels of their own station", code=ErrorCode.STATION_MISMATCH
            )
        if sealed.status in TERMINAL:
            raise ValidationError(
                f"a parcel that is {sealed.status.value} is not delivered any more",
                code=ErrorCode.INVALID_TRANSITION,
                field="tracking_number",
            )
        assignment = Assignment(
            waybill_id=sealed.id,
            courier_id=courier.id,
            station_id=courier.station_id,
            assigned_by=principal.actor,
            assigned_at=now,
            courier_username=courier.username,
        )
        uow.dispatch.assign(assignment)
        # the courier's number masking follows the parcel (issue 12): rebind, or bind at dispatch
        on_courier_assigned(ctx, uow, sealed, courier_id=courier.id, now=now, actor=principal.actor)
        circumstances = Circumstances(client=client, station_code=station_code_of(uow, principal))
        uow.audit.append_many(
            [
                person_event(
                    ctx,
                    principal,
                    COURIER_ASSIGNED,
                    subject=number,
                    circumstances=circumstances,
                    details={"courier": actor_for(courier.username)},
                )
            ]
        )
        uow.commit()
    return assignment


def last_station(uow: UnitOfWork, waybill_id: str) -> str | None:
    """The code of the station that last recorded a step of the parcel (None: no station yet)."""
    codes = [e.station_code for e in uow.parcel_events.for_waybill(waybill_id) if e.station_code is not None]
    return codes[-1] if codes else None


def _handled_by(uow: UnitOfWork, waybill_id: str, station_id: int | None) -> bool:
    """Whether the parcel is the station's to dispatch: it was last handled there, or nowhere yet."""
    code = last_station(uow, waybill_id)
    if code is None:
        return True
    station = uow.stations.get(station_id) if station_id is not None else None
    return station is not None and station.code == code


def courier_deliveries(ctx: ServiceContext, principal: Principal) -> list[MaskedParcel]:
    """The parcels assigned to the signed-in courier that are still theirs to deliver (not ended, or
    delivered within the grace period), masked: revealing one is a separate, audited request.

    PermissionDeniedError ``role_not_allowed`` for anyone but a courier, and the person checks."""
    now = ctx.clock()
    grace = ctx.reveal_limits.grace
    with ctx.uow() as uow:
        require_role(uow, principal, {Role.COURIER}, now)
        assert principal.user_id is not None  # noqa: S101 - a courier is a person
        ids = uow.dispatch.waybill_ids_of(principal.user_id)
        parcels = [w for w in (uow.waybills.get_by_id(i) for i in ids) if w is not None]
        calls = {w.id: virtual_number_of(uow, w.id) for w in parcels}  # the number to call (issue 12)
    shown = [masked_parcel(ctx, w) for w in parcels if _still_current(w, now, grace)]
    by_number = {w.tracking_number: calls[w.id] for w in parcels}
    return [replace(p, recipient_mobile=by_number[p.tracking_number] or p.recipient_mobile) for p in shown]


def _still_current(sealed: wb.SealedWaybill, now: datetime, grace: timedelta) -> bool:
    if sealed.status not in TERMINAL:
        return True
    if sealed.status is not WaybillStatus.DELIVERED:
        return False
    delivered = [e.occurred_at for e in sealed.events if e.status is WaybillStatus.DELIVERED]
    return bool(delivered) and now <= delivered[-1] + grace


def _courier_name(raw: str) -> str:
    try:
        return parse_username(raw)
    except ValidationError as error:
        raise ValidationError(error.message, code=error.code, field="courier") from None
