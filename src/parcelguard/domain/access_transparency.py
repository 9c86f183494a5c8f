"""What a customer sees of the accesses to their parcel's personal data, and the rules of proving control.

A sender or recipient proves control of a parcel with its tracking number, the last 4 digits of their own
mobile and a one-time code sent to that mobile (:data:`CODE_DIGITS` digits, good for :data:`CODE_TTL`,
:data:`MAX_TRIES` tries, once). They then see each audit event about the parcel's personal data as an
:class:`AccessEntry`: when (to the minute), what kind of access, the role, organisation and station of
whoever made it, the purpose and the decision, and a masked staff identifier.

The identifier is a keyed digest of the actor *and the waybill* (computed by the service with the blind-index
key, kind :data:`STAFF_ALIAS_KIND`): two accesses to one parcel by the same person show the same identifier,
while the same person on another parcel shows another, so nobody can follow a member of staff across parcels
or learn who they are. The entry never carries the actor, the client address, the device, the ticket or
the field values; times are cut to the minute, since the exact instant is part of what an event's leaf hash
commits to (so nobody can test guesses of the person against the leaf hash).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from parcelguard.domain.audit import AuditValue

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=5)
MAX_TRIES = 5
PASS_TTL = timedelta(minutes=15)  # the default life of the view pass a verified code earns
STAFF_ALIAS_KIND = "access_staff"  # blind-index kind of the masked staff identifier (never reused)
CODE_DIGEST_KIND = "access_code"  # blind-index kind of a challenge's code digest
MAX_ENTRIES = 500  # the newest events shown for one parcel; a parcel's life has a few dozen

# Events customers write while proving control (subject: the tracking number they typed).
CODE_SENT = "customer:access_code:sent"  # the digits matched a party: a code went to that party's mobile
CODE_NOT_SENT = "customer:access_code:unmatched"  # the digits matched nobody: nothing sent, same answer
CODE_VERIFIED = "customer:access_code:verified"
CODE_REFUSED = "customer:access_code:refused"
REPORT_VIEWED = "customer:access_report:viewed"


class Party(StrEnum):
    """Whose mobile's last 4 digits were given, so whose mobile the code goes to."""

    RECIPIENT = "recipient"
    SENDER = "sender"


class AccessKind(StrEnum):
    """What happened to the parcel's personal data, as a customer reads it."""

    REVEALED = "revealed"  # a field was shown unmasked (or refused)
    SEARCHED = "searched"  # customer service found the parcel (masked results)
    VIEWED_MASKED = "viewed_masked"  # the masked record was read
    LABEL_PRINTED = "label_printed"
    LABEL_SCANNED = "label_scanned"  # the label's QR token was resolved
    IDENTITY_CHECKED = "identity_checked"  # the sender's real-name check at pickup
    HANDED_OVER = "handed_over"  # the pickup code and last 4 digits checked at the counter
    BREAK_GLASS = "break_glass"  # a request beyond the daily quota, its approval or refusal
    EXPORTED = "exported"
    CUSTOMER_PROOF = "customer_proof"  # a customer asked for or used a one-time code for this parcel


KIND_LABELS: dict[AccessKind, str] = {
    AccessKind.REVEALED: "查看完整信息 · Full data requested",
    AccessKind.SEARCHED: "客服查询 · Found by customer service",
    AccessKind.VIEWED_MASKED: "查看脱敏信息 · Masked record read",
    AccessKind.LABEL_PRINTED: "打印面单 · Label printed",
    AccessKind.LABEL_SCANNED: "扫描面单二维码 · Label QR scanned",
    AccessKind.IDENTITY_CHECKED: "实名核验 · Sender's ID checked",
    AccessKind.HANDED_OVER: "驿站取件核验 · Pickup check",
    AccessKind.BREAK_GLASS: "特批申请 · Break-glass request",
    AccessKind.EXPORTED: "导出 · Exported",
    AccessKind.CUSTOMER_PROOF: "客户验证 · Customer proof of control",
}

# The customer's own steps, each in its words (the kind's label would not tell them apart).
ACTION_LABELS: dict[str, str] = {
    CODE_SENT: "验证码已发送 · Code sent to the mobile",
    CODE_NOT_SENT: "尾号不符，未发送 · Code asked for, digits matched no one",
    CODE_VERIFIED: "验证通过 · Code verified",
    CODE_REFUSED: "验证码错误 · Wrong code typed",
    REPORT_VIEWED: "查看访问记录 · This list viewed",
}

