"""Public tracking: anyone may see a parcel's status; more needs the last 4 digits of the recipient's mobile.

The answer never carries personal data. Every query passes a per-client rate limit, so the endpoint cannot
be used to enumerate parcels, and every tracking number allows only a few wrong last-4 guesses before it
refuses verification for a while, whoever asks and from however many addresses, so the 10,000 possible
digits cannot be tried (快递市场管理办法 Art. 25).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from parcelguard.domain.china_time import CHINA_STANDARD_TIME
from parcelguard.domain.pii.fold import fold
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.domain.waybill import TrackingEvent, WaybillStatus
from parcelguard.errors import ErrorCode, NotFoundError, PermissionDeniedError, ValidationError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import AttemptLimiter, RateLimiter

_LAST4 = re.compile(r"^[0-9]{4}$")

# Mainland China keeps UTC+8 all year (no daylight saving since 1991): a fixed offset is exact.

STATUS_NAMES: dict[WaybillStatus, tuple[str, str]] = {
    WaybillStatus.CREATED: ("已下单", "Order created"),
    WaybillStatus.PICKED_UP: ("已揽收", "Picked up"),
    WaybillStatus.IN_TRANSIT: ("运输中", "In transit"),
    WaybillStatus.AT_STATION: ("已到达网点", "Arrived at station"),
    WaybillStatus.OUT_FOR_DELIVERY: ("派送中", "Out for delivery"),
    WaybillStatus.DELIVERED: ("已签收", "Delivered"),
    WaybillStatus.RETURNED: ("已退回", "Returned"),
    WaybillStatus.EXCEPTION: ("异常件", "Exception"),
    WaybillStatus.CANCELLED: ("已取消", "Cancelled"),
}


def status_names(status: str) -> tuple[str, str]:
    """(Chinese, English) names of a waybill status as customers read them; unknown codes as they are."""
    try:
        return STATUS_NAMES[WaybillStatus(status)]
    except ValueError:
        return status, status


def china_time(moment: datetime) -> datetime:
    """``moment`` (stored in UTC) as China Standard Time, the time customers of a Chinese carrier read."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(CHINA_STANDARD_TIME)


@dataclass(frozen=True, slots=True)
class TrackingLimits:
    """What guards public tracking: a rate per client, and a cap on failed verifications per number."""

    per_client: RateLimiter
    per_number: AttemptLimiter


@dataclass(frozen=True, slots=True)
class TrackingView:
    tracking_number: str
    status: str
    events: tuple[TrackingEvent, ...]
    verified: bool
    destination: str | None


def parse_last4(raw: str) -> str:
    """The last 4 digits of a mobile as typed, folded like every digit field (full-width ``１２３４``,
    other Unicode digits, blanks around them).

    Raises ValidationError (``invalid_request``, field ``mobile_last4``) unless 4 ASCII digits remain.
    """
    digits = fold(raw).text.strip()
    if not _LAST4.match(digits):
        raise ValidationError(
            "mobile_last4 must be exactly 4 digits", code=ErrorCode.INVALID_REQUEST, field="mobile_last4"
        )
    return digits


def track_parcel(
    ctx: ServiceContext,
    limits: TrackingLimits,
    tracking_number: str,
    *,
    client: str,
    mobile_last4: str | None = None,
) -> TrackingView:
    """Status history for anyone; the destination (city and county) only with the right last 4 digits.

    Every process that checks digits must count them in one ``limits.per_number`` (Redis when there are
    several: the server's workers, the CLI), or each would allow the whole cap on its own.

    Raises RateLimitedError when ``client`` queries too fast or the number has had too many wrong
    guesses (then only verification is refused; the status history stays public), ValidationError for a
    malformed number or digits, PermissionDeniedError ``tracking_verification_failed`` for wrong digits
    (counted), NotFoundError.
    """
    limits.per_client.check(client)
    number = TrackingNumber.parse(tracking_number).value
    last4 = parse_last4(mobile_last4) if mobile_last4 is not None else None
    with ctx.uow() as uow:
        sealed = uow.waybills.get(number)
    if sealed is None:
        raise NotFoundError("no parcel with this tracking number", code=ErrorCode.WAYBILL_NOT_FOUND)
    verified = False
    if last4 is not None:
        limits.per_number.take(number)
        expected = sealed.indexes.recipient_mobile_last4
        verified = hmac.compare_digest(ctx.index.mobile_last4(last4), expected)
        if verified:
            limits.per_number.refund(number)
        else:
            # A refusal, not malformed input: 403 over HTTP, "not allowed" (exit code 4) on the CLI.
            raise PermissionDeniedError(
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
