"""The parcel's life over HTTP: events, dispatch, the courier's deliveries, outlet hand-over and the
real-name check of the sender's document.

Who may do what is the services' business (roles, stations, assignments); these routes read bodies,
pass on the principal and the client address, and shape answers. Identity numbers, pickup codes and
last-4 digits travel only in bodies.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from parcelguard.domain.parcel_lifecycle import ROLES_FOR
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.errors import ErrorCode
from parcelguard.services.dispatch import assign_courier, courier_deliveries
from parcelguard.services.parcel_events import record_parcel_event
from parcelguard.services.parcel_view import MaskedParcel
from parcelguard.services.pickup import hand_over, verify_sender_identity
from parcelguard.web.api.deps import Ctx, CurrentPrincipal, UserPrincipal, get_runtime
from parcelguard.web.client_address import client_of
from parcelguard.web.json_body import StrictJsonRoute
from parcelguard.web.openapi import error_responses

router = APIRouter(prefix="/v1", tags=["parcel life"], route_class=StrictJsonRoute)

PERSON_REFUSALS = (ErrorCode.USER_DISABLED, ErrorCode.OFFBOARDING, ErrorCode.SECOND_FACTOR_REQUIRED)
_STATUSES = ", ".join(status.value for status in ROLES_FOR)


class ParcelEventCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    status: str = Field(max_length=32, description=f"one of: {_STATUSES}")
    station: str | None = Field(
        default=None, max_length=32, description="station code; required for at_station (default: your own)"
    )


class ParcelEventRead(BaseModel):
    tracking_number: str
    status: str
    occurred_at: datetime
    actor: str
    station: str | None
    pickup_code: str | None = Field(
        default=None,
        description="at_station only: the new pickup code, shown this once (send it to the recipient)",
    )


class AssignmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    tracking_number: str = Field(max_length=32)
    courier: str = Field(max_length=64, description="the courier's username")


class AssignmentRead(BaseModel):
    tracking_number: str
    courier: str | None
    assigned_by: str
    assigned_at: datetime


class MaskedParcelRead(BaseModel):
    tracking_number: str
    status: str
    recipient: dict[str, str] = Field(description="name, mobile, address: masked (GB/T 41833-2022)")
    sender: dict[str, str] = Field(description="name, mobile, address: masked")
    destination: str


class HandoverCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    pickup_code: str = Field(max_length=16)
    last4: str = Field(max_length=8, description="the last 4 digits of the recipient's mobile")


class IdentityCheck(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    id_number: str = Field(max_length=64, description="the document the sender shows, typed or scanned")


class IdentityRead(BaseModel):
    match: bool


def masked_parcel_read(parcel: MaskedParcel) -> MaskedParcelRead:
    return MaskedParcelRead(
        tracking_number=parcel.tracking_number,
        status=parcel.status,
        recipient={
            "name": parcel.recipient_name,
            "mobile": parcel.recipient_mobile,
            "address": parcel.recipient_address,
        },
        sender={"name": parcel.sender_name, "mobile": parcel.sender_mobile, "address": parcel.sender_address},
        destination=parcel.destination,
    )


@router.post(
    "/waybills/{tracking_number}/events",
    status_code=201,
    response_model=ParcelEventRead,
    responses=error_responses(
        ErrorCode.INVALID_TRANSITION,
        ErrorCode.STATION_NOT_FOUND,
        refusals=(
            ErrorCode.ROLE_NOT_ALLOWED,
            ErrorCode.STATION_MISMATCH,
            ErrorCode.NOT_ASSIGNED,
            *PERSON_REFUSALS,
        ),
    ),
)
def create_event(
    tracking_number: str, body: ParcelEventCreate, request: Request, ctx: Ctx, principal: CurrentPrincipal
) -> ParcelEventRead:
    """Record a step of the parcel's life (with your name and the time; the public tracking page shows
    the step). Who records which step: couriers pick up, move and deliver their own parcels; outlet clerks
    receive at their station; station managers and administrators any step."""
    event = record_parcel_event(
        ctx,
        tracking_number,
        body.status,
        station_code=body.station,
        principal=principal,
        client=client_of(request, get_runtime(request)),
    )
    return ParcelEventRead(
        tracking_number=event.tracking_number,
        status=event.status,
        occurred_at=event.occurred_at,
        actor=event.actor,
        station=event.station,
        pickup_code=event.pickup_code,
    )


@router.post(
    "/dispatch/assignments",
    status_code=201,
    response_model=AssignmentRead,
    responses=error_responses(
        ErrorCode.INVALID_TRACKING_NUMBER,
        ErrorCode.WAYBILL_NOT_FOUND,
        ErrorCode.USER_NOT_FOUND,
        ErrorCode.INVALID_TRANSITION,
        refusals=(ErrorCode.ROLE_NOT_ALLOWED, ErrorCode.STATION_MISMATCH, *PERSON_REFUSALS),
    ),
)
def assign(body: AssignmentCreate, request: Request, ctx: Ctx, principal: CurrentPrincipal) -> AssignmentRead:
    """Assign a waybill to a courier (administrators; a station manager, their own station's couriers)."""
    assignment = assign_courier(
        ctx,
        body.tracking_number,
        body.courier,
        principal=principal,
        client=client_of(request, get_runtime(request)),
    )
    return AssignmentRead(
        tracking_number=TrackingNumber.parse(body.tracking_number).value,
        courier=assignment.courier_username,
        assigned_by=assignment.assigned_by,
        assigned_at=assignment.assigned_at,
    )


@router.get(
    "/dispatch/deliveries",
    response_model=list[MaskedParcelRead],
    responses=error_responses(refusals=(ErrorCode.ROLE_NOT_ALLOWED, *PERSON_REFUSALS)),
)
def deliveries(ctx: Ctx, principal: UserPrincipal) -> list[MaskedParcelRead]:
    """The signed-in courier's parcels, masked (reveal one with POST /v1/reveal)."""
    return [masked_parcel_read(parcel) for parcel in courier_deliveries(ctx, principal)]


@router.post(
    "/pickup/handover",
    response_model=MaskedParcelRead,
    responses=error_responses(
        ErrorCode.RATE_LIMITED,  # past the person's limit of wrong pickup codes (services/pickup.py)
        refusals=(ErrorCode.PICKUP_VERIFICATION_FAILED, ErrorCode.ROLE_NOT_ALLOWED, *PERSON_REFUSALS),
    ),
)
def handover(body: HandoverCreate, request: Request, ctx: Ctx, principal: UserPrincipal) -> MaskedParcelRead:
    """An outlet hands a parcel over on its pickup code and the last 4 digits of the recipient's mobile;
    the parcel is delivered and the answer stays masked."""
    parcel = hand_over(
        ctx,
        pickup_code=body.pickup_code,
        last4=body.last4,
        principal=principal,
        client=client_of(request, get_runtime(request)),
    )
    return masked_parcel_read(parcel)


@router.post(
    "/waybills/{tracking_number}/sender-identity",
    response_model=IdentityRead,
    responses=error_responses(
        ErrorCode.INVALID_RESIDENT_ID,
        ErrorCode.INVALID_ID_NUMBER,
        ErrorCode.INVALID_TRANSITION,
        ErrorCode.RATE_LIMITED,
        refusals=(ErrorCode.ROLE_NOT_ALLOWED, *PERSON_REFUSALS),
    ),
)
def check_sender_identity(
    tracking_number: str, body: IdentityCheck, request: Request, ctx: Ctx, principal: UserPrincipal
) -> IdentityRead:
    """Real-name pickup: whether the document the sender shows is the one registered (blind index);
    the stored number is never shown (快递暂行条例 Art. 22)."""
    match = verify_sender_identity(
        ctx,
        tracking_number,
        body.id_number,
        principal=principal,
        client=client_of(request, get_runtime(request)),
    )
    return IdentityRead(match=match)