# action -> kind; an action ending in ``:exported`` about the parcel is an export whatever its area.
_KINDS: dict[str, AccessKind] = {
    "reveal:waybill:revealed": AccessKind.REVEALED,
    "reveal:waybill:refused": AccessKind.REVEALED,
    "reveal:search:masked": AccessKind.SEARCHED,
    "reveal:search:refused": AccessKind.SEARCHED,
    "waybill:waybill:viewed_masked": AccessKind.VIEWED_MASKED,
    "waybill:label:rendered": AccessKind.LABEL_PRINTED,
    "waybill:label_token:resolved": AccessKind.LABEL_SCANNED,
    "dispatch:sender_identity:checked": AccessKind.IDENTITY_CHECKED,
    "dispatch:parcel:handed_over": AccessKind.HANDED_OVER,
    "dispatch:parcel:handover_refused": AccessKind.HANDED_OVER,
    "reveal:grant:requested": AccessKind.BREAK_GLASS,
    "reveal:grant:approved": AccessKind.BREAK_GLASS,
    "reveal:grant:refused": AccessKind.BREAK_GLASS,
    CODE_SENT: AccessKind.CUSTOMER_PROOF,
    CODE_NOT_SENT: AccessKind.CUSTOMER_PROOF,
    CODE_VERIFIED: AccessKind.CUSTOMER_PROOF,
    CODE_REFUSED: AccessKind.CUSTOMER_PROOF,
    REPORT_VIEWED: AccessKind.CUSTOMER_PROOF,
}
_REFUSALS = frozenset(
    {
        "reveal:waybill:refused",
        "reveal:search:refused",
        "dispatch:parcel:handover_refused",
        "reveal:grant:refused",
        CODE_NOT_SENT,
        CODE_REFUSED,
    }
)
_PENDING = frozenset({"reveal:grant:requested"})


def access_kind(action: str) -> AccessKind | None:
    """The kind of access an audit action is, or None when it is not an access to personal data (issuance,
    assignment, a status step: the customer's tracking page shows those)."""
    kind = _KINDS.get(action)
    if kind is None and action.endswith(":exported"):
        return AccessKind.EXPORTED
    return kind


def decision_of(action: str, details: Mapping[str, AuditValue]) -> str:
    """``allowed``, ``refused`` or ``pending`` (a break-glass request not yet decided)."""
    recorded = details.get("decision")
    if recorded in ("allowed", "refused"):
        return str(recorded)
    if action in _REFUSALS:
        return "refused"
    if action in _PENDING:
        return "pending"
    return "allowed"


def staff_alias(digest: bytes) -> str:
    """``K7Q2-MXA3``: the first 40 bits of the keyed digest in base32, for reading aloud on the phone.

    40 bits keep two people on one parcel apart (a parcel has a handful of accessors, so a clash is about
    one in 10^11) while saying nothing of who they are."""
    text = base64.b32encode(digest[:5]).decode("ascii")
    return f"{text[:4]}-{text[4:]}"


def to_the_minute(moment: datetime) -> datetime:
    """``moment`` without its seconds and microseconds (see the module docstring for why)."""
    return moment.replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class Accessor:
    """Who made an access, as a customer may know it: never a name, username or key id."""

    role: str | None  # a domain.people.Role value, ``api_key``, ``operator``, ``system`` or ``customer``
    organisation: str | None  # the organisation's name
    station: str | None  # the station's code
    alias: str | None  # the masked staff identifier (None for customers and the system)


@dataclass(frozen=True, slots=True)
class AccessEntry:
    """One access as the customer's page and JSON show it; ``leaf_index`` None until the log includes it."""

    seq: int
    occurred_at: datetime
    action: str
    kind: AccessKind
    accessor: Accessor
    purpose: str | None
    decision: str
    reason: str | None
    fields: tuple[str, ...]
    leaf_index: int | None = None

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action, KIND_LABELS[self.kind])


def entry_of(
    seq: int, action: str, occurred_at: datetime, details: Mapping[str, AuditValue], accessor: Accessor
) -> AccessEntry | None:
    """The customer's view of one audit event, or None when it is no access to personal data.

    Only the closed-list values of ``details`` are kept: the purpose code, the decision and its reason
    code, and the field names (never a value, a ticket, a client address or a device)."""
    kind = access_kind(action)
    if kind is None:
        return None
    purpose = details.get("purpose")
    reason = details.get("reason")
    fields = details.get("fields")
    return AccessEntry(
        seq=seq,
        occurred_at=to_the_minute(occurred_at),
        action=action,
        kind=kind,
        accessor=accessor,
        purpose=str(purpose) if isinstance(purpose, str) and purpose else None,
        decision=decision_of(action, details),
        reason=str(reason) if isinstance(reason, str) and reason else None,
        fields=tuple(f for f in fields.split(",") if f) if isinstance(fields, str) else (),
    )
