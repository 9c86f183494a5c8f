"""Which part of a value format-preserving encryption changes, and how the value is put back together.

FF1 itself (an adapter) maps a digit string to another of the same length. This module decides what those
digits are, so that the ciphertext still looks like its type and passes the same checks:

* mobile ``13800138000`` -> the segment ``138`` stays, the 8 subscriber digits are encrypted;
* landline ``010-62345678`` -> the area code stays, the 7-8 local digits are encrypted (an extension is
  dropped: it is too short to encrypt and says little on its own);
* resident ID (and residence permits, foreigners' permanent residence IDs) -> the 17 digits are
  encrypted and the GB 11643 check character recomputed; a 15-digit pre-1999 ID -> all 15 digits;
* bank card -> the 6-digit BIN stays, the account digits are encrypted and the Luhn digit recomputed;
* passport ``E12345678`` -> the letters stay, the digits are encrypted.

Every encrypted part has at least 6 digits, i.e. a domain of at least 1,000,000 values (SP 800-38G). Values
that do not have one of these shapes get no ciphertext (``None``): the caller redacts them instead.
The tweak binds the ciphertext to the tenant and the type, so equal digits of two tenants, or a phone and a
card that share digits, encrypt differently.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii import Mobile, ResidentId, compute_check_char
from parcelguard.domain.pii.fold import to_halfwidth
from parcelguard.domain.pii.luhn import luhn_digit
from parcelguard.domain.pii.phone import parse_phone
from parcelguard.errors import ValidationError

__all__ = ["FPE_TYPES", "DigitCipher", "fpe_decrypt_value", "fpe_encrypt_value", "fpe_tweak", "luhn_digit"]

DigitCipher = Callable[[str], str]
"""Digits in, as many digits out (FF1 with the tweak already bound)."""

FPE_TYPES = frozenset({EntityType.PHONE, EntityType.CN_ID, EntityType.BANK_CARD, EntityType.PASSPORT})
_TWEAK_DOMAIN = b"parcelguard/fpe/v1\x00"
_NOT_DIGIT = re.compile(r"[^0-9]")
_SEPARATORS = re.compile(r"[\s\-]")
_MOBILE = re.compile(r"^(1[0-9]{2})([0-9]{8})$")
_LANDLINE = re.compile(r"^(0[0-9]{2,3})-([0-9]{7,8})$")
_RESIDENT_ID = re.compile(r"^([0-9]{17})([0-9X])$")
_LEGACY_ID = re.compile(r"^[0-9]{15}$")
_PASSPORT = re.compile(r"^([A-Z]{1,2})([0-9]{7,9})$")


def fpe_tweak(tenant: str, entity_type: EntityType) -> bytes:
    """The FF1 tweak for one tenant and type."""
    return _TWEAK_DOMAIN + entity_type.value.encode("ascii") + b"\x00" + tenant.encode("utf-8")


def fpe_encrypt_value(entity_type: EntityType, value: str, encrypt: DigitCipher) -> str | None:
    """The format-preserving ciphertext of ``value``, or None when it has no shape FPE may encrypt."""
    text = to_halfwidth(value).strip()
    if entity_type is EntityType.PHONE:
        return _phone(text, encrypt, decrypting=False)
    if entity_type is EntityType.CN_ID:
        try:
            rid = ResidentId.parse(text)
        except ValidationError:
            return None
        if rid.is_legacy:  # 15 digits, no check digit: all of them are encrypted
            return encrypt(rid.value)
        body = encrypt(rid.value[:17])
        return body + compute_check_char(body)
    if entity_type is EntityType.BANK_CARD:
        return _bank_card(text, encrypt)
    if entity_type is EntityType.PASSPORT:
        return _passport(text, encrypt)
    return None


def fpe_decrypt_value(entity_type: EntityType, value: str, decrypt: DigitCipher) -> str | None:
    """The plaintext of a value :func:`fpe_encrypt_value` produced (same tenant and type), or None."""
    text = to_halfwidth(value).strip()
    if entity_type is EntityType.PHONE:
        return _phone(text, decrypt, decrypting=True)
    if entity_type is EntityType.CN_ID:
        if _LEGACY_ID.match(text) is not None:
            return decrypt(text)
        match = _RESIDENT_ID.match(text.upper())
        if match is None or compute_check_char(match.group(1)) != match.group(2):
            return None
        body = decrypt(match.group(1))
        return body + compute_check_char(body)
    if entity_type is EntityType.BANK_CARD:
        return _bank_card(text, decrypt)
    if entity_type is EntityType.PASSPORT:
        return _passport(text, decrypt)
    return None


def _phone(text: str, cipher: DigitCipher, *, decrypting: bool) -> str | None:
    if decrypting:
        # Ciphertexts need not be allocated numbers, so they are matched by shape, not parsed.
        compact = _SEPARATORS.sub("", text)
        mobile = _MOBILE.match(compact)
        if mobile is not None:
            return mobile.group(1) + cipher(mobile.group(2))
        landline = _LANDLINE.match(text)
        return None if landline is None else f"{landline.group(1)}-{cipher(landline.group(2))}"
    try:
        phone = parse_phone(text)
    except ValidationError:
        return None
    if isinstance(phone, Mobile):
        return phone.value[:3] + cipher(phone.value[3:])
    return f"{phone.area_code}-{cipher(phone.local_number)}"


def _bank_card(text: str, cipher: DigitCipher) -> str | None:
    if _NOT_DIGIT.sub("", _SEPARATORS.sub("", text)) != _SEPARATORS.sub("", text):
        return None
    digits = _SEPARATORS.sub("", text)
    if not 13 <= len(digits) <= 19 or luhn_digit(digits[:-1]) != digits[-1]:
        return None
    body = digits[:6] + cipher(digits[6:-1])
    return body + luhn_digit(body)


def _passport(text: str, cipher: DigitCipher) -> str | None:
    match = _PASSPORT.match(_SEPARATORS.sub("", text).upper())
    if match is None:
        return None
    return match.group(1) + cipher(match.group(2))
