"""The audit events of dispatch and controlled reveal, and reading the audit log back.

A reveal's event names who asked (actor, role, organisation, station, device, client address), about
what (the waybill, the field names), why (purpose, ticket), and what was decided with its reason code;
never a value. It is written in the same transaction as the answer, so no event means no answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from parcelguard.domain.access import Principal, Scope
from parcelguard.domain.audit import AuditEvent, AuditValue
from parcelguard.domain.people import actor_for, parse_username
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.errors import ErrorCode, ValidationError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import AlertRecord, UnitOfWork

REVEAL_ALLOWED = "reveal:waybill:revealed"
REVEAL_REFUSED = "reveal:waybill:refused"
GRANT_REQUESTED = "reveal:grant:requested"
GRANT_APPROVED = "reveal:grant:approved"
GRANT_REFUSED = "reveal:grant:refused"
ALERT_RAISED = "reveal:alert:raised"
SEARCH_MASKED = "reveal:search:masked"
SEARCH_REFUSED = "reveal:search:refused"
COURIER_ASSIGNED = "dispatch:waybill:assigned"
PARCEL_EVENT_RECORDED = "dispatch:parcel_event:recorded"
SENDER_IDENTITY_CHECKED = "dispatch:sender_identity:checked"
PARCEL_HANDED_OVER = "dispatch:parcel:handed_over"
HANDOVER_REFUSED = "dispatch:parcel:handover_refused"
UNKNOWN_TOKEN_SUBJECT = "label_token:unknown"  # noqa: S105 - the subject of events about an unusable token
MAX_EVENTS = 10_000


@dataclass(frozen=True, slots=True)
class Circumstances:
    """Where a request came from, as the audit log records it: the client address and the station."""

    client: str | None = None
    station_code: str | None = None


def station_code_of(uow: UnitOfWork, principal: Principal) -> str | None:
    """The code of the station the principal works at, for the audit log (None for non-station roles)."""
    if principal.station_id is None:
        return None
    station = uow.stations.get(principal.station_id)
    return station.code if station is not None else None


def person_event(
    ctx: ServiceContext,
    principal: Principal,
    action: str,
    *,
    subject: str,
    circumstances: Circumstances,
    details: Mapping[str, AuditValue] | None = None,
) -> AuditEvent:
    """An audit event about something a person (or key) did, with who, where and from which device."""
    return AuditEvent(
        action=action,
        actor=principal.actor,
        occurred_at=ctx.clock(),
        subject=subject,
        details={
            "role": principal.role.value if principal.role is not None else None,
            "organisation": principal.organisation_id,
            "station": circumstances.station_code,
            "device": principal.device,
            "client": circumstances.client,
            **(details or {}),
        },
    )


def reveal_event(
    ctx: ServiceContext,
    principal: Principal,
    *,
    subject: str,
    fields: Sequence[str],
    purpose: str | None,
    ticket: str | None,
    allowed: bool,
    reason: str,
    circumstances: Circumstances,
    grant_id: int | None = None,
    via: str = "tracking_number",
) -> AuditEvent:
    """The event of one reveal decision: field names only, never their values."""
    return person_event(
        ctx,
        principal,
        REVEAL_ALLOWED if allowed else REVEAL_REFUSED,
        subject=subject,
        circumstances=circumstances,
        details={
            "fields": ",".join(fields),
            "purpose": purpose,
            "ticket": ticket,
            "decision": "allowed" if allowed else "refused",
            "reason": reason,
            "grant": grant_id,
            "via": via,
        },
    )


def list_audit_events(
    ctx: ServiceContext,
    *,
    principal: Principal,
    subject: str | None = None,
    actor: str | None = None,
    limit: int = 1000,
) -> list[AuditEvent]:
    """Audit events, oldest first, filtered by subject (a tracking number) and/or actor (a username, read
    as ``user:<name>``, or an actor as recorded such as ``cli:ops``), at most ``limit`` (1 to 10,000).

    For the carrier's operators (the CLI) and administrators: PermissionDeniedError ``forbidden`` for
    anyone else. Raises ValidationError ``invalid_tracking_number`` / ``invalid_request`` (``actor``,
    ``limit``)."""
    principal.require_carrier("audit events are the carrier's: a platform's keys and people do not read them")
    principal.require(Scope.ADMIN)
    number = TrackingNumber.parse(subject).value if subject is not None else None
    recorded = _actor(actor) if actor is not None else None
    if not 1 <= limit <= MAX_EVENTS:
        raise ValidationError(
            f"limit must be 1 to {MAX_EVENTS}", code=ErrorCode.INVALID_REQUEST, field="limit"
        )
    with ctx.uow() as uow:
        return uow.audit_search.search(subject=number, actor=recorded, limit=limit)


def list_alerts(ctx: ServiceContext, *, principal: Principal, limit: int = 100) -> list[AlertRecord]:
    """The newest alerts (reveal ceilings reached, people under notice or gone who are busy), newest
    first, for the carrier's operators and administrators (PermissionDeniedError ``forbidden`` otherwise).
    """
    principal.require_carrier("alerts are the carrier's: a platform's keys and people do not read them")
    principal.require(Scope.ADMIN)
    if not 1 <= limit <= MAX_EVENTS:
        raise ValidationError(
            f"limit must be 1 to {MAX_EVENTS}", code=ErrorCode.INVALID_REQUEST, field="limit"
        )
    with ctx.uow() as uow:
        return uow.alerts.list(limit=limit)


def _actor(raw: str) -> str:
    if ":" in raw:
        kind, _, name = raw.partition(":")
        if kind in ("user", "cli", "apikey", "system") and name and name.isprintable() and len(raw) <= 100:
            return raw
        raise ValidationError(
            "actor is a username or an actor as recorded (user:NAME, cli:NAME, apikey:ID)",
            code=ErrorCode.INVALID_REQUEST,
            field="actor",
        )
    try:
        return actor_for(parse_username(raw))
    except ValidationError:
        raise ValidationError(
            "actor is a username or an actor as recorded (user:NAME, cli:NAME, apikey:ID)",
            code=ErrorCode.INVALID_REQUEST,
            field="actor",
        ) from None
