"""A waybill in its two shapes: sealed (what is stored) and masked (what people see).

The sealed shape holds only ciphertexts, blind indexes and non-personal facts (status, weight, the county
code used for sorting), so the database never needs a plaintext name, phone, address or ID number. The masked
shape is what screens and labels show, compliant with GB/T 41833-2022.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from parcelguard.domain.keys import WrappedKey
from parcelguard.domain.order import Order, Party
from parcelguard.domain.organisation import CARRIER_ORGANISATION_ID

# Names of the encrypted fields. They are bound into each ciphertext's associated data, so never rename one.
SENDER_NAME = "sender.name"
SENDER_MOBILE = "sender.mobile"
SENDER_ADDRESS = "sender.address"
SENDER_ID_NUMBER = "sender.id_number"
RECIPIENT_NAME = "recipient.name"
RECIPIENT_MOBILE = "recipient.mobile"
RECIPIENT_ADDRESS = "recipient.address"
PARCEL_DESCRIPTION = "parcel.description"
REMARKS = "remarks"
# Free text is stored redacted in the fields above; the original, only when redaction changed it, here.
PARCEL_DESCRIPTION_ORIGINAL = "parcel.description.original"
REMARKS_ORIGINAL = "remarks.original"
OPTIONAL_FIELDS = (REMARKS, PARCEL_DESCRIPTION_ORIGINAL, REMARKS_ORIGINAL)
ENCRYPTED_FIELDS = (
    SENDER_NAME,
    SENDER_MOBILE,
    SENDER_ADDRESS,
    SENDER_ID_NUMBER,
    RECIPIENT_NAME,
    RECIPIENT_MOBILE,
    RECIPIENT_ADDRESS,
    PARCEL_DESCRIPTION,
    *OPTIONAL_FIELDS,
)


class WaybillStatus(StrEnum):
    """Where a parcel is in its life; which step follows which, set by whom: domain.parcel_lifecycle."""

    CREATED = "created"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    AT_STATION = "at_station"  # arrived at a station or outlet: a pickup code is made
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    RETURNED = "returned"
    EXCEPTION = "exception"  # damaged, refused, address problem...: held until someone resolves it
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class BlindIndexes:
    """Keyed HMACs that allow exact lookups without storing the values."""

    recipient_mobile: bytes
    recipient_mobile_last4: bytes
    sender_mobile: bytes
    sender_mobile_last4: bytes
    sender_id_number: bytes


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    """One step in a parcel's journey; ``location`` is coarse (city and county), never an address."""

    status: WaybillStatus
    occurred_at: datetime
    location: str
    actor: str | None = None  # who recorded it (``user:<username>``); never shown on the public page


@dataclass(frozen=True, slots=True)
class SealedWaybill:
    """Everything stored about a waybill. ``ciphertexts`` maps field name to ciphertext."""

    id: str
    tracking_number: str
    status: WaybillStatus
    created_at: datetime
    created_by: str
    weight_grams: int
    sender_id_type: str
    routing_code: str
    routing_text: str
    wrapped_key: WrappedKey
    ciphertexts: dict[str, bytes]
    indexes: BlindIndexes
    events: tuple[TrackingEvent, ...] = field(default=())
    organisation_id: int = CARRIER_ORGANISATION_ID  # the tenant that issued it (domain.organisation)


@dataclass(frozen=True, slots=True)
class MaskedParty:
    name: str
    mobile: str
    address: str

    @classmethod
    def of(cls, party: Party) -> MaskedParty:
        return cls(name=party.name.masked(), mobile=party.mobile.masked(), address=party.address.masked())

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "mobile": self.mobile, "address": self.address}


@dataclass(frozen=True, slots=True)
class MaskedOrder:
    """The privacy view of an order: what any screen or label may show."""

    sender: MaskedParty
    sender_id_type: str
    sender_id_number: str
    recipient: MaskedParty
    parcel_description: str
    weight_kg: float
    remarks: str | None = None

    @classmethod
    def of(cls, order: Order) -> MaskedOrder:
        return cls(
            sender=MaskedParty.of(order.sender),
            sender_id_type=order.sender_id.id_type,
            sender_id_number=order.sender_id.number.masked(),
            recipient=MaskedParty.of(order.recipient),
            parcel_description=order.parcel.description,
            weight_kg=order.parcel.weight_kg,
            remarks=order.remarks,
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "sender": {
                **self.sender.as_dict(),
                "id_type": self.sender_id_type,
                "id_number": self.sender_id_number,
            },
            "recipient": self.recipient.as_dict(),
            "parcel": {"description": self.parcel_description, "weight_kg": self.weight_kg},
            "remarks": self.remarks,
        }


def routing_of(order: Order) -> tuple[str, str]:
    """Sorting code and coarse destination text: the recipient's most specific division, nothing finer."""
    address = order.recipient.address
    parts = [part for part in (address.city, address.district) if part]
    return address.adcode, " ".join(parts) or address.province
