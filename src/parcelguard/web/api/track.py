"""/v1/track: public tracking, rate-limited per client, wrong digits capped per tracking number and per client
(counted in the database, shared with the page and the CLI), no personal data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from parcelguard.bootstrap import Runtime
from parcelguard.errors import ErrorCode
from parcelguard.services.tracking import TrackingView, track_parcel
from parcelguard.web.api import schemas as s
from parcelguard.web.api.deps import get_runtime
from parcelguard.web.api.views import events_read
from parcelguard.web.client_address import client_of
from parcelguard.web.json_body import StrictJsonRoute
from parcelguard.web.openapi import error_responses

router = APIRouter(prefix="/v1/track", tags=["tracking"], route_class=StrictJsonRoute)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def _read(view: TrackingView) -> s.TrackingRead:
    return s.TrackingRead(
        tracking_number=view.tracking_number,
        status=view.status,
        verified=view.verified,
        destination=view.destination,
        events=events_read(view.events),
    )


@router.get("/{tracking_number}", response_model=s.TrackingRead)
def track(tracking_number: str, request: Request, runtime: RuntimeDep) -> s.TrackingRead:
    """Status history only."""
    return _read(
        track_parcel(runtime.ctx, runtime.track_limiter, tracking_number, client=client_of(request, runtime))
    )


@router.post(
    "/{tracking_number}",
    response_model=s.TrackingRead,
    responses=error_responses(ErrorCode.TRACKING_VERIFICATION_FAILED, ErrorCode.RATE_LIMITED),
)
def track_verified(
    tracking_number: str, body: s.TrackingVerify, request: Request, runtime: RuntimeDep
) -> s.TrackingRead:
    """More detail (destination city and county) for whoever knows the recipient's mobile's last 4 digits.

    The digits travel in the body, never in the URL, so they stay out of access logs. Wrong digits are
    403 ``tracking_verification_failed``; past the number's or the client's cap 429 ``rate_limited`` with
    Retry-After until the lock ends.
    """
    view = track_parcel(
        runtime.ctx,
        runtime.track_limiter,
        tracking_number,
        client=client_of(request, runtime),
        mobile_last4=body.mobile_last4,
    )
    return _read(view)
