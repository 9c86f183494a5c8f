"""Keyless operators on one value of a known type: mask, redact, generalise, and canonical forms.

Masks reuse the label masks of ``domain.pii`` wherever a value parses, so a masked phone in an analyst's
spreadsheet follows the same GB/T 41833 rule as a label (at least 6 digits hidden: ``138******34``). When
a value does not parse (a detector span with a typo, a dirty spreadsheet cell) the fallback is always at
least as strict: the rule is "hide more, never less".

Every function returns ``(text, parsed)``; ``parsed`` is False when the fallback was used, so reports can
count values that did not look like their declared type without ever showing them.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii import Address, Email, Mobile, PersonName, ResidentId, division_table
from parcelguard.domain.pii.divisions import Division
from parcelguard.domain.pii.fold import fold, to_halfwidth
from parcelguard.domain.pii.id_type import compact_document_number
from parcelguard.domain.pii.identity import mask_document_number
from parcelguard.domain.pii.luhn import luhn_valid
from parcelguard.domain.pii.phone import parse_phone
from parcelguard.domain.pii.region import common_ancestor, resolve_region
from parcelguard.domain.pii.uscc import is_uscc
from parcelguard.errors import ValidationError

__all__ = [
    "birth_year_region",
    "canonical_value",
    "generalize_value",
    "mask_value",
    "redact_tag",
    "region_name",
]

Result = tuple[str, bool]
RegionLevel = str  # "province" | "city" | "county"

_MASK = "*"
_ADDRESS_MASK = "****"
_DIGITS = re.compile(r"[0-9]")
_NOT_DIGIT = re.compile(r"[^0-9]")
_PASSPORT = re.compile(r"^([A-Z]{1,2})([0-9]{7,10})$|^[0-9]{8}(?:[0-9]{2})?$")  # passports, travel permits
_SEPARATORS = re.compile(r"[\s\-()（）.·]")


def redact_tag(entity_type: EntityType) -> str:
    """The type tag a redacted span becomes: ``<PHONE>``."""
    return f"<{entity_type.value}>"


# -- mask ------------------------------------------------------------------------------------------------


def mask_value(entity_type: EntityType, value: str) -> Result:
    """The type's screen/label mask; hides at least what GB/T 41833 asks of a label."""
    return _MASKS[entity_type](value)


def _keep_ends(value: str, head: int, tail: int) -> str:
    """Hide every letter, digit and Han character except the first ``head`` and last ``tail`` of them."""
    positions = [i for i, ch in enumerate(value) if ch.isalnum()]
    keep = set(positions[:head]) | (set(positions[-tail:]) if tail else set())
    return "".join(ch if i in keep or not ch.isalnum() else _MASK for i, ch in enumerate(value))


def _hidden_at_least(value: str, head: int, tail: int, minimum: int) -> str:
    """:func:`_keep_ends`, shrinking what is kept until ``minimum`` characters, and as many digits (or
    all of them, when there are fewer), are hidden."""
    count = sum(ch.isalnum() for ch in value)
    digit_count = sum(ch.isdigit() for ch in value)
    while head + tail > 0:
        masked = _keep_ends(value, head, tail)
        shown_digits = sum(ch.isdigit() for ch in masked)
        if count - head - tail >= minimum and digit_count - shown_digits >= min(minimum, digit_count):
            return masked
        if tail >= head and tail > 0:
            tail -= 1
        else:
            head -= 1
    return _keep_ends(value, 0, 0)


def _mask_person(value: str) -> Result:
    try:
        return PersonName.parse(value).masked(), True
    except ValidationError:
        stripped = value.strip()
        return (stripped[:1] + _MASK * max(1, len(stripped) - 1)) if len(stripped) > 1 else _MASK, False


def _mask_phone(value: str) -> Result:
    try:
        return parse_phone(value).masked(), True
    except ValidationError:
        return _hidden_at_least(to_halfwidth(value).strip(), 3, 2, 6), False


def _mask_cn_id(value: str) -> Result:
    try:
        return ResidentId.parse(value).masked(), True
    except ValidationError:
        compact = compact_document_number(value)
        if compact is not None and is_uscc(compact):
            return mask_document_number(compact), True
        compact = "".join(to_halfwidth(value).split())
        return _hidden_at_least(compact, 1, 1, 12), False


