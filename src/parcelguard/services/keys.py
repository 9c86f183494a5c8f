"""Key rotation: a new key-encryption key version, and every data key rewrapped under it.

Field ciphertexts are never touched: only the small wrapped data keys change, so rotating millions of
waybills costs one unwrap and one wrap each. Batches commit one by one, so an interrupted rotation resumes
where it stopped (rows still under an old version are simply found again).
"""

from __future__ import annotations

from dataclasses import dataclass

from parcelguard.domain import audit
from parcelguard.domain.audit import AuditEvent
from parcelguard.services.context import ServiceContext

REWRAP_BATCH = 500


@dataclass(frozen=True, slots=True)
class RotationReport:
    new_version: int
    rewrapped: int


def rotate_keys(
    ctx: ServiceContext, *, actor: str, add_version: bool = True, batch_size: int = REWRAP_BATCH
) -> RotationReport:
    """Add a key version (unless resuming) and rewrap every data key still under an older one."""
    version = ctx.keyring.add_kek_version() if add_version else ctx.keyring.current_kek_version
    total = 0
    while True:
        with ctx.uow() as uow:
            batch = next(uow.waybills.iter_wrapped_keys(version, batch_size), [])
            if not batch:
                break
            rewrapped = [
                (waybill_id, ctx.envelope.rewrap(waybill_id, wrapped)) for waybill_id, wrapped in batch
            ]
            uow.waybills.replace_wrapped_keys(rewrapped)
            uow.commit()
            total += len(rewrapped)
    with ctx.uow() as uow:
        uow.audit.append_many(
            [
                AuditEvent(
                    action=audit.KEYS_KEK_ROTATED,
                    actor=actor,
                    occurred_at=ctx.clock(),
                    subject=f"kek:{version}",
                    details={"rewrapped": total},
                )
            ]
        )
        uow.commit()
    return RotationReport(new_version=version, rewrapped=total)
