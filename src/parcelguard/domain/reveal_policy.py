"""Who may see which unmasked field of which waybill, when and why: pure rules, default deny.

Insiders with legitimate accounts cause most leaks (a courier photographing labels, a sold account, a
customer-service agent bulk-downloading before leaving), so a reveal is allowed only on a path written
here, and every answer, allowed or refused, carries a reason code the audit log records:

- A **courier** sees the recipient's name, address and mobile of waybills assigned to them, only while the
  parcel is out for delivery and for a grace period after it is delivered (PARCELGUARD_REVEAL_GRACE_HOURS).
- A **customer-service agent** names a ticket and a purpose; each reveal counts against a daily quota
  (PARCELGUARD_REVEAL_DAILY_QUOTA); beyond it only waybills and fields a security officer approved
  (break-glass: named waybills, time-boxed, never approved by the requester) are revealed.
- A **regulator** names a ticket (the legal request) and a purpose.
- Everyone, approvals included, stops at a daily ceiling (PARCELGUARD_REVEAL_DAILY_CEILING): beyond it the
  answer is ``quota_exceeded`` and an alert is raised.
- Nobody else reveals: outlet clerks hand parcels over on a pickup code and the last 4 digits of the
  mobile (``services.pickup``), administrators, station managers and security officers manage, API keys
  belong to platforms. The sender's identity-document number is never revealed (the real-name rules ask for
  verification, not display: 快递暂行条例 Art. 22); couriers verify it through the blind index.
- A disabled person, a person whose offboarding date has come, and a person of a role that needs a second
  factor who signed in without one, are refused before anything else is looked at. A person under notice
  (offboarding date set, not yet come) who does much in one day raises an alert.

The service feeds ``decide`` the freshest facts it has (in the same transaction as the answer) and records
the decision; this module does no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from parcelguard.domain import waybill as wb
from parcelguard.domain.china_time import CHINA_STANDARD_TIME
from parcelguard.domain.people import SECOND_FACTOR_ROLES, Role
from parcelguard.domain.waybill import WaybillStatus
from parcelguard.errors import ErrorCode, ValidationError

RECIPIENT_FIELDS = (wb.RECIPIENT_NAME, wb.RECIPIENT_MOBILE, wb.RECIPIENT_ADDRESS)
SENDER_FIELDS = (wb.SENDER_NAME, wb.SENDER_MOBILE, wb.SENDER_ADDRESS)
REVEALABLE_FIELDS = RECIPIENT_FIELDS + SENDER_FIELDS
"""Fields a reveal may name, with the names the ciphertexts are bound to (domain.waybill)."""
NEVER_REVEALED = (wb.SENDER_ID_NUMBER,)
"""Fields a reveal may name only to be refused ``field_not_allowed``: nobody sees them unmasked."""
REQUESTABLE_FIELDS = REVEALABLE_FIELDS + NEVER_REVEALED

FIELDS_FOR: dict[Role, frozenset[str]] = {
    Role.COURIER: frozenset(RECIPIENT_FIELDS),
    Role.CS_AGENT: frozenset(REVEALABLE_FIELDS),
    Role.REGULATOR: frozenset(REVEALABLE_FIELDS),
}
"""The roles that reveal at all, and what each may see."""

MAX_TICKET_CHARS = 40
_TICKET = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,9}-[A-Za-z0-9-]{1,30}$", re.ASCII)
_LONG_NUMBER = re.compile(r"[0-9]{11,}")  # a mobile or an ID number: the audit log records tickets


class Purpose(StrEnum):
    """Why data is revealed: a closed list, so the audit log never holds free text (which could hold PII)."""

    DELIVERY = "delivery"
    RETURN = "return"
    CUSTOMER_REQUEST = "customer_request"
    COMPLAINT = "complaint"
    CLAIM = "claim"
    LEGAL_REQUEST = "legal_request"


class AllowReason(StrEnum):
    """Why a reveal was allowed (refusals carry an ErrorCode instead)."""

    OUT_FOR_DELIVERY = "out_for_delivery"
    GRACE_PERIOD = "grace_period"
    WITHIN_QUOTA = "within_quota"
    BREAK_GLASS = "break_glass"
    REGULATOR_REQUEST = "regulator_request"


class AlertKind(StrEnum):
    CEILING_REACHED = "reveal_ceiling_reached"  # someone asked beyond every quota, approvals included
    OFFBOARDING_ACTIVITY = "offboarding_bulk_activity"  # a person under notice or gone is busy


@dataclass(frozen=True, slots=True)
class RevealLimits:
    """``grace``: how long after delivery a courier still sees the address (default 24 h);
    ``daily_quota``: a customer-service agent's reveals per day before break-glass;
    ``daily_ceiling``: anyone's reveals per day, approvals included; ``notice_bulk_threshold``: requests
    in one day (reveals, refusals and searches) by a person with an offboarding date that raise an alert;
    ``daily_request_ceiling``: anyone's requests in one day (reveals, refusals and searches) beyond which
    masked searches are refused too, with an alert: masked results in bulk are still a customer list
    (a mobile searched for, with its owner's surname and street), what a leaving agent would download."""

    grace: timedelta = timedelta(hours=24)
    daily_quota: int = 20
    daily_ceiling: int = 200
    notice_bulk_threshold: int = 10
    daily_request_ceiling: int = 1000

    def __post_init__(self) -> None:
        if self.grace < timedelta(0) or self.daily_quota < 0 or self.daily_ceiling < self.daily_quota:
            raise ValueError("reveal limits: grace >= 0 and 0 <= daily_quota <= daily_ceiling")
        if self.daily_request_ceiling < self.daily_ceiling:
            raise ValueError("reveal limits: daily_request_ceiling >= daily_ceiling")
        if self.notice_bulk_threshold < 1:
            raise ValueError("reveal limits: notice_bulk_threshold >= 1")


@dataclass(frozen=True, slots=True)
class Requester:
    """The person asking, as the database knows them at the time of the request (``role`` None: an API
    key or the CLI operator, who never reveal)."""

    role: Role | None
    user_id: int | None
    second_factor: bool
    disabled: bool
    offboard_from: datetime | None


@dataclass(frozen=True, slots=True)
class Subject:
    """The waybill asked about: its status, its assigned courier (user id) and when it was delivered."""

    tracking_number: str
    status: WaybillStatus
    assigned_courier_id: int | None
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class Grant:
    """A break-glass approval: ``requester_id`` may see ``fields`` of ``tracking_numbers`` until
    ``expires_at``, once a security officer other than the requester approved it (``approved_at``)."""

    id: int
    requester_id: int
    tracking_numbers: frozenset[str]
    fields: frozenset[str]
    approved_at: datetime | None
    expires_at: datetime | None

    def covers(self, user_id: int, tracking_number: str, fields: Sequence[str], now: datetime) -> bool:
        return (
            self.requester_id == user_id
            and self.approved_at is not None
            and self.expires_at is not None
            and now < self.expires_at
            and tracking_number in self.tracking_numbers
            and set(fields) <= self.fields
        )


@dataclass(frozen=True, slots=True)
class Usage:
    """The requester's day so far (China Standard Time days): reveals allowed, and every request counted
    (allowed, refused, searches)."""

    revealed: int = 0
    requests: int = 0


@dataclass(frozen=True, slots=True)
class Decision:
    """``reason`` is an AllowReason value when allowed, an ErrorCode value when refused. ``counted``: the
    reveal takes one from the requester's day, up to ``limit``; ``grant_id``: the approval it used."""

    allowed: bool
    reason: str
    message: str
    counted: bool = False
    limit: int | None = None
    grant_id: int | None = None
    alert: AlertKind | None = None


def refuse(code: ErrorCode, message: str, alert: AlertKind | None = None) -> Decision:
    return Decision(allowed=False, reason=code.value, message=message, alert=alert)


def decide(
    requester: Requester,
    subject: Subject | None,
    fields: Sequence[str],
    *,
    purpose: Purpose | None,
    ticket: str | None,
    usage: Usage,
    grants: Sequence[Grant],
    limits: RevealLimits,
    now: datetime,
) -> Decision:
    """Whether ``requester`` may see ``fields`` of ``subject`` now; refused unless a rule allows it.

    ``subject`` None is a waybill the requester may not know exists: a courier hears ``not_assigned``
    (guessing numbers teaches nothing), anyone else ``role_not_allowed`` or the first rule they fail.
    The checks run in a fixed order: the person (disabled, offboarding, second factor), the role and its
    fields, the waybill (assignment and window for couriers), purpose and ticket, the ceiling, the quota.
    """
    decision = _decide(requester, subject, fields, purpose, ticket, usage, grants, limits, now)
    if decision.alert is None and busy_under_notice(requester, usage, limits):
        return _with_alert(decision, AlertKind.OFFBOARDING_ACTIVITY)
    return decision


def _decide(
    requester: Requester,
    subject: Subject | None,
    fields: Sequence[str],
    purpose: Purpose | None,
    ticket: str | None,
    usage: Usage,
    grants: Sequence[Grant],
    limits: RevealLimits,
    now: datetime,
) -> Decision:
    person = check_person(requester, now)
    if person is not None:
        return person
    role = requester.role
    allowed_fields = FIELDS_FOR.get(role) if role is not None else None
    if role is None or allowed_fields is None or requester.user_id is None:
        return refuse(ErrorCode.ROLE_NOT_ALLOWED, "this role does not reveal personal data")
    if not fields or not set(fields) <= allowed_fields:
        return refuse(ErrorCode.FIELD_NOT_ALLOWED, f"a {role.value} may not see one of these fields")
    if role is Role.COURIER:
        return _courier(requester.user_id, subject, purpose, usage, limits, now)
    if purpose is None:
        return refuse(ErrorCode.PURPOSE_REQUIRED, "a reveal names its purpose")
    if ticket is None:
        return refuse(ErrorCode.TICKET_REQUIRED, f"a {role.value} names the ticket the reveal serves")
    if subject is None:
        return refuse(ErrorCode.NOT_ASSIGNED, "no such waybill for this person")
    if usage.revealed >= limits.daily_ceiling:
        return _ceiling()
    if role is Role.REGULATOR:
        return _allow(AllowReason.REGULATOR_REQUEST, limit=limits.daily_ceiling)
    if usage.revealed < limits.daily_quota:
        return _allow(AllowReason.WITHIN_QUOTA, limit=limits.daily_quota)
    for grant in grants:
        if grant.covers(requester.user_id, subject.tracking_number, fields, now):
            return _allow(AllowReason.BREAK_GLASS, limit=limits.daily_ceiling, grant_id=grant.id)
    return refuse(
        ErrorCode.APPROVAL_REQUIRED,
        "today's reveal quota is used: a security officer's break-glass approval is needed",
    )


def check_person(requester: Requester, now: datetime) -> Decision | None:
    """The refusal every action of a person starts with (disabled, offboarded, no second factor), or
    None. API keys (``role`` None) pass: what they may do is decided by their scopes and the role rules."""
    if requester.disabled:
        return refuse(ErrorCode.USER_DISABLED, "this account is disabled")
    if requester.offboard_from is not None and requester.offboard_from <= now:
        return refuse(
            ErrorCode.OFFBOARDING, "this person's offboarding date has come", AlertKind.OFFBOARDING_ACTIVITY
        )
    if requester.role in SECOND_FACTOR_ROLES and not requester.second_factor:
        return refuse(ErrorCode.SECOND_FACTOR_REQUIRED, "this role signs in with a second factor")
    return None


def _courier(
    user_id: int,
    subject: Subject | None,
    purpose: Purpose | None,
    usage: Usage,
    limits: RevealLimits,
    now: datetime,
) -> Decision:
    if subject is None or subject.assigned_courier_id != user_id:
        return refuse(ErrorCode.NOT_ASSIGNED, "this waybill is not assigned to this courier")
    if subject.status is WaybillStatus.OUT_FOR_DELIVERY:
        reason = AllowReason.OUT_FOR_DELIVERY
    elif (
        subject.status is WaybillStatus.DELIVERED
        and subject.delivered_at is not None
        and now <= subject.delivered_at + limits.grace
    ):
        reason = AllowReason.GRACE_PERIOD
    else:
        return refuse(
            ErrorCode.OUTSIDE_WINDOW,
            "a courier sees a waybill while it is out for delivery and shortly after delivery",
        )
    if purpose is None:
        return refuse(ErrorCode.PURPOSE_REQUIRED, "a reveal names its purpose")
    if usage.revealed >= limits.daily_ceiling:
        return _ceiling()
    return _allow(reason, limit=limits.daily_ceiling)


def _allow(reason: AllowReason, *, limit: int, grant_id: int | None = None) -> Decision:
    return Decision(
        allowed=True, reason=reason.value, message="allowed", counted=True, limit=limit, grant_id=grant_id
    )


def _ceiling() -> Decision:
    return refuse(
        ErrorCode.QUOTA_EXCEEDED,
        "today's reveal ceiling is reached: refused whatever the approvals",
        AlertKind.CEILING_REACHED,
    )


def searches_exhausted(usage: Usage, limits: RevealLimits) -> bool:
    """Whether the person already made the day's ``daily_request_ceiling`` requests: a further masked
    search is refused (``quota_exceeded``) and raises the ceiling alert."""
    return usage.requests >= limits.daily_request_ceiling


def busy_under_notice(requester: Requester, usage: Usage, limits: RevealLimits) -> bool:
    """Whether this request makes a person with an offboarding date (gone or under notice) reach the day's
    bulk threshold: one alert a day, at the crossing, not one per request after it."""
    # Exactly at the crossing: one alert a day, not one per request after it.
    return requester.offboard_from is not None and usage.requests + 1 == limits.notice_bulk_threshold


def _with_alert(decision: Decision, alert: AlertKind) -> Decision:
    return Decision(
        allowed=decision.allowed,
        reason=decision.reason,
        message=decision.message,
        counted=decision.counted,
        limit=decision.limit,
        grant_id=decision.grant_id,
        alert=alert,
    )


def after_lost_race(decision: Decision, limits: RevealLimits) -> Decision:
    """The answer when the counter refused the slot ``decision`` counted on (another request of the same
    person took the last one first): beyond the quota, approval; beyond the ceiling, refused and alerted."""
    if decision.limit is not None and decision.limit < limits.daily_ceiling:
        return refuse(
            ErrorCode.APPROVAL_REQUIRED,
            "today's reveal quota is used: a security officer's break-glass approval is needed",
        )
    return _ceiling()


def parse_fields(raw: object) -> tuple[str, ...]:
    """The fields a reveal names: a non-empty list of distinct names from REQUESTABLE_FIELDS
    (``recipient.mobile``...). Raises ValidationError ``invalid_request`` (field ``fields`` or
    ``fields.<index>``); the field names are ours, so the message may name them."""
    if not isinstance(raw, list) or not raw:
        raise ValidationError(
            "fields must be a non-empty array of field names", code=ErrorCode.INVALID_REQUEST, field="fields"
        )
    seen: list[str] = []
    for index, item in enumerate(raw):
        if not isinstance(item, str) or item not in REQUESTABLE_FIELDS or item in seen:
            raise ValidationError(
                "each field is one of " + ", ".join(REQUESTABLE_FIELDS) + ", named once",
                code=ErrorCode.INVALID_REQUEST,
                field=f"fields.{index}",
            )
        seen.append(item)
    return tuple(seen)


def parse_purpose(raw: object) -> Purpose | None:
    """A Purpose from its name; None when absent or blank (the policy then answers ``purpose_required``).
    Raises ValidationError ``invalid_request`` (field ``purpose``) for anything else."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str):
        for purpose in Purpose:
            if raw.strip() == purpose.value:
                return purpose
    raise ValidationError(
        "purpose must be one of " + ", ".join(p.value for p in Purpose),
        code=ErrorCode.INVALID_REQUEST,
        field="purpose",
    )


def parse_ticket(raw: object) -> str | None:
    """A ticket reference (``CS-20261130-0042``: a letter prefix, ``-``, letters, digits and ``-``, at most
    40 characters); None when absent or blank. The audit log records it, so a ticket holding 11 or more
    digits in a row (a mobile, an ID number) is refused.
    Raises ValidationError ``invalid_request`` (field ``ticket``)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if (
        not isinstance(raw, str)
        or len(raw) > MAX_TICKET_CHARS
        or not _TICKET.match(raw)
        or _LONG_NUMBER.search(raw)
    ):
        raise ValidationError(
            "ticket must look like CS-20261130-0042 (a letter prefix, '-', letters, digits, '-'; "
            f"at most {MAX_TICKET_CHARS} characters; no run of 11 digits)",
            code=ErrorCode.INVALID_REQUEST,
            field="ticket",
        )
    return raw


def day_of(moment: datetime) -> str:
    """The China Standard Time day (``YYYY-MM-DD``) quotas count in: a quota renews at midnight in China."""
    return moment.astimezone(CHINA_STANDARD_TIME).date().isoformat()
