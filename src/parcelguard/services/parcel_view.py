"""The masked view of a parcel that staff screens show: GB/T 41833-2022 masking, nothing more."""

from __future__ import annotations

from dataclasses import dataclass

from parcelguard.domain.waybill import SealedWaybill
from parcelguard.services.context import ServiceContext
from parcelguard.services.unseal import masked_order_of


@dataclass(frozen=True, slots=True)
class MaskedParcel:
    """A parcel as a courier, an outlet clerk or customer service sees it before any reveal."""

    tracking_number: str
    status: str
    recipient_name: str
    recipient_mobile: str
    recipient_address: str
    sender_name: str
    sender_mobile: str
    sender_address: str
    destination: str  # the coarse routing text (city and county)


def masked_parcel(ctx: ServiceContext, sealed: SealedWaybill) -> MaskedParcel:
    """Decrypts to mask: the plaintext never leaves this call."""
    masked = masked_order_of(ctx, sealed)
    return MaskedParcel(
        tracking_number=sealed.tracking_number,
        status=sealed.status.value,
        recipient_name=masked.recipient.name,
        recipient_mobile=masked.recipient.mobile,
        recipient_address=masked.recipient.address,
        sender_name=masked.sender.name,
        sender_mobile=masked.sender.mobile,
        sender_address=masked.sender.address,
        destination=sealed.routing_text,
    )
