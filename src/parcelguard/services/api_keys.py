"""Platform API keys: created by an operator for one organisation, shown once, checked on every request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from parcelguard.domain import audit
from parcelguard.domain.access import (
    NewApiKey,
    Principal,
    Scope,
    new_api_key,
    secret_matches,
    split_presented_key,
)
from parcelguard.domain.audit import AuditEvent
from parcelguard.domain.organisation import CARRIER_ORGANISATION_ID, OrganisationKind
from parcelguard.errors import AuthenticationError, ErrorCode, NotFoundError, ValidationError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import ApiKeyRecord


@dataclass(frozen=True, slots=True)
class ApiKeySummary:
    """What an operator may see of a key: never the secret, nor its hash."""

    key_id: str
    name: str
    organisation_id: int
    organisation_name: str
    organisation_kind: OrganisationKind
    scopes: frozenset[Scope]
    created_at: datetime
    revoked_at: datetime | None


def create_api_key(
    ctx: ServiceContext,
    *,
    actor: str,
    name: str,
    scopes: Iterable[Scope],
    organisation_id: int = CARRIER_ORGANISATION_ID,
) -> NewApiKey:
    """A new key of ``organisation_id``; its secret is returned once and only its hash is stored.

    A platform's key sees only its own organisation's waybills, whatever its scopes; a carrier key with
    ``admin`` sees every organisation's. Raises ValidationError (no scope, bad name) or NotFoundError
    ``organisation_not_found``.
    """
    scope_set = frozenset(scopes)
    if not scope_set:
        raise ValidationError(
            "an API key needs at least one scope", code=ErrorCode.INVALID_REQUEST, field="scopes"
        )
    if not 0 < len(name) <= 100 or not name.isprintable():
        raise ValidationError(
            "name must be 1 to 100 printable characters", code=ErrorCode.INVALID_REQUEST, field="name"
        )
    key = new_api_key()
    with ctx.uow() as uow:
        organisation = uow.organisations.get(organisation_id)
        if organisation is None:
            raise NotFoundError("no such organisation", code=ErrorCode.ORGANISATION_NOT_FOUND)
        now = ctx.clock()
        uow.api_keys.add(
            ApiKeyRecord(
                key_id=key.key_id,
                name=name,
                secret_hash=key.secret_hash,
                scopes=scope_set,
                created_at=now,
                revoked_at=None,
                organisation_id=organisation.id,
            )
        )
        uow.audit.append_many(
            [
                AuditEvent(
                    action=audit.API_KEY_CREATED,
                    actor=actor,
                    occurred_at=now,
                    subject=f"apikey:{key.key_id}",
                    details={
                        "scopes": ",".join(sorted(s.value for s in scope_set)),
                        "organisation_id": organisation.id,
                    },
                )
            ]
        )
        uow.commit()
    return key


def authenticate(ctx: ServiceContext, presented: str) -> Principal:
    """The principal behind a presented key, acting for the key's organisation; every failure looks the
    same to the caller (AuthenticationError ``unauthenticated``)."""
    key_id, secret = split_presented_key(presented)
    with ctx.uow() as uow:
        record = uow.api_keys.get(key_id)
    if (
        record is None
        or record.revoked_at is not None
        or record.organisation_kind is None
        or not secret_matches(secret, record.secret_hash)
    ):
        raise AuthenticationError("invalid or revoked API key", code=ErrorCode.UNAUTHENTICATED)
    return Principal(
        actor=f"apikey:{key_id}",
        scopes=record.scopes,
        organisation_id=record.organisation_id,
        organisation_kind=record.organisation_kind,
    )


def revoke_api_key(ctx: ServiceContext, key_id: str, *, actor: str) -> bool:
    """Revoke a key at once (its next request is refused); False if there is no such active key."""
    with ctx.uow() as uow:
        now = ctx.clock()
        revoked = uow.api_keys.revoke(key_id, now)
        if revoked:
            uow.audit.append_many(
                [
                    AuditEvent(
                        action=audit.API_KEY_REVOKED, actor=actor, occurred_at=now, subject=f"apikey:{key_id}"
                    )
                ]
            )
        uow.commit()
    return revoked


def list_api_keys(ctx: ServiceContext, *, organisation_id: int | None = None) -> list[ApiKeySummary]:
    """Every key, revoked ones included, oldest first; secrets are not stored, so none can be shown."""
    with ctx.uow() as uow:
        records = uow.api_keys.list(organisation_id)
    return [
        ApiKeySummary(
            key_id=r.key_id,
            name=r.name,
            organisation_id=r.organisation_id,
            organisation_name=r.organisation_name or "",
            organisation_kind=r.organisation_kind or OrganisationKind.PLATFORM,
            scopes=r.scopes,
            created_at=r.created_at,
            revoked_at=r.revoked_at,
        )
        for r in records
    ]
