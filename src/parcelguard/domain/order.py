"""An order as a carrier receives it, validated field by field.

This is the one definition of the order contract: ``POST /v1/waybills``, each item of the batch endpoint, the
CLI's JSONL files and the demo all go through ``parse_order`` (the API's OpenAPI schema is written from the
field names and bounds below, and a test keeps the two equal). The contract is strict: an unknown field is
refused (UNKNOWN_FIELD), a required field that is absent, null or blank is MISSING_FIELD, and a value of the
wrong JSON type is refused with the field's own code (``"weight_kg": true`` and ``"1.2"`` are not numbers).
Every string is checked for lone surrogates (``"\ud800"`` decodes from JSON but cannot be encoded again).

Every problem is reported as a ValidationError whose ``field`` is the dotted path (``recipient.mobile``) and
whose message never repeats the value, so errors can be logged and returned without leaking what the
customer typed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from parcelguard.domain.pii import Address, IdentityNumber, Mobile, PersonName
from parcelguard.domain.pii.address import MAX_ADDRESS_LENGTH
from parcelguard.domain.pii.id_type import ID_TYPES, IdType
from parcelguard.domain.pii.name import MAX_NAME_LENGTH
from parcelguard.domain.strict_json import shown_key
from parcelguard.errors import ErrorCode, ValidationError

MAX_DESCRIPTION_CHARS = 200
MAX_REMARKS_CHARS = 500
MIN_WEIGHT_KG = 0.001
MAX_WEIGHT_KG = 1000.0
# Raw input bounds (before normalisation): the OpenAPI schema publishes these same numbers.
MAX_MOBILE_CHARS = 32  # "+86 138-0013-8000" and full-width spellings fit with room to spare
MAX_ID_NUMBER_CHARS = 32

# The fields of each object; anything else is refused. SENDER_ID_FIELDS belongs to the identity section.
ORDER_FIELDS = ("sender", "recipient", "parcel", "remarks")
PARTY_FIELDS = ("name", "mobile", "address")
SENDER_ID_FIELDS = ("id_type", "id_number")
SENDER_FIELDS = PARTY_FIELDS + SENDER_ID_FIELDS
PARCEL_FIELDS = ("description", "weight_kg")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Whitespace a keyboard or an input method types in free text: spaces of every width (Unicode category Zs:
# U+3000 ideographic, U+00A0 no-break, U+2003 em ...), tabs and line breaks. Each run becomes one plain
# space, which every label font prints. The other control characters (U+001C-U+001F included, which
# str.isspace counts as blanks) stay refused as not printable.
WHITESPACE_RUN = re.compile("[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
GRAMS_PER_KG = 1000
_ID_TYPE_OF = {kind.value: kind for kind in IdType}  # IdType(value) is a slow call on every order


@dataclass(frozen=True, slots=True)
class Party:
    """Someone a parcel comes from or goes to."""

    name: PersonName
    mobile: Mobile
    address: Address


@dataclass(frozen=True, slots=True)
class IdDocument:
    """Real-name registration of the sender: recorded and encrypted, never printed."""

    id_type: IdType
    number: IdentityNumber


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

    Raises ValidationError: MISSING_FIELD, UNKNOWN_FIELD, INVALID_REQUEST (not an object), or the field's
    own code (INVALID_NAME, INVALID_MOBILE, INVALID_ADDRESS, INVALID_ID_TYPE, INVALID_RESIDENT_ID,
    INVALID_PARCEL). ``senders`` lets a batch parse a repeated sender once: a merchant's 1,000 parcels share
    one sender.
    """
    if type(raw) is not dict and not isinstance(raw, Mapping):  # decoded JSON: a dict, checked first
        raise ValidationError("an order must be a JSON object", code=ErrorCode.INVALID_REQUEST)
    refuse_unknown_fields(raw, ORDER_FIELDS, "", root="the order")
    sender_raw = _mapping(raw, "sender", "")
    refuse_unknown_fields(sender_raw, SENDER_FIELDS, "sender")
    sender, sender_id = _parse_sender(sender_raw, senders)
    recipient_raw = _mapping(raw, "recipient", "")
    refuse_unknown_fields(recipient_raw, PARTY_FIELDS, "recipient")
    recipient = _parse_party(recipient_raw, "recipient")
    parcel_raw = _mapping(raw, "parcel", "")
    refuse_unknown_fields(parcel_raw, PARCEL_FIELDS, "parcel")
    parcel = _parse_parcel(parcel_raw)
    return Order(
        sender=sender, sender_id=sender_id, recipient=recipient, parcel=parcel, remarks=_parse_remarks(raw)
    )


