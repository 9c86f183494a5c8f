"""Mainland China fixed-line numbers: area code, subscriber number and an optional extension.

Businesses (and many older customers) give a landline instead of a mobile. It is personal data just the
same, and GB/T 41833 asks for 6 hidden digits on labels, so it gets the same care as a mobile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Self

from parcelguard.domain.pii._errors import has_control_chars, invalid
from parcelguard.domain.pii.text import to_halfwidth
from parcelguard.errors import ErrorCode

__all__ = ["Landline", "is_area_code"]

_FIELD = "landline"
_MIN_HIDDEN = 6
_EXTENSION_MARK = re.compile(r"(?:转|分机|ext\.?|x|#)", re.IGNORECASE)
_ALLOWED_REST = re.compile(r"[\d\s()\-+]*")
_DIGIT_GROUPS = re.compile(r"\d+")


def is_area_code(code: str) -> bool:
    """True for a well-formed trunk area code: 010, 020-029 (not 026), or 0 + three digits from 03xx up."""
    if len(code) == 3:
        return code == "010" or (code.startswith("02") and code != "026")
    return len(code) == 4 and code[0] == "0" and code[1] in "3456789"


def _area_length(digits: str) -> int:
    return 3 if digits[1] in "12" else 4


def _split_extension(text: str) -> tuple[str, str | None]:
    mark = _EXTENSION_MARK.search(text)
    if mark is None:
        return text, None
    extension = text[mark.end() :].strip(" -")
    if not (extension.isascii() and extension.isdigit()):
        raise invalid(ErrorCode.INVALID_LANDLINE, _FIELD, "has an extension that is not digits")
    return text[: mark.start()], extension


def _groups_after_country_code(text: str) -> list[str]:
    stripped = text.strip()
    has_country_code = False
    if stripped.startswith("+86"):
        stripped, has_country_code = stripped[3:], True
    elif stripped.startswith("0086"):
        stripped, has_country_code = stripped[4:], True
    if not _ALLOWED_REST.fullmatch(stripped) or "+" in stripped:
        raise invalid(ErrorCode.INVALID_LANDLINE, _FIELD, "holds characters a phone number cannot hold")
    groups = _DIGIT_GROUPS.findall(stripped)
    if has_country_code and groups:
        if groups[0] == "0":  # "+86 (0)10 ..."
            groups = groups[1:]
        if groups and not groups[0].startswith("0"):
            groups[0] = "0" + groups[0]
    return groups


def _split_number(groups: list[str]) -> tuple[str, str, list[str]]:
    """Area code, subscriber number and the groups left over (an extension written after a dash)."""
    first = groups[0]
    if is_area_code(first):
        local, rest = "", groups[1:]
        while rest and len(local) < 7:
            local += rest.pop(0)
        return first, local, rest
    if len(first) < 4 or first[0] != "0":
        raise invalid(ErrorCode.INVALID_LANDLINE, _FIELD, "does not start with an area code")
    cut = _area_length(first)
    return first[:cut], first[cut:], groups[1:]


@dataclass(frozen=True, slots=True)
class Landline:
    """A fixed-line number; ``value`` is ``area-local`` with ASCII digits."""

    area_code: str
    local_number: str
    extension: str | None = None

    @classmethod
    def parse(cls, raw: str) -> Self:
        """Accept 010-62345678, (0755)8888 8888, +86 10 62345678, 0571-8888888转123 and the like."""
        if has_control_chars(raw.strip()):
            raise invalid(ErrorCode.INVALID_LANDLINE, _FIELD, "contains control characters")
        text = to_halfwidth(raw)
        main, extension = _split_extension(text)
        groups = _groups_after_country_code(main)
        if not groups:
            raise invalid(ErrorCode.INVALID_LANDLINE, _FIELD, "is empty")
        area, local, rest = _split_number(groups)
        if rest:
            if extension is not None:
                raise invalid(ErrorCode.INVALID_LANDLINE, _FIELD, "has digits after the subscriber number")
            extension = "".join(rest)
        if not is_area_code(area):
            raise invalid(ErrorCode.INVALID_LANDLINE, _FIELD, "has an unknown area code")
        valid_lengths = (8,) if len(area) == 3 else (7, 8)
        if len(local) not in valid_lengths or local[0] in "01":
            raise invalid(ErrorCode.INVALID_LANDLINE, _FIELD, "has a subscriber number of the wrong shape")
        if extension is not None and not 1 <= len(extension) <= 6:
            raise invalid(ErrorCode.INVALID_LANDLINE, _FIELD, "has an extension of the wrong length")
        return cls(area_code=area, local_number=local, extension=extension or None)

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
        hidden = max(_MIN_HIDDEN, len(self.local_number) - 2)
        text = f"{self.area_code}-{'*' * hidden}{self.local_number[hidden:]}"
        if self.extension:
            text += "-" + "*" * len(self.extension)
        return text

    def __repr__(self) -> str:
        return f"Landline({self.masked()!r})"
