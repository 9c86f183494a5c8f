"""Platform API keys and the scopes they carry.

A key is shown once at creation as ``pgk_<key id>_<secret>``; only a SHA-256 of the secret is stored (the
secret is 256 random bits, so a slow password hash would add nothing). People (``domain/people.py``) sign in
with passwords and tokens instead, and become the same ``Principal``: the thing every decision is about.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from parcelguard.domain.organisation import CARRIER_ORGANISATION_ID, OrganisationKind
from parcelguard.errors import AuthenticationError, ErrorCode, PermissionDeniedError, ValidationError

if TYPE_CHECKING:  # people.py maps roles to the scopes defined here
    from parcelguard.domain.people import Role

_PRESENTED = re.compile(r"^pgk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")


class Scope(StrEnum):
    WAYBILL_ISSUE = "waybill:issue"
    WAYBILL_READ = "waybill:read"
    LABEL_PRINT = "label:print"
    LABEL_TOKEN_RESOLVE = "label_token:resolve"  # noqa: S105 - a scope name, not a secret
    ADMIN = "admin"
    DEID_USE = "deid:use"
    # the SIP server asking where a call to a virtual number goes (issue 12); carrier keys only
    TELEPHONY_ROUTE = "telephony:route"


ALL_SCOPES = frozenset(Scope)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: ``actor`` is what the audit log records (``apikey:<id>``, ``cli:<user>``,
    ``user:<username>``).

    ``organisation_id`` is the tenant the principal acts for: a platform's principal sees only the
    waybills, label tokens and idempotency records of its own organisation. The default (the carrier) is
    for operators and tests; every principal built from an API key names its key's organisation.

    A person signed in with a bearer token or a page session (``auth_method`` ``token`` / ``session``)
    also carries ``user_id``, ``username``, ``role``, ``station_id``, whether they passed a second factor,
    their offboarding date (reveals drop to zero from it) and the device they named; their scopes come
    from the role (``domain.people.ROLE_SCOPES``). API keys leave these at their defaults.
    """

    actor: str
    scopes: frozenset[Scope]
    organisation_id: int = CARRIER_ORGANISATION_ID
    organisation_kind: OrganisationKind = OrganisationKind.CARRIER
    user_id: int | None = None
    username: str | None = None
    role: Role | None = None
    station_id: int | None = None
    second_factor: bool = False
    offboard_from: datetime | None = None
    auth_method: str = "api_key"  # "api_key" | "token" | "session"
    device: str | None = None

    @property
    def is_user(self) -> bool:
        """Whether a person (not an API key or the CLI operator) is acting."""
        return self.user_id is not None

    @property
    def sees_every_organisation(self) -> bool:
        """The carrier's administrator keys and the carrier's people see every tenant's waybills.

        The carrier picks up, sorts, delivers and answers for every platform's parcels, so its couriers,
        clerks, managers and customer service must find them (masked; what they may see unmasked is the
        reveal policy's decision, ``domain.reveal_policy``). A platform's keys and people see their own
        organisation's only; the carrier's keys without ``admin`` see the carrier's own waybills.
        """
        if self.organisation_kind is not OrganisationKind.CARRIER:
            return False
        return Scope.ADMIN in self.scopes or self.is_user

    @property
    def visible_organisation(self) -> int | None:
        """The one organisation whose records this principal sees, or None for all of them."""
        return None if self.sees_every_organisation else self.organisation_id

    def sees(self, organisation_id: int) -> bool:
        """Whether a record issued by ``organisation_id`` exists as far as this principal is concerned."""
        return self.sees_every_organisation or organisation_id == self.organisation_id

    def require_carrier(self, refusal: str) -> None:
        """Raise PermissionDeniedError ``forbidden`` (with ``refusal`` as its message) unless this principal
        acts for the carrier: what only the carrier holds (its audit log, alerts, telephony) is refused to a
        platform's keys and people whatever their scopes or role."""
        if self.organisation_kind is not OrganisationKind.CARRIER:
            raise PermissionDeniedError(refusal, code=ErrorCode.FORBIDDEN)

    def require(self, scope: Scope) -> None:
        """Raise unless this principal holds ``scope`` (or is an administrator)."""
        if scope not in self.scopes and Scope.ADMIN not in self.scopes:
            holder = f"the role {self.role.value}" if self.role is not None else "this key"
            raise PermissionDeniedError(f"{holder} lacks the scope {scope.value}", code=ErrorCode.FORBIDDEN)


@dataclass(frozen=True, slots=True)
class NewApiKey:
    key_id: str
    secret: str
    secret_hash: str

    @property
    def presented(self) -> str:
        return f"pgk_{self.key_id}_{self.secret}"


def new_api_key() -> NewApiKey:
    """A fresh key id and secret; the caller stores only ``secret_hash``."""
    key_id = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
    secret = secrets.token_urlsafe(32)
    return NewApiKey(key_id=key_id, secret=secret, secret_hash=hash_secret(secret))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_presented_key(presented: str) -> tuple[str, str]:
    """Key id and secret from ``pgk_<id>_<secret>``; a malformed key is an authentication failure."""
    match = _PRESENTED.match(presented.strip())
    if match is None:
        raise AuthenticationError("malformed API key", code=ErrorCode.UNAUTHENTICATED)
    return match.group(1), match.group(2)


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def parse_scopes(raw: str) -> frozenset[Scope]:
    """Scopes from a comma list; an unknown scope is refused rather than ignored."""
    scopes = set()
    for part in filter(None, (item.strip() for item in raw.split(","))):
        try:
            scopes.add(Scope(part))
        except ValueError:
            raise ValidationError(f"unknown scope {part!r}", code=ErrorCode.INVALID_REQUEST) from None
    return frozenset(scopes)
