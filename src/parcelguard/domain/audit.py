"""Audit events: who did what to which record, when; never the personal data itself.

Events are written in the same transaction as the change they describe. Their canonical bytes are what the
transparency log (RFC 9162, services/transparency_log.py) hashes as leaves, so the serialisation is fixed and
versioned (docs/audit-log.md): encoding version 1 is one JSON object with exactly the keys ``action``,
``actor``, ``details``, ``occurred_at``, ``subject`` and ``v`` (= 1), keys sorted, no whitespace, UTF-8 with
non-ASCII characters as themselves, ``occurred_at`` in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``, details
values strings, integers, finite floats, booleans or null. A later version changes ``v``; the leaves of
version 1 stay as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

AuditValue = str | int | float | bool | None
CANONICAL_VERSION = 1
_ACTION = re.compile(r"^[a-z][a-z_]*:[a-z][a-z_]*:[a-z][a-z_]*$")

WAYBILL_ISSUED = "waybill:waybill:issued"
WAYBILL_BATCH_ISSUED = "waybill:batch:issued"
WAYBILL_VIEWED_MASKED = "waybill:waybill:viewed_masked"
LABEL_RENDERED = "waybill:label:rendered"
LABEL_TOKEN_RESOLVED = "waybill:label_token:resolved"  # noqa: S105 - an event name, not a secret
LABEL_TOKEN_REVOKED = "waybill:label_token:revoked"  # noqa: S105 - an event name, not a secret
KEYS_KEK_ROTATED = "keys:kek:rotated"
API_KEY_CREATED = "access:api_key:created"
API_KEY_REVOKED = "access:api_key:revoked"
ORGANISATION_CREATED = "access:organisation:created"
KEYS_CANARY_SEALED = "keys:canary:sealed"
# people and sign-in (issue 10): never a password, a one-time code, a token or a session id in details
STATION_CREATED = "access:station:created"
USER_CREATED = "access:user:created"
USER_DISABLED = "access:user:disabled"
USER_OFFBOARDED = "access:user:offboarded"
USER_ENABLED = "access:user:enabled"  # a disabled user enabled again (offboarding is not undone)
USER_SECOND_FACTOR_RESET = "access:user:second_factor_reset"  # a new TOTP secret; the old one is gone
USER_PASSWORD_SET = "access:user:password_set"  # noqa: S105 - an event name; the password never in details
SIGN_IN_SUCCEEDED = "access:sign_in:succeeded"
SIGN_IN_FAILED = "access:sign_in:failed"
SIGN_IN_LOCKED = "access:sign_in:locked"  # an account or a client address reached the failure limit
SESSION_CLOSED = "access:session:closed"
# a live token or session presented by a person who may no longer act (disabled, offboarded): the refusal
CREDENTIAL_REFUSED = "access:credential:refused"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """``action`` follows ``area:subject:action``; ``subject`` names the record (a tracking number)."""

    action: str
    actor: str
    occurred_at: datetime
    subject: str
    details: Mapping[str, AuditValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _ACTION.match(self.action):
            raise ValueError("audit action must look like area:subject:action")
        if self.occurred_at.tzinfo is None:
            raise ValueError("audit timestamps must be timezone-aware")

    def canonical_bytes(self) -> bytes:
        """The exact bytes the transparency log commits to (encoding version ``CANONICAL_VERSION``);
        ValueError for a NaN or infinite float in ``details`` (no JSON for it)."""
        return canonical_event_bytes(
            self.action, self.actor, utc_text(self.occurred_at), self.subject, self.details
        )


_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def utc_text(at: datetime) -> str:
    """An aware timestamp as encoding version 1 writes it: UTC, microseconds, ``+00:00``."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_event_bytes(
    action: str, actor: str, occurred_at: str, subject: str, details: Mapping[str, AuditValue]
) -> bytes:
    """Encoding version 1 of an event from its stored fields (``occurred_at`` already ``utc_text``): what
    ``AuditEvent.canonical_bytes`` gives, without building and validating an AuditEvent per leaf (the
    sequencer's and ``verify-db``'s path)."""
    body = {
        "action": action,
        "actor": actor,
        "details": details if isinstance(details, dict) else dict(details),
        "occurred_at": occurred_at,
        "subject": subject,
        "v": CANONICAL_VERSION,
    }
    return _ENCODE(body).encode()
