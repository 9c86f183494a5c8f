"""Virtual numbers over HTTP: the SIP server's routing question, call records, binding management.

``POST /v1/telephony/route`` answers the SIP server (Kamailio) for every INVITE: connect to a target or
reject with a reason; a refusal is a decision (200), not an error. It needs the scope ``telephony:route``
of the carrier's organisation: a platform never learns where a call goes. Binding management needs the
carrier's ``admin``. See docs/telephony.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Security
from pydantic import BaseModel, ConfigDict, Field

from parcelguard.domain.access import Principal, Scope
from parcelguard.domain.virtual_number import parse_model
from parcelguard.errors import ErrorCode, PermissionDeniedError, ValidationError
from parcelguard.services import call_routing, virtual_numbers
from parcelguard.services.virtual_numbers import BoundNumber
from parcelguard.web.api.deps import Ctx, get_principal
from parcelguard.web.json_body import StrictJsonRoute
from parcelguard.web.openapi import error_responses

router = APIRouter(prefix="/v1/telephony", tags=["telephony"], route_class=StrictJsonRoute)


def _carrier(principal: Principal) -> Principal:
    principal.require_carrier("telephony belongs to the carrier's keys")
    return principal


def _router_principal(
    principal: Annotated[Principal, Security(get_principal, scopes=[Scope.TELEPHONY_ROUTE.value])],
) -> Principal:
    # The routing answer is a real mobile number: only the SIP server's own key may ask. An administrator's
    # key (which passes every other scope check) would otherwise read any party's number by naming the
    # other party as the caller, outside the reveal policy and its quotas.
    if Scope.TELEPHONY_ROUTE not in principal.scopes:
        raise PermissionDeniedError(
            "the routing answer holds a real number: only a key with the scope telephony:route may ask",
            code=ErrorCode.FORBIDDEN,
        )
    return _carrier(principal)


def _admin_principal(
    principal: Annotated[Principal, Security(get_principal, scopes=[Scope.ADMIN.value])],
) -> Principal:
    return _carrier(principal)


RouterPrincipal = Annotated[Principal, Security(_router_principal)]
AdminPrincipal = Annotated[Principal, Security(_admin_principal)]


class RouteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    caller: str = Field(max_length=64, description="the calling number (SIP From user part), any spelling")
    called: str = Field(
        max_length=64, description="the virtual number dialled; the label form X-EEEE carries the extension"
    )
    extension: str | None = Field(default=None, max_length=8, description="1-4 digits (AXE)")
    kind: Literal["call", "sms"] = "call"


class RouteAnswer(BaseModel):
    action: Literal["connect", "reject"]
    call_id: str
    target: str | None = Field(default=None, description="connect: the real number to forward to")
    caller_id: str | None = Field(
        default=None, description="connect: what the callee sees (the virtual number)"
    )
    reason: Literal["no_binding", "expired", "caller_not_party", "number_quarantined"] | None = None


class CallRecordCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)
    call_id: str = Field(max_length=40)
    started_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime
    outcome: Literal["answered", "busy", "no_answer", "failed", "cancelled", "rejected"]


class CallRecordRead(BaseModel):
    call_id: str
    duration_s: int


class BindingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    tracking_number: str = Field(max_length=32)
    model: Literal["axb", "axe", "axn"] = "axb"
    pool: str | None = Field(default=None, max_length=40)
    ttl_seconds: int | None = Field(default=None, ge=1, le=30 * 86400)


class BindingExtend(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    hours: float = Field(gt=0, le=720)


class BindingRead(BaseModel):
    tracking_number: str
    number: str
    extension: str | None
    display: str = Field(description="what labels and the courier's screen show: X or X-EEEE")
    model: str
    expires_at: datetime | None


class NumberImport(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    numbers: list[dict[str, str]] = Field(
        max_length=10_000, description='[{"number": "17012345678", "pool": "DEMO-NS"}, ...]'
    )


class ImportRead(BaseModel):
    added: int
    already_present: int


def _read(bound: BoundNumber) -> BindingRead:
    return BindingRead(
        tracking_number=bound.tracking_number,
        number=bound.number,
        extension=bound.extension,
        display=bound.display,
        model=bound.model.value,
        expires_at=bound.expires_at,
    )


@router.post(
    "/route", response_model=RouteAnswer, response_model_exclude_none=True, responses=error_responses()
)
def route(body: RouteRequest, ctx: Ctx, principal: RouterPrincipal) -> dict[str, str]:
    """Where a call (or SMS) to a virtual number goes: ``connect`` with the target and the caller id to
    show, or ``reject`` with ``no_binding``, ``expired``, ``caller_not_party`` or ``number_quarantined``."""
    answer = call_routing.route_call(
        ctx,
        caller=body.caller,
        called=body.called,
        extension=body.extension,
        kind=body.kind,
        actor=principal.actor,
    )
    return answer.as_json()


@router.post(
    "/cdr",
    status_code=202,
    response_model=CallRecordRead,
    responses=error_responses(ErrorCode.CALL_NOT_FOUND),
)
def call_record(body: CallRecordCreate, ctx: Ctx, principal: RouterPrincipal) -> CallRecordRead:
    """The end of a routed call (start, answer, end, outcome) into the audit log; never content."""
    ended = call_routing.record_call_end(
        ctx,
        call_id=body.call_id,
        started_at=body.started_at,
        answered_at=body.answered_at,
        ended_at=body.ended_at,
        outcome=body.outcome,
        actor=principal.actor,
    )
    return CallRecordRead(call_id=ended.call_id, duration_s=ended.duration_s)


class PushRead(BaseModel):
    code: int = Field(description="0: taken (the answer cloud providers' pushes expect)")
    msg: str
    recorded: int


# What each provider pushes here (PARCELGUARD_VNUM_PROVIDER), named in the error of a record it cannot read.
_PUSHED_SHAPES = {
    "sip": "objects with call_id, number, started_at, answered_at, ended_at and outcome (Kamailio itself "
    "posts /v1/telephony/cdr); an Alibaba Cloud SecretReport array needs PARCELGUARD_VNUM_PROVIDER=cloud",
    "cloud": "an Alibaba Cloud SecretReport array",
}


@router.post("/provider/call-records", response_model=PushRead, responses=error_responses())
def provider_call_records(body: list[dict[str, Any]], ctx: Ctx, principal: RouterPrincipal) -> PushRead:
    """Call records pushed by the configured number provider in its own shape: PARCELGUARD_VNUM_PROVIDER
    ``cloud`` pushes Alibaba Cloud ``SecretReport`` arrays; ``sip`` (the default) its switch's own records.
    Each goes into the audit log once; the real numbers in them are never kept. A record the configured
    provider cannot read is 422 naming the provider and the shape it takes."""
    if ctx.numbers is None:
        raise PermissionDeniedError("no number provider is configured", code=ErrorCode.FORBIDDEN)
    name = ctx.numbers.name
    for item in body:
        try:
            record = ctx.numbers.parse_call_record(item)
        except ValidationError as error:
            shape = _PUSHED_SHAPES.get(name, "its own records")
            raise ValidationError(
                f"{error.message} (PARCELGUARD_VNUM_PROVIDER={name} takes {shape})",
                code=error.code,
                field=error.field,
            ) from None
        call_routing.record_provider_call(ctx, record, actor=principal.actor)
    return PushRead(code=0, msg="成功", recorded=len(body))


@router.post(
    "/bindings",
    status_code=201,
    response_model=BindingRead,
    responses=error_responses(
        ErrorCode.WAYBILL_NOT_FOUND,
        ErrorCode.BINDING_EXISTS,
        ErrorCode.POOL_EXHAUSTED,
        ErrorCode.PARTY_PHONE_MISSING,
        ErrorCode.BINDING_CONFLICT,
    ),
)
def bind(body: BindingCreate, ctx: Ctx, principal: AdminPrincipal) -> BindingRead:
    """Bind a waybill's parties to a virtual number of the pool (at issuance, or by hand)."""
    ttl = timedelta(seconds=body.ttl_seconds) if body.ttl_seconds is not None else None
    bound = virtual_numbers.bind_waybill(
        ctx, body.tracking_number, model=parse_model(body.model), pool=body.pool, ttl=ttl, principal=principal
    )
    return _read(bound)


