"""/v1/access: access transparency for customers, as JSON (the same service as the /access pages).

``POST /v1/access/challenge`` with the tracking number and the last 4 digits of one's own mobile answers a
challenge id (the same answer whatever matched; a code goes to the mobile only if the digits are a
party's); ``POST /v1/access/verify`` with that id and the code answers a short-lived view pass
(``pga_...``); ``GET /v1/access/events`` with ``Authorization: Bearer pga_...`` answers the parcel's accesses,
each with its inclusion proof against the signed checkpoint. Nothing a customer types travels in a URL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from parcelguard.bootstrap import Runtime
from parcelguard.errors import ErrorCode
from parcelguard.services.access_transparency import (
    PASS_PREFIX,
    end_view_pass,
    prove_accesses,
    request_access_code,
    verify_access_code,
)
from parcelguard.web.access_views import proofs_document
from parcelguard.web.api.deps import get_runtime
from parcelguard.web.client_address import client_of
from parcelguard.web.json_body import StrictJsonRoute
from parcelguard.web.openapi import error_responses

router = APIRouter(prefix="/v1/access", tags=["access transparency"], route_class=StrictJsonRoute)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


class AccessChallengeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    tracking_number: str = Field(min_length=1, max_length=64, description="the parcel's tracking number")
    mobile_last4: str = Field(
        min_length=1, max_length=16, description="the last 4 digits of the sender's or recipient's mobile"
    )


class AccessChallengeRead(BaseModel):
    challenge_id: str = Field(description="send back with the code to POST /v1/access/verify")
    expires_at: datetime = Field(description="the code works until then (5 minutes), 5 tries, once")


class AccessVerify(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    challenge_id: str = Field(min_length=1, max_length=64)
    code: str = Field(min_length=1, max_length=32, description="the 6-digit code of the text message")


class AccessPassRead(BaseModel):
    access_token: str = Field(description="send as `Authorization: Bearer <access_token>`")
    expires_at: datetime
    token_type: str = "Bearer"  # noqa: S105 - the OAuth 2.0 token type name (RFC 6750)


class AccessEventsRead(BaseModel):
    format: str = Field(description="parcelguard-access-proof/v1")
    checkpoint: str = Field(description="the signed checkpoint (C2SP signed note) the proofs are for")
    accesses: list[dict[str, Any]] = Field(
        description='each {"access": {...}, "inclusion": {"leaf_index", "tree_size", "leaf_hash", '
        '"proof", "root_hash"}}'
    )


def _bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value.startswith(PASS_PREFIX):
        return value
    return None


@router.post(
    "/challenge",
    status_code=202,
    response_model=AccessChallengeRead,
    responses=error_responses(
        ErrorCode.INVALID_TRACKING_NUMBER, ErrorCode.INVALID_REQUEST, ErrorCode.RATE_LIMITED
    ),
)
def create_challenge(
    body: AccessChallengeCreate, request: Request, runtime: RuntimeDep
) -> AccessChallengeRead:
    """Ask for a one-time code; the answer never says whether the number or digits matched."""
    challenge = request_access_code(
        runtime.ctx,
        runtime.access,
        body.tracking_number,
        body.mobile_last4,
        client=client_of(request, runtime),
    )
    return AccessChallengeRead(challenge_id=challenge.challenge_id, expires_at=challenge.expires_at)


@router.post(
    "/verify",
    response_model=AccessPassRead,
    responses=error_responses(
        ErrorCode.ACCESS_CODE_INVALID,
        ErrorCode.ACCESS_CODE_EXPIRED,
        ErrorCode.INVALID_REQUEST,
        ErrorCode.RATE_LIMITED,
    ),
)
def verify(body: AccessVerify, request: Request, runtime: RuntimeDep) -> AccessPassRead:
    """Exchange the code for a view pass of the parcel (PARCELGUARD_ACCESS_PASS_TTL_S, 15 minutes)."""
    granted = verify_access_code(
        runtime.ctx, runtime.access, body.challenge_id, body.code, client=client_of(request, runtime)
    )
    return AccessPassRead(access_token=granted.token, expires_at=granted.expires_at)


@router.get(
    "/events",
    response_model=AccessEventsRead,
    responses=error_responses(ErrorCode.UNAUTHENTICATED),
)
def events(request: Request, runtime: RuntimeDep) -> AccessEventsRead:
    """Every access to the parcel's personal data, each with its inclusion proof against the checkpoint."""
    proofs = prove_accesses(runtime.ctx, _bearer(request), client=client_of(request, runtime))
    return AccessEventsRead(**proofs_document(proofs))


@router.post("/end", status_code=204, response_class=Response)
def end(request: Request, runtime: RuntimeDep) -> Response:
    """End the view pass now."""
    end_view_pass(runtime.ctx, _bearer(request))
    return Response(status_code=204)
