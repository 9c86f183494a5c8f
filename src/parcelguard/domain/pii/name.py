"""Person names as they appear on waybills: Chinese, minority names with a middle dot, and Latin.

GB/T 41833-2022 asks labels to hide at least one character of a name. We keep the surname because that is
what couriers use at the door ("张先生"), and hide everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Self

from parcelguard.domain.pii._errors import has_control_chars, invalid
from parcelguard.domain.pii._lexicon import COMPOUND_SURNAMES
from parcelguard.domain.pii.text import to_halfwidth
from parcelguard.errors import ErrorCode

__all__ = ["COMPOUND_SURNAMES", "MAX_NAME_LENGTH", "PersonName", "Script"]

Script = Literal["han", "latin"]

MAX_NAME_LENGTH = 30
_MAX_HAN_WITHOUT_DOT = 10
_FIELD = "name"
_DOT = "·"
# Separators typed between the parts of a minority name: middle dots, katakana dot, bullet, full stop.
_DOT_VARIANTS = frozenset("·・•‧∙⋅･.")
_LATIN_JOINERS = frozenset("-'.")


def _is_han(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x323AF
        or 0xF900 <= cp <= 0xFAFF
        or cp == 0x3007
    )


def _is_latin_letter(ch: str) -> bool:
    cp = ord(ch)
    if cp < 0x80:
        return ch.isalpha()
    return 0xC0 <= cp <= 0x24F and cp not in (0xD7, 0xF7)


def _parse_han(text: str) -> str:
    compact = "".join(to_halfwidth(text).split())
    chars = [_DOT if ch in _DOT_VARIANTS else ch for ch in compact]
    value = "".join(chars)
    if not all(ch == _DOT or _is_han(ch) for ch in value):
        raise invalid(ErrorCode.INVALID_NAME, _FIELD, "mixes scripts or holds characters a name cannot hold")
    if value.startswith(_DOT) or value.endswith(_DOT) or _DOT * 2 in value:
        raise invalid(ErrorCode.INVALID_NAME, _FIELD, "has a misplaced middle dot")
    if _DOT not in value and len(value) > _MAX_HAN_WITHOUT_DOT:
        raise invalid(ErrorCode.INVALID_NAME, _FIELD, "is too long for a name without a middle dot")
    return value


def _parse_latin(text: str) -> str:
    words = to_halfwidth(text).replace("’", "'").split()
    for word in words:
        if not _is_latin_letter(word[0]):
            raise invalid(ErrorCode.INVALID_NAME, _FIELD, "has a word that does not start with a letter")
        if not all(_is_latin_letter(ch) or ch in _LATIN_JOINERS for ch in word):
            raise invalid(ErrorCode.INVALID_NAME, _FIELD, "holds characters a name cannot hold")
    return " ".join(words)


def _han_surname(value: str) -> str | None:
    if _DOT in value:
        return None
    if value[:2] in COMPOUND_SURNAMES:
        return value[:2]
    return value[:1]


@dataclass(frozen=True, slots=True)
class PersonName:
    """A validated person name; ``surname`` is None where it cannot be told (minority and Latin names)."""

    value: str
    script: Script
    surname: str | None

    @classmethod
    def parse(cls, raw: str) -> Self:
        """Validate and normalise a name typed by a customer or imported from a shop platform."""
        if has_control_chars(raw):
            raise invalid(ErrorCode.INVALID_NAME, _FIELD, "contains control characters")
        text = raw.strip()
        if not text:
            raise invalid(ErrorCode.INVALID_NAME, _FIELD, "is empty")
        if any(ch.isdigit() for ch in text):
            raise invalid(ErrorCode.INVALID_NAME, _FIELD, "contains digits")
        if len(text) > MAX_NAME_LENGTH:
            raise invalid(ErrorCode.INVALID_NAME, _FIELD, "is too long for a name")
        if any(_is_han(ch) for ch in text):
            value = _parse_han(text)
            return cls(value=value, script="han", surname=_han_surname(value))
        return cls(value=_parse_latin(text), script="latin", surname=None)

    def masked(self) -> str:
        """The form a label may show: at least one character hidden, the surname kept where known."""
        value = self.value
        if self.script == "latin":
            masked = " ".join(word[0] + "*" * (len(word) - 1) for word in value.split(" "))
            if "*" not in masked:
                masked = masked[:-1] + "*"
            return masked
        if self.surname is None:
            return value[0] + "".join(_DOT if ch == _DOT else "*" for ch in value[1:])
        if len(value) <= len(self.surname):
            return value[:-1] + "*"
        return self.surname + "*" * (len(value) - len(self.surname))

    def __repr__(self) -> str:
        return f"PersonName({self.masked()!r})"