@router.get(
    "/bindings/{tracking_number}",
    response_model=BindingRead,
    responses=error_responses(ErrorCode.BINDING_NOT_FOUND),
)
def get_binding(tracking_number: str, ctx: Ctx, principal: AdminPrincipal) -> BindingRead:
    """The waybill's live binding."""
    return _read(virtual_numbers.current_binding(ctx, tracking_number, principal=principal))


@router.delete(
    "/bindings/{tracking_number}",
    response_model=BindingRead,
    responses=error_responses(ErrorCode.BINDING_NOT_FOUND),
)
def unbind(tracking_number: str, ctx: Ctx, principal: AdminPrincipal) -> BindingRead:
    """End the waybill's binding now; the number rests before reuse."""
    return _read(virtual_numbers.unbind_waybill(ctx, tracking_number, principal=principal))


@router.post(
    "/bindings/{tracking_number}/extend",
    response_model=BindingRead,
    responses=error_responses(ErrorCode.BINDING_NOT_FOUND, ErrorCode.INVALID_TRANSITION),
)
def extend(tracking_number: str, body: BindingExtend, ctx: Ctx, principal: AdminPrincipal) -> BindingRead:
    """Push the binding's end further. It has one once the parcel is delivered, returned or handed over
    (or when bound with ``ttl_seconds``); before, it lasts until then plus the grace period, and extending
    it is 409 ``invalid_transition`` (nothing changes)."""
    return _read(virtual_numbers.extend_binding(ctx, tracking_number, hours=body.hours, principal=principal))


@router.post(
    "/numbers",
    status_code=201,
    response_model=ImportRead,
    responses=error_responses(ErrorCode.INVALID_MOBILE),
)
def import_numbers(body: NumberImport, ctx: Ctx, principal: AdminPrincipal) -> ImportRead:
    """Add numbers to the pools (free); numbers already present stay as they are. Only numbers of the
    masking ranges (170, 171, 162, 165, 167 and the carrier's configured prefixes): any other is 422
    ``invalid_mobile`` naming its item (``line N``, from 1), and nothing is added."""
    rows = [(item.get("number", ""), item.get("pool", "")) for item in body.numbers]
    result = virtual_numbers.import_numbers(ctx, rows, actor=principal.actor)
    return ImportRead(added=result.added, already_present=result.already_present)
