"""Blind indexes: find a waybill by mobile number or ID number without storing either in the clear.

Why: the fields themselves are encrypted with random nonces, so equal values give unequal ciphertexts and
cannot be searched. Storing a keyed HMAC of the normalised value next to them lets the database answer
"which waybills have mobile X" by equality, while a stolen dump without the index key cannot be brute-forced
the way a plain hash of an 11-digit number trivially could.

Domain separation: every digest covers ``b"parcelguard/blind-index/v1\\x00" + kind + b"\\x00" + value``, so
the same digits indexed as a ``mobile`` and as a ``mobile_last4`` (or any other kind) never collide, and an
index of one kind cannot be replayed as another. ``kind`` may not contain NUL; the value is the tail.

Truncation: the 32-byte HMAC-SHA256 is cut to its first 16 bytes. 128 bits keeps accidental collisions out
of reach (birthday bound 2^64 values) while halving index size; truncated HMAC remains a PRF.

Trade-off to know: an index reveals which rows share a value. For ``mobile_last4`` (10,000 possible values)
that equality pattern is coarse by design; it is still unreadable without the key.

Inputs must already be normalised by the caller (the domain layer); the named helpers check the shape
cheaply, because an un-normalised value ("+86 138...") would silently index to a value nothing matches.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol, cast

from parcelguard.errors import ErrorCode, ValidationError

DIGEST_BYTES = 16
MIN_KEY_BYTES = 32
_DOMAIN = b"parcelguard/blind-index/v1\x00"

KIND_MOBILE = "mobile"
KIND_MOBILE_LAST4 = "mobile_last4"
KIND_RESIDENT_ID = "resident_id"
_MAX_ID_NUMBER = 32


class BlindIndex:
    """Keyed, domain-separated HMAC-SHA256 digests (16 bytes) of normalised personal data."""

    __slots__ = ("_by_kind", "_keyed")

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"a blind-index key is at least {MIN_KEY_BYTES} bytes")
        # One keyed HMAC, then one per kind with the domain prefix already absorbed; each digest is a
        # .copy() of the latter, which skips re-keying and re-hashing the prefix on every call.
        self._keyed = hmac.new(key, _DOMAIN, hashlib.sha256)
        self._by_kind: dict[str, _Mac] = {}

    def __repr__(self) -> str:
        return "BlindIndex(<key hidden>)"

    def digest(self, kind: str, normalized_value: str) -> bytes:
        """The index of ``normalized_value`` as a ``kind``; equal inputs of equal kind give equal bytes."""
        prefixed = self._by_kind.get(kind)
        if prefixed is None:
            if not kind or "\x00" in kind:
                raise ValueError("a blind-index kind is a non-empty string without NUL characters")
            keyed = self._keyed.copy()
            keyed.update(kind.encode("utf-8") + b"\x00")
            prefixed = self._by_kind[kind] = _openssl_state(keyed)
        mac = prefixed.copy()
        mac.update(normalized_value.encode("utf-8"))
        return mac.digest()[:DIGEST_BYTES]

    def mobile(self, eleven_digits: str) -> bytes:
        """Index of a normalised mainland mobile number (11 ASCII digits, no country code or spaces)."""
        if not _is_digits(eleven_digits, 11):
            raise ValidationError(
                "mobile must be normalised to 11 digits before indexing", code=ErrorCode.INVALID_MOBILE
            )
        return self.digest(KIND_MOBILE, eleven_digits)

    def mobile_last4(self, four_digits: str) -> bytes:
        """Index of a mobile number's last four digits (what couriers and customers quote)."""
        if not _is_digits(four_digits, 4):
            raise ValidationError(
                "mobile last four must be exactly 4 digits before indexing", code=ErrorCode.INVALID_MOBILE
            )
        return self.digest(KIND_MOBILE_LAST4, four_digits)

    def resident_id(self, eighteen_chars: str) -> bytes:
        """Index of a normalised 18-character resident ID (17 digits then a digit or upper-case X)."""
        if not (
            len(eighteen_chars) == 18
            and _is_digits(eighteen_chars[:17], 17)
            and (eighteen_chars[17] == "X" or _is_digits(eighteen_chars[17], 1))
        ):
            raise ValidationError(
                "resident ID must be normalised to 18 characters (upper-case X) before indexing",
                code=ErrorCode.INVALID_RESIDENT_ID,
            )
        return self.digest(KIND_RESIDENT_ID, eighteen_chars)

    def id_number(self, id_type: str, normalized: str) -> bytes:
        """Index of an identity document number of ``id_type`` (``IdentityNumber.index_value``).

        The kind is the ``id_type`` itself, so a resident ID indexes exactly as :meth:`resident_id` does
        (indexes written before other documents existed stay valid) and equal digits of two documents
        never collide. Every document number is compact upper-case ASCII letters and digits.
        """
        if id_type == KIND_RESIDENT_ID:
            return self.resident_id(normalized)
        if not (0 < len(normalized) <= _MAX_ID_NUMBER and normalized.isascii() and normalized.isalnum()):
            raise ValidationError(
                "an ID number must be normalised to upper-case letters and digits before indexing",
                code=ErrorCode.INVALID_ID_NUMBER,
            )
        if normalized != normalized.upper():
            raise ValidationError(
                "an ID number must be normalised to upper case before indexing",
                code=ErrorCode.INVALID_ID_NUMBER,
            )
        return self.digest(id_type, normalized)


class _Mac(Protocol):
    def copy(self) -> _Mac: ...

    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...


def _openssl_state(mac: hmac.HMAC) -> _Mac:
    """The OpenSSL HMAC state inside ``mac`` when CPython keeps one (``_hmac``), else ``mac`` itself.

    Both compute the same HMAC through the same methods; the inner state's ``copy`` is a C call, where
    ``hmac.HMAC.copy`` builds a Python object around it first (more than half the cost of a digest).
    """
    inner = getattr(mac, "_hmac", None)
    methods = ("copy", "update", "digest")
    if inner is not None and all(callable(getattr(inner, name, None)) for name in methods):
        return cast(_Mac, inner)
    return mac


def _is_digits(value: str, length: int) -> bool:
    return len(value) == length and value.isascii() and value.isdigit()