def _mask_address(value: str) -> Result:
    try:
        return Address.parse(value).masked(), True
    except ValidationError:
        division = _leading_division("".join(to_halfwidth(value).split()))
        if division is None:
            return _ADDRESS_MASK, False
        return region_name(division.code, _level_name(division)) + _ADDRESS_MASK, False


def _mask_email(value: str) -> Result:
    try:
        return Email.parse(value).masked(), True
    except ValidationError:
        _, at, domain = value.strip().rpartition("@")
        return ("***@" + domain) if at and domain else "***", False


def _mask_bank_card(value: str) -> Result:
    text = to_halfwidth(value).strip()
    digits = _NOT_DIGIT.sub("", text)
    parsed = 12 <= len(digits) <= 19 and luhn_valid(digits)
    # hutool's convention keeps the first and last 4 digits; fewer digits keep fewer, 6 always hidden.
    return _hidden_at_least(text, 4, 4, 6), parsed


def _mask_passport(value: str) -> Result:
    # Passports and travel permits: at most the first and last characters, as the label gate allows.
    compact = _SEPARATORS.sub("", to_halfwidth(value)).upper()
    if _PASSPORT.match(compact) is not None:
        return mask_document_number(compact), True
    return _hidden_at_least(compact, 1, 1, 6), False


def _mask_plate(value: str) -> Result:
    compact = _SEPARATORS.sub("", to_halfwidth(value)).upper()
    # Province character and issuing-city letter stay; the serial is hidden whole.
    return compact[:2] + _MASK * max(1, len(compact) - 2), 7 <= len(compact) <= 8


def _mask_ip(value: str) -> Result:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return _MASK, False
    if address.version == 4:
        a, b, _, _ = str(address).split(".")
        return f"{a}.{b}.*.*", True
    groups = address.exploded.split(":")
    return ":".join(groups[:2]) + ":*:*:*:*:*:*", True


_MASKS = {
    EntityType.PERSON: _mask_person,
    EntityType.PHONE: _mask_phone,
    EntityType.CN_ID: _mask_cn_id,
    EntityType.ADDRESS: _mask_address,
    EntityType.EMAIL: _mask_email,
    EntityType.BANK_CARD: _mask_bank_card,
    EntityType.PASSPORT: _mask_passport,
    EntityType.LICENSE_PLATE: _mask_plate,
    EntityType.IP: _mask_ip,
}


# -- generalise ------------------------------------------------------------------------------------------


def generalize_value(entity_type: EntityType, value: str) -> Result:
    """A coarser but still useful value: address -> district, ID -> birth year and city, phone -> segment.

    Types without a meaningful coarser form (passports) become their redaction tag.
    """
    handler = _GENERALIZERS.get(entity_type)
    if handler is None:
        return redact_tag(entity_type), True
    result = handler(value)
    return result if result is not None else (redact_tag(entity_type), False)


def _generalize_person(value: str) -> Result | None:
    try:
        name = PersonName.parse(value)
    except ValidationError:
        return None
    return (name.surname + "某", True) if name.surname else (redact_tag(EntityType.PERSON), True)


def _generalize_phone(value: str) -> Result | None:
    try:
        phone = parse_phone(value)
    except ValidationError:
        return None
    if isinstance(phone, Mobile):
        return phone.value[:3] + _MASK * 8, True
    return f"{phone.area_code}-{_MASK * len(phone.local_number)}", True


def _generalize_cn_id(value: str) -> Result | None:
    try:
        rid = ResidentId.parse(value)
    except ValidationError:
        return None
    return birth_year_region(rid.region_code, rid.birth_date.year, "city"), True


def _generalize_address(value: str) -> Result | None:
    try:
        address = Address.parse(value)
    except ValidationError:
        division = _leading_division("".join(to_halfwidth(value).split()))
        if division is None or division.level == "province":
            return None
        return region_name(division.code, _level_name(division)), False
    return region_name(address.adcode, "county"), True


def _generalize_email(value: str) -> Result | None:
    try:
        return "*@" + Email.parse(value).domain, True
    except ValidationError:
        return None


