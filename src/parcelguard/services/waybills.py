"""Reading a waybill as the platform: the masked view, and lookups by blind index."""

from __future__ import annotations

from dataclasses import dataclass

from parcelguard.domain import audit
from parcelguard.domain.access import Principal, Scope
from parcelguard.domain.audit import AuditEvent
from parcelguard.domain.pii import Mobile
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.domain.waybill import MaskedOrder, TrackingEvent
from parcelguard.services.context import ServiceContext
from parcelguard.services.unseal import get_sealed, masked_order_of


@dataclass(frozen=True, slots=True)
class WaybillView:
    tracking_number: str
    status: str
    created_at: str
    routing_code: str
    masked: MaskedOrder
    events: tuple[TrackingEvent, ...]


def view_waybill(ctx: ServiceContext, tracking_number: str, *, principal: Principal) -> WaybillView:
    """The masked view of one waybill; every read is attributed in the audit log."""
    principal.require(Scope.WAYBILL_READ)
    number = TrackingNumber.parse(tracking_number).value
    with ctx.uow() as uow:
        sealed = get_sealed(uow, number, principal=principal)
        masked = masked_order_of(ctx, sealed)
        uow.audit.append_many(
            [
                AuditEvent(
                    action=audit.WAYBILL_VIEWED_MASKED,
                    actor=principal.actor,
                    occurred_at=ctx.clock(),
                    subject=number,
                    details={},
                )
            ]
        )
        uow.commit()
    return WaybillView(
        tracking_number=number,
        status=sealed.status.value,
        created_at=sealed.created_at.isoformat(),
        routing_code=sealed.routing_code,
        masked=masked,
        events=sealed.events,
    )


def find_by_recipient_mobile(ctx: ServiceContext, mobile: str, *, principal: Principal) -> list[str]:
    """Tracking numbers whose recipient has this mobile, found through its blind index only; a platform
    finds only its own organisation's waybills."""
    principal.require(Scope.WAYBILL_READ)
    index = ctx.index.mobile(Mobile.parse(mobile).value)
    with ctx.uow() as uow:
        return uow.waybills.find_by_recipient_mobile(index, principal.visible_organisation)
