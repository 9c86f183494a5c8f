"""Key rotation, and the start-up check that the key file belongs to this database.

Rotation: a new key-encryption key version, and every data key rewrapped under it. Field ciphertexts are
never touched: only the small wrapped data keys change, so rotating millions of waybills costs one unwrap
and one wrap each. Batches commit one by one, so an interrupted rotation resumes where it stopped (rows
still under an old version are simply found again).

Fail closed: a key file that does not open what the database holds (deleted and recreated, an older
backup, another installation's) would seal new waybills that nobody can open once the right file comes
back. So every start opens a canary sealed at first start (``verify_key_file``) before any work is done.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from parcelguard.domain import audit
from parcelguard.domain.audit import AuditEvent
from parcelguard.domain.keys import WrappedKey
from parcelguard.errors import ConflictError, CryptoError, ErrorCode, KeyStoreError
from parcelguard.services.context import ServiceContext
from parcelguard.services.parcel_numbers import rewrap_keys
from parcelguard.services.people import totp_owner
from parcelguard.services.ports import KeyCanaryRecord, UnitOfWork

REWRAP_BATCH = 500
# A running server notices a rotation within a fraction of a second (adapters.crypto.keyfile.RECHECK_SECONDS)
# and its open transactions finish soon after; a second sweep after this pause catches what they wrapped.
ROTATION_SETTLE_SECONDS = 2.0
CANARY_OWNER = "parcelguard:key-canary"  # never a waybill id (those are hex), so no AD is ever shared
_INDEX_KIND = "key-canary"  # its own blind-index kind: the digest equals no real index
_TOKEN_ID = bytes(16)


@dataclass(frozen=True, slots=True)
class RotationReport:
    new_version: int
    rewrapped: int


def rotate_keys(
    ctx: ServiceContext,
    *,
    actor: str,
    add_version: bool = True,
    batch_size: int = REWRAP_BATCH,
    settle_seconds: float = ROTATION_SETTLE_SECONDS,
) -> RotationReport:
    """Add a key version (unless resuming) and rewrap every data key still under an older one.

    After the sweep it waits ``settle_seconds`` and sweeps again, for waybills that running servers were
    issuing under the old version while they noticed the rotation. The key canary is rewrapped too.
    """
    version = ctx.keyring.add_kek_version() if add_version else ctx.keyring.current_kek_version
    total = _rewrap_older(ctx, version, batch_size)
    if settle_seconds > 0:
        time.sleep(settle_seconds)
        total += _rewrap_older(ctx, version, batch_size)
    with ctx.uow() as uow:
        canary = uow.key_canary.get()
        if canary is not None and canary.kek_version < version:
            wrapped = ctx.envelope.rewrap(CANARY_OWNER, WrappedKey(canary.kek_version, canary.wrapped_key))
            uow.key_canary.put(
                KeyCanaryRecord(
                    kek_version=wrapped.kek_version,
                    wrapped_key=wrapped.blob,
                    index_check=canary.index_check,
                    token_check=canary.token_check,
                    created_at=canary.created_at,
                )
            )
        # People's TOTP secrets are sealed under data keys of their own (services/people.py): few, so one go.
        people = uow.users.totp_keys_below(version)
        for user_id, username, wrapped_totp in people:
            uow.users.replace_totp_key(user_id, ctx.envelope.rewrap(totp_owner(username), wrapped_totp))
        vnums = rewrap_keys(ctx, uow, version)  # virtual numbers' parties and phones (issue 12)
        uow.audit.append_many(
            [
                AuditEvent(
                    action=audit.KEYS_KEK_ROTATED,
                    actor=actor,
                    occurred_at=ctx.clock(),
                    subject=f"kek:{version}",
                    details={"rewrapped": total, "users_rewrapped": len(people), "vnum_rewrapped": vnums},
                )
            ]
        )
        uow.commit()
    return RotationReport(new_version=version, rewrapped=total)


def _rewrap_older(ctx: ServiceContext, version: int, batch_size: int) -> int:
    total = 0
    while True:
        with ctx.uow() as uow:
            batch = next(uow.waybills.iter_wrapped_keys(version, batch_size), [])
            if not batch:
                return total
            rewrapped = [
                (waybill_id, ctx.envelope.rewrap(waybill_id, wrapped)) for waybill_id, wrapped in batch
            ]
            uow.waybills.replace_wrapped_keys(rewrapped)
            uow.commit()
            total += len(rewrapped)


def waybills_under_older_versions(ctx: ServiceContext) -> int:
    """Data keys not yet rewrapped under the current version (``keys rotate --resume`` finishes them)."""
    with ctx.uow() as uow:
        return uow.waybills.count_wrapped_below(ctx.keyring.current_kek_version)


def verify_key_file(ctx: ServiceContext, *, actor: str) -> bool:
    """Check that the key file opens what the database holds; seal the canary on first start.

    Returns True when this call sealed the canary. Raises KeyStoreError ``key_file_mismatch`` when the
    canary does not open, when its blind-index or label-token digest differs, or when waybills are wrapped
    under a newer key version than the file holds (an older backup of the key file). A database from
    before the canary existed is checked by unwrapping one stored data key before its canary is sealed.
    """
    with ctx.uow() as uow:
        canary = uow.key_canary.get()
        if canary is not None:
            _check_canary(ctx, uow, canary)
            return False
        sample = uow.waybills.any_wrapped_key()
        if sample is not None:
            _opens(ctx, *sample)
        _, wrapped = ctx.envelope.new_data_key(CANARY_OWNER)
        now = ctx.clock()
        try:
            uow.key_canary.put(
                KeyCanaryRecord(
                    kek_version=wrapped.kek_version,
                    wrapped_key=wrapped.blob,
                    index_check=_index_check(ctx),
                    token_check=_token_check(ctx),
                    created_at=now,
                )
            )
            uow.audit.append_many(
                [AuditEvent(action=audit.KEYS_CANARY_SEALED, actor=actor, occurred_at=now, subject="kek")]
            )
            uow.commit()
        except ConflictError:
            conflict = True  # another process sealed it first: check theirs instead
        else:
            conflict = False
    if conflict:
        return verify_key_file(ctx, actor=actor)
    return True


def _check_canary(ctx: ServiceContext, uow: UnitOfWork, canary: KeyCanaryRecord) -> None:
    _opens(ctx, CANARY_OWNER, WrappedKey(canary.kek_version, canary.wrapped_key))
    if not hmac.compare_digest(canary.index_check, _index_check(ctx)) or not hmac.compare_digest(
        canary.token_check, _token_check(ctx)
    ):
        raise _mismatch()
    highest = uow.waybills.highest_kek_version()
    if highest is not None and highest > ctx.keyring.current_kek_version:
        raise _mismatch()


def _opens(ctx: ServiceContext, owner_id: str, wrapped: WrappedKey) -> None:
    try:
        ctx.envelope.open_data_key(owner_id, wrapped)
    except (CryptoError, KeyStoreError):
        failed = True
    else:
        failed = False
    if failed:  # raised outside the except block: nothing chained
        raise _mismatch()


def _index_check(ctx: ServiceContext) -> bytes:
    return ctx.index.digest(_INDEX_KIND, "v1")


def _token_check(ctx: ServiceContext) -> bytes:
    return hashlib.sha256(ctx.tokens.encode(_TOKEN_ID, CANARY_OWNER).encode("ascii")).digest()


def _mismatch() -> KeyStoreError:
    return KeyStoreError(
        "the key file does not open the data this database holds (a different or older key file?); "
        "refusing to start: restore the key file that belongs to this database",
        code=ErrorCode.KEY_FILE_MISMATCH,
    )
