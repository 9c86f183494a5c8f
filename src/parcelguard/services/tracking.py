"""Public tracking: anyone may see a parcel's status; more needs the last 4 digits of the recipient's mobile.

The answer never carries personal data. Unknown and known numbers are answered the same way when the number
is unknown, and every query passes a per-client rate limit, so the endpoint cannot be used to enumerate
parcels (快递市场管理办法 Art. 25).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from parcelguard.domain.tracking import TrackingNumber
from parcelguard.domain.waybill import TrackingEvent
from parcelguard.errors import ErrorCode, NotFoundError, ValidationError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import RateLimiter

_LAST4 = re.compile(r"^\d{4}$")


@dataclass(frozen=True, slots=True)
class TrackingView:
    tracking_number: str
    status: str
    events: tuple[TrackingEvent, ...]
    verified: bool
    destination: str | None


def track_parcel(
    ctx: ServiceContext,
    limiter: RateLimiter,
    tracking_number: str,
    *,
    client: str,
    mobile_last4: str | None = None,
) -> TrackingView:
    """Status history for anyone; the destination (city and county) only with the right last 4 digits."""
    limiter.check(client)
    number = TrackingNumber.parse(tracking_number).value
    if mobile_last4 is not None and not _LAST4.match(mobile_last4):
        raise ValidationError(
            "mobile_last4 must be exactly 4 digits", code=ErrorCode.INVALID_REQUEST, field="mobile_last4"
        )
    with ctx.uow() as uow:
        sealed = uow.waybills.get(number)
    if sealed is None:
        raise NotFoundError("no parcel with this tracking number", code=ErrorCode.WAYBILL_NOT_FOUND)
    verified = False
    if mobile_last4 is not None:
        expected = sealed.indexes.recipient_mobile_last4
        verified = hmac.compare_digest(ctx.index.mobile_last4(mobile_last4), expected)
        if not verified:
            raise ValidationError(
                "the digits do not match this parcel's recipient",
                code=ErrorCode.TRACKING_VERIFICATION_FAILED,
                field="mobile_last4",
            )
    events = (
        sealed.events
        if verified
        else tuple(
            TrackingEvent(status=e.status, occurred_at=e.occurred_at, location="") for e in sealed.events
        )
    )
    return TrackingView(
        tracking_number=number,
        status=sealed.status.value,
        events=events,
        verified=verified,
        destination=sealed.routing_text if verified else None,
    )