def _path(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def refuse_unknown_fields(
    body: Mapping[Any, Any], known: tuple[str, ...], prefix: str, *, root: str = "the body"
) -> None:
    """UNKNOWN_FIELD for the first key of ``body`` not in ``known`` (``prefix`` is the object's path,
    ``root`` what the top level is called in messages).

    The key's name is shown only when it is an identifier: a key can hold anything, personal data or a
    lone surrogate included. Another key is reported by its parent's path (None at the top level).
    """
    for key in body:
        if key in known:
            continue
        shown = shown_key(key)
        field = _path(prefix, key) if shown else (prefix or None)
        where = field if shown else f"a field of {prefix or root}"
        raise ValidationError(
            f"{where} is not a known field (expected: {', '.join(known)})",
            code=ErrorCode.UNKNOWN_FIELD,
            field=field,
        )


def _missing(field: str) -> ValidationError:
    return ValidationError(f"{field} is required", code=ErrorCode.MISSING_FIELD, field=field)


def _mapping(body: Mapping[str, Any], key: str, prefix: str) -> Mapping[str, Any]:
    value = body.get(key)
    if type(value) is dict:  # decoded JSON: the common case first, the field's path only for an error
        return value
    field = _path(prefix, key)
    if value is None:
        raise _missing(field)
    if not isinstance(value, Mapping):
        raise ValidationError(f"{field} must be an object", code=ErrorCode.INVALID_REQUEST, field=field)
    return value


def _optional_text(
    body: Mapping[str, Any], key: str, field: str, code: ErrorCode, max_chars: int
) -> str | None:
    """The string at ``key``, None when absent, null or blank; a wrong type, a lone surrogate or more than
    ``max_chars`` characters raise ``code``."""
    value = body.get(key)
    if value is None:
        return None
    return _checked_text(value, field, code, max_chars)


def _checked_text(value: object, field: str, code: ErrorCode, max_chars: int) -> str | None:
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string", code=code, field=field)
    if len(value) > max_chars:
        raise ValidationError(f"{field} must be at most {max_chars} characters", code=code, field=field)
    if _SURROGATE.search(value):
        raise ValidationError(
            f"{field} holds an unpaired surrogate (not valid Unicode text)", code=code, field=field
        )
    return value if value.strip() else None


def _text(body: Mapping[str, Any], key: str, prefix: str, code: ErrorCode, max_chars: int = 10_000) -> str:
    value = body.get(key)
    # The common case first: a string within bounds, no surrogate (an ASCII string holds none), not blank.
    # The field's path is only built for an error.
    if (
        type(value) is str
        and len(value) <= max_chars
        and (value.isascii() or _SURROGATE.search(value) is None)
        and not value.isspace()
        and value
    ):
        return value
    field = _path(prefix, key)
    checked = None if value is None else _checked_text(value, field, code, max_chars)
    if checked is None:
        raise _missing(field)
    return checked


def free_text(value: str) -> str | None:
    """``value`` with each run of whitespace (WHITESPACE_RUN: ``书\u3000籍``, tabs, line breaks) as one plain
    space and no spaces at the ends; None when a character other than whitespace is not printable (a
    control or format character such as U+0000 or U+200B: the caller refuses the field)."""
    text = WHITESPACE_RUN.sub(" ", value).strip(" ")
    return text if text.isprintable() else None


def _parse_remarks(body: Mapping[str, Any]) -> str | None:
    """Free-text instructions (放门口, 到了打电话...); the service redacts them before they are stored."""
    remarks = _optional_text(body, "remarks", "remarks", ErrorCode.INVALID_REQUEST, MAX_REMARKS_CHARS)
    if remarks is None:
        return None
    text = free_text(remarks)
    if text is None:
        raise ValidationError(
            f"remarks must be printable text of at most {MAX_REMARKS_CHARS} characters "
            "(spaces, tabs and line breaks are fine; other control characters are not)",
            code=ErrorCode.INVALID_REQUEST,
            field="remarks",
        )
    return text


def _parse_sender(body: Mapping[str, Any], cache: SenderCache | None) -> tuple[Party, IdDocument]:
    key = (
        body.get("name"),
        body.get("mobile"),
        body.get("address"),
        body.get("id_type"),
        body.get("id_number"),
    )
    if cache is not None and all(type(v) is str for v in key):
        found = cache.get(key)
        if found is None:
            found = cache[key] = (_parse_party(body, "sender"), _parse_id_document(body))
        return found
    return _parse_party(body, "sender"), _parse_id_document(body)


def _parse_party(body: Mapping[str, Any], prefix: str) -> Party:
    raw_name = _text(body, "name", prefix, ErrorCode.INVALID_NAME, MAX_NAME_LENGTH)
    raw_mobile = _text(body, "mobile", prefix, ErrorCode.INVALID_MOBILE, MAX_MOBILE_CHARS)
    raw_address = _text(body, "address", prefix, ErrorCode.INVALID_ADDRESS, MAX_ADDRESS_LENGTH)
    try:
        name = PersonName.parse(raw_name)
        mobile = Mobile.parse(raw_mobile)
        address = Address.parse(raw_address)
    except ValidationError as error:
        if error.field and error.field.startswith(prefix + "."):
            raise
        raise error.with_field_prefix(prefix) from None
    return Party(name=name, mobile=mobile, address=address)


def _parse_id_document(body: Mapping[str, Any]) -> IdDocument:
    id_type = body.get("id_type")
    if id_type is None:
        raise _missing("sender.id_type")
    if id_type not in ID_TYPES:
        raise ValidationError(
            f"id_type must be one of: {', '.join(ID_TYPES)}",
            code=ErrorCode.INVALID_ID_TYPE,
            field="sender.id_type",
        )
    kind = _ID_TYPE_OF[id_type] if type(id_type) is str else IdType(id_type)
    code = ErrorCode.INVALID_RESIDENT_ID if kind is IdType.RESIDENT_ID else ErrorCode.INVALID_ID_NUMBER
    raw_number = _text(body, "id_number", "sender", code, MAX_ID_NUMBER_CHARS)
    try:
        number = IdentityNumber.parse(kind, raw_number)
    except ValidationError as error:
        raise ValidationError(error.message, code=error.code, field="sender.id_number") from None
    return IdDocument(id_type=kind, number=number)


def _parse_parcel(body: Mapping[str, Any]) -> Parcel:
    raw_description = _text(body, "description", "parcel", ErrorCode.INVALID_PARCEL, MAX_DESCRIPTION_CHARS)
    description = free_text(raw_description)
    if description is None:
        raise ValidationError(
            f"parcel.description must be printable and at most {MAX_DESCRIPTION_CHARS} characters "
            "(spaces, tabs and line breaks are fine; other control characters are not)",
            code=ErrorCode.INVALID_PARCEL,
            field="parcel.description",
        )
    weight = body.get("weight_kg")
    if weight is None:
        raise _missing("parcel.weight_kg")
    # bool is an int in Python and "1.2" is not a number in JSON: both are refused, not coerced.
    # isfinite only for floats: math.isfinite(10**400) raises OverflowError; a big int fails the range below.
    if (
        isinstance(weight, bool)
        or not isinstance(weight, int | float)
        or (isinstance(weight, float) and not math.isfinite(weight))
    ):
        raise ValidationError(
            "parcel.weight_kg must be a number", code=ErrorCode.INVALID_PARCEL, field="parcel.weight_kg"
        )
    if not MIN_WEIGHT_KG <= weight <= MAX_WEIGHT_KG:
        raise ValidationError(
            f"parcel.weight_kg must be between {MIN_WEIGHT_KG} and {MAX_WEIGHT_KG}",
            code=ErrorCode.INVALID_PARCEL,
            field="parcel.weight_kg",
        )
    # Gram precision: 0.9999 would print as "1 kg" and 1.23456789 as "1.235 kg", so more than three
    # decimals are refused and what prints is what was given. The tolerance absorbs only binary floating
    # point (1.001 is 1000.9999999999999 g as a double), never a real fraction of a gram.
    grams = weight * GRAMS_PER_KG
    if abs(grams - round(grams)) > 1e-7:
        raise ValidationError(
            "parcel.weight_kg must be given to gram precision (at most 3 decimal places)",
            code=ErrorCode.INVALID_PARCEL,
            field="parcel.weight_kg",
        )
    return Parcel(description=description, weight_kg=round(grams) / GRAMS_PER_KG)
