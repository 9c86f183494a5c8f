"""Opening a sealed waybill for the platform itself: decrypt, then show only the masked view.

Full plaintext leaves this module only inside an Order object that callers mask before it goes anywhere;
the controlled reveal of unmasked data to people is a later, policy-checked use case.
"""

from __future__ import annotations

from parcelguard.domain import waybill as wb
from parcelguard.domain.access import Principal
from parcelguard.domain.order import IdDocument, Order, Parcel, Party
from parcelguard.domain.pii import Address, IdentityNumber, Mobile, PersonName
from parcelguard.domain.waybill import MaskedOrder, SealedWaybill
from parcelguard.errors import ErrorCode, NotFoundError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import UnitOfWork

_ORIGINALS = frozenset({wb.PARCEL_DESCRIPTION_ORIGINAL, wb.REMARKS_ORIGINAL})


def open_order(ctx: ServiceContext, sealed: SealedWaybill) -> Order:
    """Decrypt every field of ``sealed``; a ciphertext moved from another row or field fails here."""
    key = ctx.envelope.open_data_key(sealed.id, sealed.wrapped_key)
    shown = {name: c for name, c in sealed.ciphertexts.items() if name not in _ORIGINALS}
    plain = {name: key.decrypt(name, ciphertext) for name, ciphertext in shown.items()}
    sender = Party(
        name=PersonName.parse(plain[wb.SENDER_NAME]),
        mobile=Mobile.parse(plain[wb.SENDER_MOBILE]),
        address=Address.parse(plain[wb.SENDER_ADDRESS]),
    )
    recipient = Party(
        name=PersonName.parse(plain[wb.RECIPIENT_NAME]),
        mobile=Mobile.parse(plain[wb.RECIPIENT_MOBILE]),
        address=Address.parse(plain[wb.RECIPIENT_ADDRESS]),
    )
    # Dispatch on the stored type: each document has its own rules (a passport is no GB 11643 number).
    number = IdentityNumber.parse(sealed.sender_id_type, plain[wb.SENDER_ID_NUMBER])
    return Order(
        sender=sender,
        sender_id=IdDocument(id_type=number.id_type, number=number),
        recipient=recipient,
        parcel=Parcel(description=plain[wb.PARCEL_DESCRIPTION], weight_kg=sealed.weight_grams / 1000),
        remarks=plain.get(wb.REMARKS),
    )


def get_sealed(uow: UnitOfWork, tracking_number: str, *, principal: Principal) -> SealedWaybill:
    """The stored waybill with this (already validated) number, if ``principal`` may see it.

    Another tenant's waybill raises exactly the NotFoundError ``waybill_not_found`` of a number that does
    not exist, so a platform cannot even learn which numbers other platforms hold.
    """
    sealed = uow.waybills.get(tracking_number)
    if sealed is None or not principal.sees(sealed.organisation_id):
        raise waybill_not_found()
    return sealed


def waybill_not_found() -> NotFoundError:
    """The one answer for a waybill that does not exist or is not the caller's to see."""
    return NotFoundError("no waybill with this tracking number", code=ErrorCode.WAYBILL_NOT_FOUND)


def original_free_text(ctx: ServiceContext, sealed: SealedWaybill) -> dict[str, str]:
    """The unredacted free text kept for this waybill (empty when redaction changed nothing).

    Only the platform itself calls this today; revealing it to a person is a later, policy-checked use case.
    """
    key = ctx.envelope.open_data_key(sealed.id, sealed.wrapped_key)
    return {name: key.decrypt(name, c) for name, c in sealed.ciphertexts.items() if name in _ORIGINALS}


def masked_order_of(ctx: ServiceContext, sealed: SealedWaybill) -> MaskedOrder:
    return MaskedOrder.of(open_order(ctx, sealed))
