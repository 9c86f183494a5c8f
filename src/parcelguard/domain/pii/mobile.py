"""Mainland China mobile numbers.

Shops hand us numbers in every shape (+86, 0086, spaces, dots, dashes, brackets, full-width digits,
Chinese numerals); we store one shape, 11 ASCII digits, so that encryption, blind indexes and masking all
see the same value. The shapes accepted are exactly those the phone recogniser finds in free text
(:mod:`parcelguard.domain.pii.phone_recognizer`, over :func:`parcelguard.domain.pii.fold.fold`), so
whatever an order may hold, the detector and the label gate see too. Unallocated prefixes are rejected
here because at intake they are almost always typos, and a typo'd number means a failed delivery (the
detector, which must fail closed, still reads them as phones in a phone context).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from parcelguard.domain.pii._errors import has_control_chars, invalid
from parcelguard.domain.pii.fold import fold_text
from parcelguard.domain.pii.phone_recognizer import MIN_HIDDEN_DIGITS, PLAIN_MOBILE, match_mobile
from parcelguard.errors import ErrorCode

__all__ = ["ALLOCATED_SEGMENTS", "HIDDEN_DIGITS", "Mobile", "is_allocated_mobile"]

_FIELD = "mobile"
_MOBILE_DIGITS = 11
_UNALLOCATED = "is not in an allocated mainland mobile range"
HIDDEN_DIGITS = MIN_HIDDEN_DIGITS

# Three-digit segments the MIIT has allocated to mobile service (operators and MVNOs), in agreement with
# the libphonenumber metadata for CN (9.0.x). Left out on purpose: 140-144 (13-digit IoT), 146/148/149
# (data-only SIMs), 154, 160, 163-164, 168-169, 179 and 194 (unallocated).
ALLOCATED_SEGMENTS: frozenset[str] = frozenset(
    [f"13{d}" for d in range(10)]
    + ["145", "147"]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + ["162", "165", "166", "167"]
    + ["170", "171", "172", "173", "175", "176", "177", "178"]
    + [f"18{d}" for d in range(10)]
    + ["190", "191", "192", "193", "195", "196", "197", "198", "199"]
)
# Segments of which only a sub-range is mobile: 1610 (MVNO trial block), 17400-17405 (Tiantong satellite).
_PARTIAL_SEGMENTS: dict[str, tuple[str, ...]] = {
    "161": ("1610",),
    "174": ("17400", "17401", "17402", "17403", "17404", "17405"),
}


def is_allocated_mobile(digits: str) -> bool:
    """True when an 11-digit string falls in an allocated mobile range (no format checks)."""
    segment = digits[:3]
    if segment in ALLOCATED_SEGMENTS:
        return True
    blocks = _PARTIAL_SEGMENTS.get(segment)
    return blocks is not None and digits.startswith(blocks)


@dataclass(frozen=True, slots=True)
class Mobile:
    """An allocated mainland mobile number, always 11 ASCII digits."""

    value: str

    @classmethod
    def parse(cls, raw: str) -> Self:
        """Normalise any spelling the phone recogniser reads as a mobile; check its range is allocated.

        Raises ValidationError (INVALID_MOBILE, field ``mobile``) naming the reason, never the value.
        """
        if PLAIN_MOBILE.fullmatch(raw) is None:
            return cls._parse(raw)
        # 13800138000 as forms nearly always hold it, or 138-0013-8000: nothing to fold, no country code
        digits = raw.replace(" ", "").replace("-", "") if len(raw) != _MOBILE_DIGITS else raw
        if not is_allocated_mobile(digits):
            raise invalid(ErrorCode.INVALID_MOBILE, _FIELD, _UNALLOCATED)
        return cls(value=digits)

    @classmethod
    def _parse(cls, raw: str) -> Self:
        """:meth:`parse` without its shortcut for ASCII digits alone or grouped by single spaces or dashes."""
        if has_control_chars(raw.strip()):
            raise invalid(ErrorCode.INVALID_MOBILE, _FIELD, "contains control characters")
        text = fold_text(raw).strip()
        if not text:
            raise invalid(ErrorCode.INVALID_MOBILE, _FIELD, "is empty")
        match = match_mobile(text)
        if match is None:
            if text.lstrip("([").startswith("+") and not text.lstrip("([").startswith("+86"):
                raise invalid(ErrorCode.INVALID_MOBILE, _FIELD, "has a foreign country code")
            raise invalid(
                ErrorCode.INVALID_MOBILE,
                _FIELD,
                "must be eleven digits after the country code and separators",
            )
        digits = match.digits
        if not is_allocated_mobile(digits):
            raise invalid(ErrorCode.INVALID_MOBILE, _FIELD, _UNALLOCATED)
        return cls(value=digits)

    @property
    def last4(self) -> str:
        """The last four digits: what customers read out and what search indexes are built on."""
        return self.value[-4:]

    def masked(self) -> str:
        """GB/T 41833 asks for at least 6 hidden digits: keep the segment and the last two."""
        return self.value[:3] + "*" * HIDDEN_DIGITS + self.value[-2:]

    def __repr__(self) -> str:
        return f"Mobile({self.masked()!r})"
