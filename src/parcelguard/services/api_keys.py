"""Platform API keys: created by an operator, shown once, checked on every request."""

from __future__ import annotations

from collections.abc import Iterable

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
from parcelguard.errors import AuthenticationError, ErrorCode, ValidationError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import ApiKeyRecord


def create_api_key(ctx: ServiceContext, *, actor: str, name: str, scopes: Iterable[Scope]) -> NewApiKey:
    """A new key; its secret is returned once and only its hash is stored."""
    scope_set = frozenset(scopes)
    if not scope_set:
        raise ValidationError(
            "an API key needs at least one scope", code=ErrorCode.INVALID_REQUEST, field="scopes"
        )
    if not 0 < len(name) <= 100 or not name.isprintable():
        raise ValidationError("name must be 1 to 100 printable characters", code=ErrorCode.INVALID_REQUEST)
    key = new_api_key()
    now = ctx.clock()
    with ctx.uow() as uow:
        uow.api_keys.add(
            ApiKeyRecord(
                key_id=key.key_id,
                name=name,
                secret_hash=key.secret_hash,
                scopes=scope_set,
                created_at=now,
                revoked_at=None,
            )
        )
        uow.audit.append_many(
            [
                AuditEvent(
                    action=audit.API_KEY_CREATED,
                    actor=actor,
                    occurred_at=now,
                    subject=f"apikey:{key.key_id}",
                    details={"scopes": ",".join(sorted(s.value for s in scope_set))},
                )
            ]
        )
        uow.commit()
    return key


def authenticate(ctx: ServiceContext, presented: str) -> Principal:
    """The principal behind a presented key; every failure looks the same to the caller."""
    key_id, secret = split_presented_key(presented)
    with ctx.uow() as uow:
        record = uow.api_keys.get(key_id)
    if record is None or record.revoked_at is not None or not secret_matches(secret, record.secret_hash):
        raise AuthenticationError("invalid or revoked API key", code=ErrorCode.UNAUTHENTICATED)
    return Principal(actor=f"apikey:{key_id}", scopes=record.scopes)


def revoke_api_key(ctx: ServiceContext, key_id: str, *, actor: str) -> bool:
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
