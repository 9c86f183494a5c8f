"""An order as a carrier receives it, validated field by field.

The same shape arrives through the API, the CLI's JSONL files and the demo. Every problem is reported as a
ValidationError whose ``field`` is the dotted path (``recipient.mobile``) and whose message never repeats the
value, so errors can be logged and returned without leaking what the customer typed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from parcelguard.domain.pii import Address, Mobile, PersonName, ResidentId
from parcelguard.errors import ErrorCode, ValidationError

ID_TYPES = ("resident_id",)
MAX_DESCRIPTION_CHARS = 200
MAX_REMARKS_CHARS = 500
MIN_WEIGHT_KG = 0.001
MAX_WEIGHT_KG = 1000.0


@dataclass(frozen=True, slots=True)
class Party:
    """Someone a parcel comes from or goes to."""

    name: PersonName
    mobile: Mobile
    address: Address


@dataclass(frozen=True, slots=True)
class IdDocument:
    """Real-name registration of the sender: recorded and encrypted, never printed."""

    id_type: str
    number: ResidentId


@dataclass(frozen=True, slots=True)
class Parcel:
    description: str
    weight_kg: float


@dataclass(frozen=True, slots=True)
class Order:
    sender: Party
    sender_id: IdDocument
    recipient: Party
    parcel: Parcel
    remarks: str | None = None


SenderCache = dict[tuple[Any, ...], tuple[Party, IdDocument]]


def parse_order(raw: Any, *, senders: SenderCache | None = None) -> Order:
    """Validate a decoded JSON order; the first problem found is raised with its field path.

    ``senders`` lets a batch parse a repeated sender once: a merchant's 1,000 parcels share one sender.
    """
    body = _mapping(raw, "order")
    sender_raw = _mapping(body.get("sender"), "sender")
    sender, sender_id = _parse_sender(sender_raw, senders)
    recipient = _parse_party(_mapping(body.get("recipient"), "recipient"), "recipient")
    parcel = _parse_parcel(_mapping(body.get("parcel"), "parcel"))
    return Order(
        sender=sender, sender_id=sender_id, recipient=recipient, parcel=parcel, remarks=_parse_remarks(body)
    )


def _parse_remarks(body: Mapping[str, Any]) -> str | None:
    """Free-text instructions (放门口, 到了打电话...); the service redacts them before they are stored."""
    remarks = body.get("remarks")
    if remarks is None or (isinstance(remarks, str) and not remarks.strip()):
        return None
    if not isinstance(remarks, str) or len(remarks) > MAX_REMARKS_CHARS or not remarks.isprintable():
        raise ValidationError(
            f"remarks must be printable text of at most {MAX_REMARKS_CHARS} characters",
            code=ErrorCode.INVALID_REQUEST,
            field="remarks",
        )
    return remarks.strip()


def _mapping(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{field} must be an object", code=ErrorCode.INVALID_REQUEST, field=field)
    return value


def _text(body: Mapping[str, Any], key: str, prefix: str, code: ErrorCode) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{key} is required and must be a string", code=code, field=f"{prefix}.{key}")
    return value


def _parse_sender(body: Mapping[str, Any], cache: SenderCache | None) -> tuple[Party, IdDocument]:
    key = tuple(body.get(k) for k in ("name", "mobile", "address", "id_type", "id_number"))
    if cache is not None and all(isinstance(v, str) for v in key):
        found = cache.get(key)
        if found is None:
            found = cache[key] = (_parse_party(body, "sender"), _parse_id_document(body))
        return found
    return _parse_party(body, "sender"), _parse_id_document(body)


def _parse_party(body: Mapping[str, Any], prefix: str) -> Party:
    try:
        name = PersonName.parse(_text(body, "name", prefix, ErrorCode.INVALID_NAME))
        mobile = Mobile.parse(_text(body, "mobile", prefix, ErrorCode.INVALID_MOBILE))
        address = Address.parse(_text(body, "address", prefix, ErrorCode.INVALID_ADDRESS))
    except ValidationError as error:
        if error.field and error.field.startswith(prefix + "."):
            raise
        raise error.with_field_prefix(prefix) from None
    return Party(name=name, mobile=mobile, address=address)


def _parse_id_document(body: Mapping[str, Any]) -> IdDocument:
    id_type = body.get("id_type")
    if id_type not in ID_TYPES:
        raise ValidationError(
            f"id_type must be one of: {', '.join(ID_TYPES)}",
            code=ErrorCode.INVALID_ID_TYPE,
            field="sender.id_type",
        )
    raw_number = _text(body, "id_number", "sender", ErrorCode.INVALID_RESIDENT_ID)
    try:
        number = ResidentId.parse(raw_number)
    except ValidationError as error:
        raise ValidationError(error.message, code=error.code, field="sender.id_number") from None
    return IdDocument(id_type=id_type, number=number)


def _parse_parcel(body: Mapping[str, Any]) -> Parcel:
    description = body.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ValidationError(
            "description is required", code=ErrorCode.INVALID_PARCEL, field="parcel.description"
        )
    if len(description) > MAX_DESCRIPTION_CHARS or not description.isprintable():
        raise ValidationError(
            f"description must be printable and at most {MAX_DESCRIPTION_CHARS} characters",
            code=ErrorCode.INVALID_PARCEL,
            field="parcel.description",
        )
    weight = body.get("weight_kg")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight):
        raise ValidationError(
            "weight_kg must be a number", code=ErrorCode.INVALID_PARCEL, field="parcel.weight_kg"
        )
    if not MIN_WEIGHT_KG <= weight <= MAX_WEIGHT_KG:
        raise ValidationError(
            f"weight_kg must be between {MIN_WEIGHT_KG} and {MAX_WEIGHT_KG}",
            code=ErrorCode.INVALID_PARCEL,
            field="parcel.weight_kg",
        )
    return Parcel(description=description.strip(), weight_kg=float(weight))