def _generalize_bank_card(value: str) -> Result | None:
    digits = _NOT_DIGIT.sub("", to_halfwidth(value))
    if not 12 <= len(digits) <= 19:
        return None
    return digits[:6] + _MASK * (len(digits) - 6), luhn_valid(digits)


def _generalize_plate(value: str) -> Result | None:
    compact = _SEPARATORS.sub("", to_halfwidth(value)).upper()
    return (compact[:2], True) if 7 <= len(compact) <= 8 else None


def _generalize_ip(value: str) -> Result | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False)), True


_GENERALIZERS = {
    EntityType.PERSON: _generalize_person,
    EntityType.PHONE: _generalize_phone,
    EntityType.CN_ID: _generalize_cn_id,
    EntityType.ADDRESS: _generalize_address,
    EntityType.EMAIL: _generalize_email,
    EntityType.BANK_CARD: _generalize_bank_card,
    EntityType.LICENSE_PLATE: _generalize_plate,
    EntityType.IP: _generalize_ip,
}


def birth_year_region(region_code: str, year: int, level: RegionLevel, *, decade: bool = False) -> str:
    """``北京市/1990`` (``decade``: ``北京市/1990s``): what a resident ID says once generalised."""
    when = f"{year // 10 * 10}s" if decade else str(year)
    return f"{region_name(region_code, level) or '*'}/{when}"


@lru_cache(maxsize=8192)
def region_name(code: str, level: RegionLevel) -> str:
    """Official names down to ``level`` (province, city or county) for a 6-digit division code.

    A municipality is not repeated (北京市朝阳区). Codes the table does not know fall back to the nearest
    known ancestor; an unknown province gives an empty string.
    """
    table = division_table()
    candidates = (code, code[:4] + "00", code[:2] + "0000")
    division = next((d for d in map(table.by_code, candidates) if d is not None), None)
    if division is None:
        return ""
    lineage = (*table.ancestors(division), division)
    depth = {"province": 1, "city": 2, "county": 3}[level]
    names: list[str] = []
    for item in lineage:
        if item.depth > depth:
            break
        if names and item.name == names[-1]:
            continue
        names.append(item.name)
    return "".join(names)


def _level_name(division: Division) -> RegionLevel:
    return {"province": "province", "prefecture": "city", "county": "county"}[division.level]


def _leading_division(text: str) -> Division | None:
    """The division named at the start of ``text``; for names several places have (朝阳区), the deepest
    division holding them all (none for Beijing and Changchun), so a fallback never shows a guess."""
    region = resolve_region(fold(text).text)
    if region is None:
        return None
    return region.division or common_ancestor(region.divisions)


# -- canonical forms (what pseudonyms and FPE see) ---------------------------------------------------------


def canonical_value(entity_type: EntityType, value: str) -> str:
    """One spelling per value, so ``+86 138-0013-8000`` and ``13800138000`` pseudonymise alike."""
    text = to_halfwidth(value).strip()
    try:
        if entity_type is EntityType.PHONE:
            return parse_phone(text).value
        if entity_type is EntityType.CN_ID:
            return ResidentId.parse(text).value
        if entity_type is EntityType.EMAIL:
            return Email.parse(text).value.lower()
        if entity_type is EntityType.PERSON:
            return PersonName.parse(text).value
        if entity_type is EntityType.ADDRESS:
            return Address.parse(text).full
    except ValidationError:
        pass
    if entity_type in (EntityType.PHONE, EntityType.BANK_CARD):
        digits = _NOT_DIGIT.sub("", text)
        return digits or "".join(text.split())
    if entity_type is EntityType.IP:
        try:
            return ipaddress.ip_address(text).compressed
        except ValueError:
            return text
    if entity_type is EntityType.EMAIL:
        return text.lower()
    if entity_type in (EntityType.CN_ID, EntityType.PASSPORT, EntityType.LICENSE_PLATE):
        return _SEPARATORS.sub("", text).upper()
    return "".join(text.split())


def digits_of(value: str) -> str:
    """The ASCII digits of ``value``, full-width ones included."""
    return _NOT_DIGIT.sub("", to_halfwidth(value))


def hide_digits(value: str) -> str:
    """Every digit replaced by ``*``: the last resort for a value nothing else could handle."""
    return _DIGITS.sub(_MASK, to_halfwidth(value))
