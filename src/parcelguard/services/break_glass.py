"""Break-glass: a customer-service agent beyond the daily quota asks a security officer to approve a
time-boxed reveal of named waybills; the officer approves (never their own request), and the reveal
policy then allows exactly those waybills and fields until the approval expires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from parcelguard.domain.access import Principal
from parcelguard.domain.people import Role
from parcelguard.domain.reveal_policy import FIELDS_FOR, parse_fields, parse_purpose, parse_ticket
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.errors import ErrorCode, NotFoundError, PermissionDeniedError, ValidationError
from parcelguard.services.audit_events import (
    GRANT_APPROVED,
    GRANT_REFUSED,
    GRANT_REQUESTED,
    Circumstances,
    person_event,
    station_code_of,
)
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import GrantRecord
from parcelguard.services.staff import acting_role, require_role
from parcelguard.services.unseal import get_sealed

MAX_GRANT_WAYBILLS = 20
MIN_GRANT_MINUTES = 5
MAX_GRANT_MINUTES = 480
APPROVERS = frozenset({Role.SECURITY_OFFICER})
REQUESTERS = frozenset({Role.CS_AGENT})
READERS = frozenset({Role.SECURITY_OFFICER, Role.ADMIN})


def request_break_glass(
    ctx: ServiceContext,
    principal: Principal,
    *,
    tracking_numbers: Sequence[str],
    fields: object,
    purpose: object,
    ticket: object,
    minutes: int,
    client: str | None = None,
) -> GrantRecord:
    """Ask for ``fields`` of 1 to 20 named waybills for ``minutes`` (5 to 480) after approval.

    Errors: ValidationError ``invalid_request`` (``tracking_numbers``, ``fields``, ``minutes``, a
    malformed purpose or ticket), ``invalid_tracking_number``; PermissionDeniedError ``purpose_required``,
    ``ticket_required``, ``field_not_allowed`` (the sender's ID number), ``role_not_allowed`` (only
    customer-service agents ask) and the person checks; NotFoundError ``waybill_not_found``.
    """
    numbers = _numbers(tracking_numbers)
    names = parse_fields(fields)
    why = parse_purpose(purpose)
    reference = parse_ticket(ticket)
    if isinstance(minutes, bool) or not MIN_GRANT_MINUTES <= minutes <= MAX_GRANT_MINUTES:
        raise ValidationError(
            f"minutes is {MIN_GRANT_MINUTES} to {MAX_GRANT_MINUTES}",
            code=ErrorCode.INVALID_REQUEST,
            field="minutes",
        )
    now = ctx.clock()
    with ctx.uow() as uow:
        require_role(uow, principal, REQUESTERS, now)
        if not set(names) <= FIELDS_FOR[Role.CS_AGENT]:
            raise PermissionDeniedError(
                "one of these fields is never revealed", code=ErrorCode.FIELD_NOT_ALLOWED
            )
        if why is None:
            raise PermissionDeniedError(
                "a break-glass request names its purpose", code=ErrorCode.PURPOSE_REQUIRED
            )
        if reference is None:
            raise PermissionDeniedError(
                "a break-glass request names its ticket", code=ErrorCode.TICKET_REQUIRED
            )
        for number in numbers:
            get_sealed(uow, number, principal=principal)
        assert principal.user_id is not None  # noqa: S101 - a cs_agent is a person
        record = GrantRecord(
            id=0,
            organisation_id=principal.organisation_id,
            requester_id=principal.user_id,
            tracking_numbers=numbers,
            fields=names,
            purpose=why.value,
            ticket=reference,
            minutes=minutes,
            requested_at=now,
            approved_by=None,
            approved_at=None,
            expires_at=None,
            requester=principal.username,
        )
        grant_id = uow.reveal_grants.add(record)
        circumstances = Circumstances(client=client, station_code=station_code_of(uow, principal))
        uow.audit.append_many(
            [
                person_event(
                    ctx,
                    principal,
                    GRANT_REQUESTED,
                    subject=number,
                    circumstances=circumstances,
                    details={
                        "grant": grant_id,
                        "fields": ",".join(names),
                        "purpose": why.value,
                        "ticket": reference,
                        "minutes": minutes,
                    },
                )
                for number in numbers
            ]
        )
        uow.commit()
    return replace(record, id=grant_id)


MAX_GRANT_ID = 2**31 - 1


def approve_break_glass(
    ctx: ServiceContext, principal: Principal, grant_id: int, *, client: str | None = None
) -> GrantRecord:
    """Approve a pending request; it is good for its minutes from now.

    Errors: PermissionDeniedError ``self_approval`` (the requester approving their own request, whatever
    their role: refused and recorded), ``role_not_allowed`` (only security officers approve), the person
    checks (``second_factor_required``...); NotFoundError ``grant_not_found`` (no such pending request,
    or another organisation's).
    """
    now = ctx.clock()
    with ctx.uow() as uow:
        role = acting_role(uow, principal, now)
        # an id no row can have (the column is a 32-bit integer on PostgreSQL) is simply not found
        grant = uow.reveal_grants.get(grant_id) if 0 < grant_id <= MAX_GRANT_ID else None
        if grant is None or not principal.sees(grant.organisation_id) or grant.approved_at is not None:
            raise NotFoundError("no pending break-glass request with this id", code=ErrorCode.GRANT_NOT_FOUND)
        circumstances = Circumstances(client=client, station_code=station_code_of(uow, principal))
        if grant.requester_id == principal.user_id:
            uow.audit.append_many(
                [
                    person_event(
                        ctx,
                        principal,
                        GRANT_REFUSED,
                        subject=number,
                        circumstances=circumstances,
                        details={"grant": grant_id, "reason": ErrorCode.SELF_APPROVAL.value},
                    )
                    for number in grant.tracking_numbers
                ]
            )
            uow.commit()
            raise PermissionDeniedError("nobody approves their own request", code=ErrorCode.SELF_APPROVAL)
        if role not in APPROVERS:
            raise PermissionDeniedError("only a security officer approves", code=ErrorCode.ROLE_NOT_ALLOWED)
        assert principal.user_id is not None  # noqa: S101 - a security officer is a person
        expires_at = now + timedelta(minutes=grant.minutes)
        if not uow.reveal_grants.approve(
            grant_id, approver_id=principal.user_id, at=now, expires_at=expires_at
        ):
            raise NotFoundError("no pending break-glass request with this id", code=ErrorCode.GRANT_NOT_FOUND)
        uow.audit.append_many(
            [
                person_event(
                    ctx,
                    principal,
                    GRANT_APPROVED,
                    subject=number,
                    circumstances=circumstances,
                    details={
                        "grant": grant_id,
                        "requester": grant.requester,
                        "expires_at": expires_at.isoformat(),
                    },
                )
                for number in grant.tracking_numbers
            ]
        )
        approved = uow.reveal_grants.get(grant_id)
        uow.commit()
    assert approved is not None  # noqa: S101 - just approved in this transaction
    return approved


def list_pending(ctx: ServiceContext, principal: Principal) -> list[GrantRecord]:
    """Requests waiting for approval (security officers, administrators, the CLI operator)."""
    now = ctx.clock()
    with ctx.uow() as uow:
        require_role(uow, principal, READERS, now)
        return uow.reveal_grants.pending(principal.visible_organisation)


def _numbers(raw: Sequence[str]) -> tuple[str, ...]:
    if isinstance(raw, str) or not isinstance(raw, Sequence) or not 0 < len(raw) <= MAX_GRANT_WAYBILLS:
        raise ValidationError(
            f"tracking_numbers holds 1 to {MAX_GRANT_WAYBILLS} tracking numbers",
            code=ErrorCode.INVALID_REQUEST,
            field="tracking_numbers",
        )
    numbers: list[str] = []
    for index, item in enumerate(raw):
        try:
            number = TrackingNumber.parse(item).value
        except ValidationError as error:
            raise ValidationError(error.message, code=error.code, field=f"tracking_numbers.{index}") from None
        if number not in numbers:
            numbers.append(number)
    return tuple(numbers)
