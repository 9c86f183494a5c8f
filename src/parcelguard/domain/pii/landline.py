"""Mainland China fixed-line numbers: area code, subscriber number and an optional extension.

Businesses (and many older customers) give a landline instead of a mobile. It is personal data just the
same, and GB/T 41833 asks for 6 hidden digits on labels, so it gets the same care as a mobile. The
spellings accepted are those the phone recogniser reads in free text
(:mod:`parcelguard.domain.pii.phone_recognizer`, over :func:`parcelguard.domain.pii.fold.fold`), plus an
extension (转123, 分机 123, ext. 42, x42, #42, or a last group of 1-6 digits: 010-62345678-123).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from parcelguard.domain.pii._errors import has_control_chars, invalid
from parcelguard.domain.pii.fold import fold_text
from parcelguard.domain.pii.phone_recognizer import MIN_HIDDEN_DIGITS, is_area_code, match_landline
from parcelguard.errors import ErrorCode

__all__ = ["Landline", "is_area_code"]

_FIELD = "landline"
_MAX_EXTENSION = 6


@dataclass(frozen=True, slots=True)
class Landline:
    """A fixed-line number; ``value`` is ``area-local`` with ASCII digits."""

    area_code: str
    local_number: str
    extension: str | None = None

    @classmethod
    def parse(cls, raw: str) -> Self:
        """Accept 010-62345678, (0755)8888 8888, +86 10 62345678, 0571-8888888转123 and the like.

        Raises ValidationError (INVALID_LANDLINE, field ``landline``) naming the reason, never the value.
        """
        if has_control_chars(raw.strip()):
            raise invalid(ErrorCode.INVALID_LANDLINE, _FIELD, "contains control characters")
        text = fold_text(raw).strip()
        if not text:
            raise invalid(ErrorCode.INVALID_LANDLINE, _FIELD, "is empty")
        found = match_landline(text)
        if found is None:
            raise invalid(
                ErrorCode.INVALID_LANDLINE,
                _FIELD,
                "must be an area code and a subscriber number of seven or eight digits",
            )
        phone, extension = found
        if extension is not None and not 1 <= len(extension) <= _MAX_EXTENSION:
            raise invalid(ErrorCode.INVALID_LANDLINE, _FIELD, "has an extension of the wrong length")
        area = phone.area_code or ""
        return cls(area_code=area, local_number=phone.digits[len(area) :], extension=extension or None)

    @property
    def value(self) -> str:
        """Canonical spelling without the extension, e.g. ``010-12345678``."""
        return f"{self.area_code}-{self.local_number}"

    @property
    def e164(self) -> str:
        """International form (+86, area code without its trunk 0), for telephony providers."""
        return f"+86{self.area_code[1:]}{self.local_number}"

    def masked(self) -> str:
        """Hide at least 6 subscriber digits (all but the last 2 of 8, the last 1 of 7) and any extension."""
        hidden = max(MIN_HIDDEN_DIGITS, len(self.local_number) - 2)
        text = f"{self.area_code}-{'*' * hidden}{self.local_number[hidden:]}"
        if self.extension:
            text += "-" + "*" * len(self.extension)
        return text

    def __repr__(self) -> str:
        return f"Landline({self.masked()!r})"
