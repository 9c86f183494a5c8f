"""Handing a parcel over at an outlet, and checking a sender's identity document at pickup.

Both compare through keyed digests and answer yes or no, so the person at the counter or the door never
sees the stored value: an outlet clerk hands a parcel over on its pickup code plus the last 4 digits of
the recipient's mobile (the full number stays masked); a courier collecting a parcel enters or scans the
sender's document number and learns only whether it matches the one registered (快递暂行条例 Art. 22:
verification and registration, not display). Wrong tries are counted and audited: five wrong last-4
tries void a pickup code, five wrong document numbers lock a waybill's check for an hour.

A hand-over refused for an unknown code or wrong digits also counts against the person at the counter, in
the attempt limiter sign-in uses (``login_throttle``: an atomic count per keyed digest, in the database, so
every worker shares it), with sign-in's window and lockout (``PARCELGUARD_LOGIN_WINDOW_S``,
``PARCELGUARD_LOGIN_LOCKOUT_S``): after ``MAX_COUNTER_FAILURES`` the person's hand-overs answer
``rate_limited`` (429 with Retry-After) without anything being looked up, so a clerk, or whoever holds a
clerk's session, cannot try pickup codes one after another (OWASP ASVS 5.0 V2.4.1 anti-automation and
V6.3.1 brute force: a pickup code with the last 4 digits is the secret that releases a parcel). As at
sign-in, the attempt is counted before the code is looked at and refunded when it succeeds: parallel
guesses each use one up, and a right code takes back its own attempt only, never earlier failures (so
handing over real parcels between guesses resets nothing).
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime, timedelta

from parcelguard.domain.access import Principal
from parcelguard.domain.parcel_lifecycle import check_transition
from parcelguard.domain.people import FailureCount, Role
from parcelguard.domain.pii import IdentityNumber
from parcelguard.domain.pii.fold import fold
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.domain.waybill import TrackingEvent, WaybillStatus
from parcelguard.errors import ErrorCode, PermissionDeniedError, RateLimitedError, ValidationError
from parcelguard.services.audit_events import (
    HANDOVER_REFUSED,
    PARCEL_HANDED_OVER,
    SENDER_IDENTITY_CHECKED,
    Circumstances,
    person_event,
    station_code_of,
)
from parcelguard.services.context import ServiceContext
from parcelguard.services.parcel_events import PICKUP_CODE_DIGITS, pickup_digest
from parcelguard.services.parcel_numbers import on_parcel_status
from parcelguard.services.parcel_view import MaskedParcel, masked_parcel
from parcelguard.services.ports import UnitOfWork
from parcelguard.services.staff import require_role
from parcelguard.services.tracking import parse_last4
from parcelguard.services.unseal import get_sealed

COUNTER_STAFF = frozenset({Role.OUTLET_CLERK, Role.STATION_MANAGER})
PICKUP_STAFF = frozenset({Role.COURIER, Role.STATION_MANAGER})
MAX_LAST4_FAILURES = 5
MAX_IDENTITY_FAILURES = 5
IDENTITY_LOCKOUT = timedelta(hours=1)
# Unknown codes or wrong digits per person within the sign-in window (a busy counter mistypes now and then;
# a guesser needs thousands). Should become a setting, PARCELGUARD_PICKUP_MAX_FAILURES, beside the login ones.
MAX_COUNTER_FAILURES = 10
_COUNTER_SUBJECT = "pickup_counter"  # blind-index kind of the limiter's subject: the person's user id
_CODE = re.compile(rf"^[0-9]{{{PICKUP_CODE_DIGITS}}}$")


def parse_pickup_code(raw: str) -> str:
    """Six digits as typed (full-width and other Unicode digits folded); ValidationError
    ``invalid_request`` (field ``pickup_code``) otherwise."""
    digits = fold(raw).text.strip() if isinstance(raw, str) else ""
    if not _CODE.match(digits):
        raise ValidationError(
            f"pickup_code is {PICKUP_CODE_DIGITS} digits", code=ErrorCode.INVALID_REQUEST, field="pickup_code"
        )
    return digits


def hand_over(
    ctx: ServiceContext, *, pickup_code: str, last4: str, principal: Principal, client: str | None = None
) -> MaskedParcel:
    """Hand the parcel with this pickup code (at the clerk's station) to the person who also knows the
    last 4 digits of the recipient's mobile; the parcel becomes ``delivered``. The answer is the masked
    view only.

    Errors: PermissionDeniedError ``pickup_verification_failed`` (no such live code at this station, or
    wrong digits: one answer for both, recorded, and counted against the person); RateLimitedError
    ``rate_limited`` (``retry_after_s``) once the person has had ``MAX_COUNTER_FAILURES`` within the
    sign-in window, recorded too; ``role_not_allowed`` and the person checks; ValidationError for a
    malformed code or digits (not counted: it cannot match anything).
    """
    code = parse_pickup_code(pickup_code)
    try:
        digits = parse_last4(last4)
    except ValidationError as error:
        raise ValidationError(error.message, code=error.code, field="last4") from None
    now = ctx.clock()
    with ctx.uow() as uow:
        role = require_role(uow, principal, COUNTER_STAFF, now)
        if principal.station_id is None:
            raise PermissionDeniedError("hand-over happens at a station", code=ErrorCode.ROLE_NOT_ALLOWED)
        circumstances = Circumstances(client=client, station_code=station_code_of(uow, principal))
        counter = _counter_subject(ctx, principal)
        taken = _take_attempt(uow, ctx, counter, now)
        if taken.locked_at(now) and taken.failures != MAX_COUNTER_FAILURES:
            # Locked by earlier failures (the one that reached the limit set the lock and still ran, as at
            # sign-in): refused unseen, nothing looked up, and recorded.
            refused = {"reason": ErrorCode.RATE_LIMITED.value}
            uow.audit.append_many(
                [
                    person_event(
                        ctx,
                        principal,
                        HANDOVER_REFUSED,
                        subject="pickup_code:unchecked",
                        circumstances=circumstances,
                        details=refused,
                    )
                ]
            )
            uow.commit()
            assert taken.locked_until is not None  # noqa: S101 - locked_at says so
            raise RateLimitedError(
                "too many wrong pickup codes or digits from this person: try again later",
                retry_after_s=(taken.locked_until - now).total_seconds(),
            )
        record = uow.pickup_codes.live_by_digest(pickup_digest(ctx, principal.station_id, code))
        sealed = uow.waybills.get_by_id(record.waybill_id) if record is not None else None
        matches = sealed is not None and hmac.compare_digest(
            ctx.index.mobile_last4(digits), sealed.indexes.recipient_mobile_last4
        )
        if record is None or sealed is None or not matches:
            subject = sealed.tracking_number if sealed is not None else "pickup_code:unknown"
            details: dict[str, str | int | None] = {"reason": ErrorCode.PICKUP_VERIFICATION_FAILED.value}
            if record is not None and uow.pickup_codes.count_failure(record.id) >= MAX_LAST4_FAILURES:
                uow.pickup_codes.retire_for(record.waybill_id, now)
                details["voided"] = 1
            if taken.locked_at(now):  # this failure reached the person's limit: the next ones are refused
                details["locked"] = "counter"
            uow.audit.append_many(
                [
                    person_event(
                        ctx,
                        principal,
                        HANDOVER_REFUSED,
                        subject=subject,
                        circumstances=circumstances,
                        details=details,
                    )
                ]
            )
            uow.commit()
            raise PermissionDeniedError(
                "the pickup code and the digits do not match a parcel at this station",
                code=ErrorCode.PICKUP_VERIFICATION_FAILED,
            )
        check_transition(sealed.status, WaybillStatus.DELIVERED, role)
        uow.login_throttle.refund(counter, limit=MAX_COUNTER_FAILURES)  # this attempt only
        uow.parcel_events.add(
            sealed.id,
            TrackingEvent(WaybillStatus.DELIVERED, now, _station_name(uow, principal), principal.actor),
            station_id=principal.station_id,
        )
        uow.pickup_codes.mark_used(record.id, now)
        on_parcel_status(ctx, uow, sealed, WaybillStatus.DELIVERED, now=now, actor=principal.actor)
        uow.audit.append_many(
            [
                person_event(
                    ctx,
                    principal,
                    PARCEL_HANDED_OVER,
                    subject=sealed.tracking_number,
                    circumstances=circumstances,
                )
            ]
        )
        delivered = uow.waybills.get_by_id(sealed.id) or sealed
        view = masked_parcel(ctx, delivered)
        uow.commit()
    return view


def verify_sender_identity(
    ctx: ServiceContext,
    tracking_number: str,
    id_number: str,
    *,
    principal: Principal,
    client: str | None = None,
) -> bool:
    """Whether ``id_number`` is the sender's registered document number (read as the waybill's document
    type); the stored number is never decrypted. Every check is audited (match or not, never the number).

    Errors: ValidationError with the document type's code (field ``id_number``) for a number that is not
    a valid one of its type; RateLimitedError after five wrong numbers for this waybill within the hour;
    PermissionDeniedError ``role_not_allowed`` (couriers and station managers check) and the person checks;
    ``invalid_transition`` once the parcel is on its way (the check belongs to pickup); NotFoundError.
    """
    number = TrackingNumber.parse(tracking_number).value
    now = ctx.clock()
    with ctx.uow() as uow:
        require_role(uow, principal, PICKUP_STAFF, now)
        sealed = get_sealed(uow, number, principal=principal)
        if sealed.status not in (WaybillStatus.CREATED, WaybillStatus.PICKED_UP):
            raise ValidationError(
                "the sender's identity is checked at pickup",
                code=ErrorCode.INVALID_TRANSITION,
                field="status",
            )
        recent = [
            e
            for e in uow.audit_search.search(subject=number)
            if e.action == SENDER_IDENTITY_CHECKED
            and e.details.get("match") is False
            and e.occurred_at > now - IDENTITY_LOCKOUT
        ]
        if len(recent) >= MAX_IDENTITY_FAILURES:
            raise RateLimitedError(
                "too many wrong document numbers for this waybill: try again later",
                retry_after_s=(
                    recent[-MAX_IDENTITY_FAILURES].occurred_at + IDENTITY_LOCKOUT - now
                ).total_seconds(),
            )
        try:
            parsed = IdentityNumber.parse(sealed.sender_id_type, id_number)
        except ValidationError as error:
            raise ValidationError(error.message, code=error.code, field="id_number") from None
        digest = ctx.index.id_number(parsed.id_type, parsed.index_value)
        match = hmac.compare_digest(digest, sealed.indexes.sender_id_number)
        circumstances = Circumstances(client=client, station_code=station_code_of(uow, principal))
        uow.audit.append_many(
            [
                person_event(
                    ctx,
                    principal,
                    SENDER_IDENTITY_CHECKED,
                    subject=number,
                    circumstances=circumstances,
                    details={"match": match, "id_type": sealed.sender_id_type},
                )
            ]
        )
        uow.commit()
    return match


def _counter_subject(ctx: ServiceContext, principal: Principal) -> bytes:
    """The limiter's subject for this person at the counter: a keyed digest (never a name in the table)."""
    return ctx.index.digest(_COUNTER_SUBJECT, str(principal.user_id or principal.actor))


def _take_attempt(uow: UnitOfWork, ctx: ServiceContext, subject: bytes, now: datetime) -> FailureCount:
    """Count this hand-over as failed until it succeeds (one atomic upsert, as sign-in counts)."""
    policy = ctx.login_policy
    return uow.login_throttle.record_failure(
        subject, now=now, window=policy.window, lockout=policy.lockout, limit=MAX_COUNTER_FAILURES
    )


def _station_name(uow: UnitOfWork, principal: Principal) -> str:
    station = uow.stations.get(principal.station_id) if principal.station_id is not None else None
    return station.name if station is not None else ""
