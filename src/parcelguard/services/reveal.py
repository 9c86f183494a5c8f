"""Controlled reveal: a person asks to see unmasked fields of one waybill, and the policy answers.

One unit of work per request: the person's day is counted (the row stays locked until the end, so one
person's requests are decided one after another), the waybill and its assignment are read, the pure policy
(``domain.reveal_policy``) decides, a reveal is taken from the counter atomically, an alert is raised when
the policy asks for one, the audit event is written, and only then are the fields decrypted. A refusal is
committed (event, counters, alert) before PermissionDeniedError is raised with its reason code; an
answer is never returned unless its event was written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from parcelguard.domain.access import Principal
from parcelguard.domain.people import Role
from parcelguard.domain.reveal_policy import (
    AlertKind,
    Grant,
    Subject,
    Usage,
    after_lost_race,
    check_person,
    day_of,
    decide,
    parse_fields,
    parse_purpose,
    parse_ticket,
    refuse,
)
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.domain.waybill import SealedWaybill, WaybillStatus
from parcelguard.errors import ErrorCode, PermissionDeniedError, TokenError, ValidationError
from parcelguard.services.audit_events import (
    ALERT_RAISED,
    UNKNOWN_TOKEN_SUBJECT,
    Circumstances,
    person_event,
    reveal_event,
    station_code_of,
)
from parcelguard.services.context import ServiceContext
from parcelguard.services.parcel_numbers import with_virtual_number
from parcelguard.services.ports import AlertRecord, GrantRecord, UnitOfWork
from parcelguard.services.staff import requester_of


@dataclass(frozen=True, slots=True)
class RevealResult:
    """The revealed fields by name (``recipient.mobile`` -> the stored value); ``reason`` says why it
    was allowed (``out_for_delivery``, ``grace_period``, ``within_quota``, ``break_glass``...)."""

    tracking_number: str
    fields: dict[str, str]
    decision: str
    reason: str
    grant_id: int | None = None


@dataclass(frozen=True, slots=True)
class _Located:
    """The waybill a request names (None: unknown or not the requester's to know) or the token's refusal."""

    sealed: SealedWaybill | None
    subject: str
    refusal: ErrorCode | None = None


def reveal(
    ctx: ServiceContext,
    principal: Principal,
    *,
    tracking_number: str | None = None,
    token: str | None = None,
    fields: object,
    purpose: object = None,
    ticket: object = None,
    client: str | None = None,
) -> RevealResult:
    """The named fields of one waybill, named by its tracking number or a label's QR token, if the
    policy allows; otherwise PermissionDeniedError with the reason code (after committing its event).

    Input errors (ValidationError, 422, nothing recorded): both or neither of ``tracking_number`` and
    ``token``; an unknown field name; a purpose not in the list; a malformed ticket; a malformed number.
    """
    if (tracking_number is None) == (token is None):
        raise ValidationError(
            "name the waybill by tracking_number or by token (one of them)",
            code=ErrorCode.INVALID_REQUEST,
            field="tracking_number",
        )
    names = parse_fields(fields)
    why = parse_purpose(purpose)
    reference = parse_ticket(ticket)
    number = TrackingNumber.parse(tracking_number).value if tracking_number is not None else None
    now = ctx.clock()
    day = day_of(now)
    limits = ctx.reveal_limits
    with ctx.uow() as uow:
        circumstances = Circumstances(client=client, station_code=station_code_of(uow, principal))
        requester = requester_of(uow, principal)
        usage = Usage()
        if principal.user_id is not None:
            revealed, requests = uow.reveal_counters.count_request(principal.user_id, day)
            usage = Usage(revealed=revealed, requests=requests)
        located = (
            _by_number(uow, principal, number)
            if number is not None
            else _by_token(ctx, uow, principal, token)
        )
        decision = check_person(requester, now)
        if decision is None and located.refusal is not None:
            decision = refuse(located.refusal, _TOKEN_MESSAGES[located.refusal])
        if decision is None:
            decision = decide(
                requester,
                _subject(uow, located.sealed),
                names,
                purpose=why,
                ticket=reference,
                usage=usage,
                grants=_grants(uow, principal, now),
                limits=limits,
                now=now,
            )
        taken = (
            principal.user_id is None
            or decision.limit is None
            or uow.reveal_counters.take(principal.user_id, day, decision.limit)
        )
        if decision.allowed and not taken:
            decision = after_lost_race(decision, limits)
        if decision.alert is not None and principal.user_id is not None:
            raise_alert(
                ctx,
                uow,
                principal,
                decision.alert,
                subject=located.subject,
                reason=decision.reason,
                day=day,
                circumstances=circumstances,
            )
        uow.audit.append_many(
            [
                reveal_event(
                    ctx,
                    principal,
                    subject=located.subject,
                    fields=names,
                    purpose=why.value if why is not None else None,
                    ticket=reference,
                    allowed=decision.allowed,
                    reason=decision.reason,
                    circumstances=circumstances,
                    grant_id=decision.grant_id,
                    via="token" if token is not None else "tracking_number",
                )
            ]
        )
        if not decision.allowed or located.sealed is None:
            uow.commit()
            raise PermissionDeniedError(decision.message, code=ErrorCode(decision.reason))
        values = open_fields(ctx, located.sealed, names)
        if principal.role is Role.COURIER:  # a courier calls through the virtual number (issue 12)
            values = with_virtual_number(uow, located.sealed.id, values)
        uow.commit()
    return RevealResult(
        tracking_number=located.sealed.tracking_number,
        fields=values,
        decision="allowed",
        reason=decision.reason,
        grant_id=decision.grant_id,
    )


_TOKEN_MESSAGES = {
    ErrorCode.TOKEN_INVALID: "unknown label token",
    ErrorCode.TOKEN_REVOKED: "this label token was revoked",
}


def open_fields(ctx: ServiceContext, sealed: SealedWaybill, names: tuple[str, ...]) -> dict[str, str]:
    """Decrypt only the named fields (each ciphertext is bound to its waybill and field name)."""
    key = ctx.envelope.open_data_key(sealed.id, sealed.wrapped_key)
    return {name: key.decrypt(name, sealed.ciphertexts[name]) for name in names}


def _by_number(uow: UnitOfWork, principal: Principal, number: str) -> _Located:
    sealed = uow.waybills.get(number)
    if sealed is None or not principal.sees(sealed.organisation_id):
        return _Located(sealed=None, subject=number)
    return _Located(sealed=sealed, subject=number)


def _by_token(ctx: ServiceContext, uow: UnitOfWork, principal: Principal, token: str | None) -> _Located:
    """The token's waybill; every token the caller may not use (malformed, forged, altered, never
    issued, another organisation's) is ``token_invalid``, only a revoked one of theirs ``token_revoked``
    (the same rule as ``services.labels.resolve_label_token``)."""
    invalid = _Located(sealed=None, subject=UNKNOWN_TOKEN_SUBJECT, refusal=ErrorCode.TOKEN_INVALID)
    try:
        parsed = ctx.tokens.parse(token or "")
    except TokenError:
        return invalid
    record = uow.label_tokens.get(parsed.token_id)
    if record is None:
        return invalid
    sealed = uow.waybills.get_by_id(record.waybill_id)
    if sealed is None or not principal.sees(sealed.organisation_id):
        return invalid
    try:
        ctx.tokens.verify(parsed, record.waybill_id)
    except TokenError:
        return invalid
    if record.revoked_at is not None:
        return _Located(sealed=None, subject=sealed.tracking_number, refusal=ErrorCode.TOKEN_REVOKED)
    return _Located(sealed=sealed, subject=sealed.tracking_number)


def _subject(uow: UnitOfWork, sealed: SealedWaybill | None) -> Subject | None:
    if sealed is None:
        return None
    assignment = uow.dispatch.get(sealed.id)
    delivered = [e.occurred_at for e in sealed.events if e.status is WaybillStatus.DELIVERED]
    return Subject(
        tracking_number=sealed.tracking_number,
        status=sealed.status,
        assigned_courier_id=assignment.courier_id if assignment is not None else None,
        delivered_at=delivered[-1] if delivered else None,
    )


def _grants(uow: UnitOfWork, principal: Principal, now: datetime) -> list[Grant]:
    if principal.user_id is None:
        return []
    return [grant_of(record) for record in uow.reveal_grants.approved_for(principal.user_id, now)]


def grant_of(record: GrantRecord) -> Grant:
    return Grant(
        id=record.id,
        requester_id=record.requester_id,
        tracking_numbers=frozenset(record.tracking_numbers),
        fields=frozenset(record.fields),
        approved_at=record.approved_at,
        expires_at=record.expires_at,
    )


def raise_alert(
    ctx: ServiceContext,
    uow: UnitOfWork,
    principal: Principal,
    kind: AlertKind,
    *,
    subject: str,
    reason: str,
    day: str,
    circumstances: Circumstances,
) -> None:
    """Store the alert once per kind, person and day, and audit it the first time."""
    assert principal.user_id is not None  # noqa: S101 - callers raise alerts about people only
    record = AlertRecord(
        kind=kind.value,
        user_id=principal.user_id,
        day=day,
        subject=subject,
        raised_at=ctx.clock(),
        details={"reason": reason, "role": principal.role.value if principal.role else None},
    )
    if uow.alerts.raise_once(record):
        uow.audit.append_many(
            [
                person_event(
                    ctx,
                    principal,
                    ALERT_RAISED,
                    subject=subject,
                    circumstances=circumstances,
                    details={"alert": kind.value, "reason": reason},
                )
            ]
        )
