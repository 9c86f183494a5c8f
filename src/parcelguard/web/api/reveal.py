"""/v1/reveal, /v1/break-glass and /v1/cs/search: controlled reveal of unmasked data, approvals, and the
masked customer-service search.

Routes are thin: the services decide, audit and commit. A refusal is 403 with its reason code
(``not_assigned``, ``outside_window``, ``purpose_required``, ``ticket_required``, ``quota_exceeded``,
``approval_required``, ``token_invalid``, ``token_revoked``, ``user_disabled``, ``offboarding``,
``second_factor_required``, ``role_not_allowed``, ``field_not_allowed``, ``self_approval``), recorded in the
audit log before it is answered. Mobiles and tokens travel in bodies, never in URLs.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from parcelguard.domain.reveal_policy import REQUESTABLE_FIELDS, Purpose
from parcelguard.errors import ErrorCode
from parcelguard.services.break_glass import approve_break_glass, list_pending, request_break_glass
from parcelguard.services.cs_search import search_waybills
from parcelguard.services.ports import GrantRecord
from parcelguard.services.reveal import reveal
from parcelguard.web.api.deps import Ctx, CurrentPrincipal, UserPrincipal, get_runtime
from parcelguard.web.api.parcel_events import MaskedParcelRead, masked_parcel_read
from parcelguard.web.client_address import client_of
from parcelguard.web.json_body import StrictJsonRoute
from parcelguard.web.openapi import error_responses

router = APIRouter(prefix="/v1", tags=["reveal"], route_class=StrictJsonRoute)

PERSON_REFUSALS = (ErrorCode.USER_DISABLED, ErrorCode.OFFBOARDING, ErrorCode.SECOND_FACTOR_REQUIRED)
REVEAL_REFUSALS = (
    ErrorCode.NOT_ASSIGNED,
    ErrorCode.OUTSIDE_WINDOW,
    ErrorCode.PURPOSE_REQUIRED,
    ErrorCode.TICKET_REQUIRED,
    ErrorCode.QUOTA_EXCEEDED,
    ErrorCode.APPROVAL_REQUIRED,
    ErrorCode.TOKEN_INVALID,
    ErrorCode.TOKEN_REVOKED,
    ErrorCode.ROLE_NOT_ALLOWED,
    ErrorCode.FIELD_NOT_ALLOWED,
    *PERSON_REFUSALS,
)
_FIELDS_HELP = "field names: " + ", ".join(REQUESTABLE_FIELDS)
_PURPOSE_HELP = "why: " + ", ".join(p.value for p in Purpose)


class RevealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    tracking_number: str | None = Field(default=None, max_length=32, description="or `token`, not both")
    token: str | None = Field(default=None, max_length=256, description="the label's QR token, scanned")
    fields: list[str] = Field(min_length=1, max_length=len(REQUESTABLE_FIELDS), description=_FIELDS_HELP)
    purpose: str | None = Field(default=None, max_length=32, description=_PURPOSE_HELP)
    ticket: str | None = Field(
        default=None, max_length=64, description="the ticket the reveal serves (customer service, regulators)"
    )


class RevealRead(BaseModel):
    tracking_number: str
    fields: dict[str, str] = Field(description="the revealed values by field name")
    decision: str = Field(description="`allowed`")
    reason: str = Field(
        description="why: out_for_delivery, grace_period, within_quota, break_glass, regulator_request"
    )
    grant_id: int | None = None


class BreakGlassRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    tracking_numbers: list[str] = Field(min_length=1, max_length=20)
    fields: list[str] = Field(min_length=1, max_length=len(REQUESTABLE_FIELDS), description=_FIELDS_HELP)
    purpose: str | None = Field(default=None, max_length=32, description=_PURPOSE_HELP)
    ticket: str | None = Field(default=None, max_length=64)
    minutes: int = Field(default=30, ge=5, le=480, description="how long the approval lasts once given")


class GrantRead(BaseModel):
    id: int
    requester: str | None
    tracking_numbers: list[str]
    fields: list[str]
    purpose: str
    ticket: str
    minutes: int
    requested_at: datetime
    approver: str | None = None
    approved_at: datetime | None = None
    expires_at: datetime | None = None


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    tracking_number: str | None = Field(default=None, max_length=32)
    mobile: str | None = Field(
        default=None, max_length=64, description="the recipient's mobile, any spelling"
    )


def _grant_read(grant: GrantRecord) -> GrantRead:
    return GrantRead(
        id=grant.id,
        requester=grant.requester,
        tracking_numbers=list(grant.tracking_numbers),
        fields=list(grant.fields),
        purpose=grant.purpose,
        ticket=grant.ticket,
        minutes=grant.minutes,
        requested_at=grant.requested_at,
        approver=grant.approver,
        approved_at=grant.approved_at,
        expires_at=grant.expires_at,
    )


@router.post(
    "/reveal",
    response_model=RevealRead,
    responses=error_responses(ErrorCode.INVALID_TRACKING_NUMBER, refusals=REVEAL_REFUSALS),
)
def reveal_fields(body: RevealRequest, request: Request, ctx: Ctx, principal: CurrentPrincipal) -> RevealRead:
    """Unmasked fields of one waybill, if the reveal policy allows; every answer and refusal is audited
    (who, role, station, device, client, waybill, fields, purpose, ticket, decision, reason; no value)."""
    result = reveal(
        ctx,
        principal,
        tracking_number=body.tracking_number,
        token=body.token,
        fields=body.fields,
        purpose=body.purpose,
        ticket=body.ticket,
        client=client_of(request, get_runtime(request)),
    )
    return RevealRead(
        tracking_number=result.tracking_number,
        fields=result.fields,
        decision=result.decision,
        reason=result.reason,
        grant_id=result.grant_id,
    )


@router.post(
    "/break-glass",
    status_code=201,
    response_model=GrantRead,
    responses=error_responses(
        ErrorCode.INVALID_TRACKING_NUMBER,
        ErrorCode.WAYBILL_NOT_FOUND,
        refusals=(
            ErrorCode.PURPOSE_REQUIRED,
            ErrorCode.TICKET_REQUIRED,
            ErrorCode.FIELD_NOT_ALLOWED,
            ErrorCode.ROLE_NOT_ALLOWED,
            *PERSON_REFUSALS,
        ),
    ),
)
def create_break_glass(
    body: BreakGlassRequest, request: Request, ctx: Ctx, principal: UserPrincipal
) -> GrantRead:
    """A customer-service agent beyond the daily quota asks a security officer for named waybills."""
    grant = request_break_glass(
        ctx,
        principal,
        tracking_numbers=body.tracking_numbers,
        fields=body.fields,
        purpose=body.purpose,
        ticket=body.ticket,
        minutes=body.minutes,
        client=client_of(request, get_runtime(request)),
    )
    return _grant_read(grant)


@router.get(
    "/break-glass",
    response_model=list[GrantRead],
    responses=error_responses(refusals=(ErrorCode.ROLE_NOT_ALLOWED, *PERSON_REFUSALS)),
)
def pending_break_glass(ctx: Ctx, principal: UserPrincipal) -> list[GrantRead]:
    """Requests waiting for approval (security officers and administrators)."""
    return [_grant_read(grant) for grant in list_pending(ctx, principal)]


@router.post(
    "/break-glass/{grant_id}/approve",
    response_model=GrantRead,
    responses=error_responses(
        ErrorCode.GRANT_NOT_FOUND,
        refusals=(ErrorCode.SELF_APPROVAL, ErrorCode.ROLE_NOT_ALLOWED, *PERSON_REFUSALS),
    ),
)
def approve(grant_id: int, request: Request, ctx: Ctx, principal: UserPrincipal) -> GrantRead:
    """A security officer (never the requester) approves; the grant lasts its minutes from now."""
    grant = approve_break_glass(ctx, principal, grant_id, client=client_of(request, get_runtime(request)))
    return _grant_read(grant)


@router.post(
    "/cs/search",
    response_model=list[MaskedParcelRead],
    responses=error_responses(
        ErrorCode.INVALID_TRACKING_NUMBER,
        ErrorCode.INVALID_MOBILE,
        refusals=(ErrorCode.ROLE_NOT_ALLOWED, *PERSON_REFUSALS),
    ),
)
def search(
    body: SearchRequest, request: Request, ctx: Ctx, principal: UserPrincipal
) -> list[MaskedParcelRead]:
    """Customer service finds parcels by tracking number or by the recipient's mobile (blind index, in the
    body so it never lands in a URL or access log); masked results, audited."""
    found = search_waybills(
        ctx,
        principal,
        tracking_number=body.tracking_number,
        mobile=body.mobile,
        client=client_of(request, get_runtime(request)),
    )
    return [masked_parcel_read(parcel) for parcel in found]
