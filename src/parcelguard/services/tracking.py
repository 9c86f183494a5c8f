"""Public tracking: anyone may see a parcel's status; more needs the last 4 digits of the recipient's mobile.

The answer never carries personal data. Every query passes a per-client rate limit, so the endpoint cannot
be used to enumerate parcels, and every tracking number allows only a few wrong last-4 guesses before it
refuses verification for a while, whoever asks and from however many addresses, so the 10,000 possible
digits cannot be tried (快递市场管理办法 Art. 25); each client is capped too, across numbers.

Wrong digits are counted in the database, in the attempt limiter sign-in and pickup use (``login_throttle``:
one atomic upsert per keyed digest, so parallel guesses each count), so the HTTP route, the tracking page,
every server worker and every ``parcelguard track --last4`` run share one count with no Redis. Subjects are
keyed digests of the tracking number and of the client's address (``client_of``: the TCP peer or the
forwarded address, IPv6 by /64), as sign-in stores client addresses: never the address itself.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from parcelguard.domain.china_time import CHINA_STANDARD_TIME
from parcelguard.domain.people import FailureCount
from parcelguard.domain.pii.fold import fold
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.domain.waybill import TrackingEvent, WaybillStatus
from parcelguard.errors import (
    ErrorCode,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationError,
)
from parcelguard.services.auth import forget_stale_counts
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import RateLimiter, UnitOfWork

_LAST4 = re.compile(r"^[0-9]{4}$")
CLIENT_MAX_FAILURES = 20
"""Wrong digits from one client (any numbers) within the lockout before its verifications are refused for
the lockout: four numbers' worth of caps. Should become a setting
(PARCELGUARD_TRACK_VERIFY_CLIENT_MAX_FAILURES)."""
_NUMBER_SUBJECT = "track_verify_number"  # blind-index kinds of the counts' subjects
_CLIENT_SUBJECT = "track_verify_client"
_FORGET_EVERY = 32  # one wrong guess in this many sweeps stale counts, as sign-in does

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
    """What guards public tracking.

    ``per_client``: the rate of every lookup, status history included, per client (in process memory, or
    Redis shared by every worker). ``max_failures`` wrong digits per tracking number, and
    ``client_max_failures`` per client, within ``lockout`` lock that number's (that client's) verification
    for ``lockout`` from the failure that reached the cap; counted in the database.
    """

    per_client: RateLimiter
    max_failures: int
    lockout: timedelta
    client_max_failures: int = CLIENT_MAX_FAILURES


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

    Wrong digits are counted in the database before they are compared (and refunded when right), per
    tracking number and per ``client``, so every process (server workers, the CLI) shares the caps and
    parallel guesses each use one up.

    Raises RateLimitedError ``rate_limited`` (``retry_after_s``) when ``client`` queries too fast or the
    number or the client has had too many wrong guesses (then only verification is refused; the status
    history stays public), ValidationError for a malformed number or digits (not counted),
    PermissionDeniedError ``tracking_verification_failed`` for wrong digits (counted), NotFoundError.
    """
    limits.per_client.check(client)
    number = TrackingNumber.parse(tracking_number).value
    last4 = parse_last4(mobile_last4) if mobile_last4 is not None else None
    verified = False
    with ctx.uow() as uow:
        sealed = uow.waybills.get(number)
        if sealed is None:
            raise NotFoundError("no parcel with this tracking number", code=ErrorCode.WAYBILL_NOT_FOUND)
        if last4 is not None:
            verified = _verify(ctx, uow, limits, number, client, last4, sealed.indexes.recipient_mobile_last4)
    if last4 is not None and not verified:
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


@dataclass(frozen=True, slots=True)
class _Count:
    subject: bytes
    limit: int
    message: str


def _verify(
    ctx: ServiceContext,
    uow: UnitOfWork,
    limits: TrackingLimits,
    number: str,
    client: str,
    last4: str,
    expected: bytes,
) -> bool:
    """Whether ``last4`` matches ``expected``, counted; commits the counts. RateLimitedError when locked."""
    now = ctx.clock()
    counts = (
        _Count(
            ctx.index.digest(_NUMBER_SUBJECT, number),
            limits.max_failures,
            "too many failed verifications for this tracking number: try again later",
        ),
        _Count(
            ctx.index.digest(_CLIENT_SUBJECT, client),
            limits.client_max_failures,
            "too many failed verifications from this client: try again later",
        ),
    )
    for count in counts:  # locked already: refused unseen, nothing written
        held = uow.login_throttle.get(count.subject)
        if held is not None and held.locked_at(now):
            raise _locked(count, held, now)
    taken = [
        (
            count,
            uow.login_throttle.record_failure(
                count.subject, now=now, window=limits.lockout, lockout=limits.lockout, limit=count.limit
            ),
        )
        for count in counts
    ]
    # A lock this very attempt set (its count is the limit) lets it run, as at sign-in; a higher count
    # raced past a lock another attempt set a moment ago.
    refused = [(count, held) for count, held in taken if held.locked_at(now) and held.failures != count.limit]
    if refused:
        for count, held in taken:
            if held.failures == count.limit or not held.locked_at(now):
                uow.login_throttle.refund(count.subject, limit=count.limit)  # never compared
        uow.commit()
        raise _locked(*refused[0], now)
    verified = hmac.compare_digest(ctx.index.mobile_last4(last4), expected)
    if verified:
        for count in counts:
            uow.login_throttle.refund(count.subject, limit=count.limit)
    elif secrets.randbelow(_FORGET_EVERY) == 0:
        # Now and then: counts older than every user's window (and unlocked) are dead weight.
        forget_stale_counts(uow, ctx.login_policy, now, window=limits.lockout)
    uow.commit()
    return verified


def _locked(count: _Count, held: FailureCount, now: datetime) -> RateLimitedError:
    assert held.locked_until is not None  # noqa: S101 - only locked counts come here
    return RateLimitedError(
        count.message, retry_after_s=(held.locked_until - now).total_seconds(), code=ErrorCode.RATE_LIMITED
    )
