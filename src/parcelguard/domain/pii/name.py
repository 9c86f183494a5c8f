"""Person names: parsed as fields (:class:`PersonName`) and recognised in running text (:func:`find_names`).

One concept, one place: order intake, the free-text detector (:mod:`parcelguard.domain.deid`) and the label
gate all read names through this module, with one lexicon (:mod:`._name_lexicon`), one separator set for
minority names and one definition of Han (:mod:`.han`, Extensions A-J included). What the parser accepts,
the recogniser finds in a sentence; the property tests in tests/unit/pii/test_name.py hold both to that.

GB/T 41833-2022 asks labels to hide at least one character of a name. We keep the surname because that is
what couriers use at the door ("张先生"), and hide everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Self

from parcelguard.domain.pii._errors import has_control_chars, invalid
from parcelguard.domain.pii._lexicon import COMPOUND_SURNAMES
from parcelguard.domain.pii._name_latin import find_latin_names as find_latin_name_spans
from parcelguard.domain.pii._name_lexicon import NAME_DOTS, NAME_DOTS_WEAK
from parcelguard.domain.pii._name_span import NameSpan
from parcelguard.domain.pii._name_zh import find_chinese_names as find_chinese_name_spans
from parcelguard.domain.pii.fold import fold, to_halfwidth
from parcelguard.domain.pii.han import is_han
from parcelguard.errors import ErrorCode

__all__ = [
    "COMPOUND_SURNAMES",
    "MAX_NAME_LENGTH",
    "NAME_SEPARATORS",
    "NameSpan",
    "PersonName",
    "Script",
    "find_chinese_name_spans",
    "find_latin_name_spans",
    "find_names",
]

Script = Literal["han", "latin"]

MAX_NAME_LENGTH = 30
_MAX_HAN_WITHOUT_DOT = 10
_FIELD = "name"
_DOT = "·"
# Every separator typed between the parts of a minority name (阿卜杜·热合曼, 古丽米拉.买合木提, 索尔–坎贝尔);
# the value keeps the middle dot.
NAME_SEPARATORS = frozenset(NAME_DOTS + NAME_DOTS_WEAK)
_LATIN_JOINERS = frozenset("-'.")
# A name every check passes as it is: main-block Han characters only (none is a digit, a blank, a
# separator or a full-width form), no more than a name without a middle dot may hold.
_PLAIN_HAN_NAME = re.compile(f"[\u4e00-\u9fff]{{1,{_MAX_HAN_WITHOUT_DOT}}}")


def _is_latin_letter(ch: str) -> bool:
    cp = ord(ch)
    if cp < 0x80:
        return ch.isalpha()
    return 0xC0 <= cp <= 0x24F and cp not in (0xD7, 0xF7)


def _parse_han(text: str) -> str:
    compact = "".join(to_halfwidth(text).split())
    chars = [_DOT if ch in NAME_SEPARATORS else ch for ch in compact]
    value = "".join(chars)
    if not all(ch == _DOT or is_han(ch) for ch in value):
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
    return value[:2] if _compound_surname(value[:2]) else value[:1]


@lru_cache(maxsize=4096)
def _compound_surname(head: str) -> bool:
    """Whether two leading characters are a compound surname, in any spelling (歐陽 is 欧阳); cached,
    as surnames repeat from order to order."""
    return head in COMPOUND_SURNAMES or fold(head).text in COMPOUND_SURNAMES


@dataclass(frozen=True, slots=True)
class PersonName:
    """A validated person name; ``surname`` is None where it cannot be told (minority and Latin names)."""

    value: str
    script: Script
    surname: str | None

    @classmethod
    def parse(cls, raw: str) -> Self:
        """Validate and normalise a name typed by a customer or imported from a shop platform.

        Raises ValidationError (INVALID_NAME, field ``name``) naming the reason, never the value.
        """
        if _PLAIN_HAN_NAME.fullmatch(raw) is not None:  # 张伟: nothing to strip, fold or check further
            return cls(value=raw, script="han", surname=_han_surname(raw))
        return cls._parse(raw)

    @classmethod
    def _parse(cls, raw: str) -> Self:
        """:meth:`parse` without its shortcut for plain Han names."""
        if has_control_chars(raw):
            raise invalid(ErrorCode.INVALID_NAME, _FIELD, "contains control characters")
        text = raw.strip()
        if not text:
            raise invalid(ErrorCode.INVALID_NAME, _FIELD, "is empty")
        if any(ch.isdigit() for ch in text):
            raise invalid(ErrorCode.INVALID_NAME, _FIELD, "contains digits")
        if len(text) > MAX_NAME_LENGTH:
            raise invalid(ErrorCode.INVALID_NAME, _FIELD, "is too long for a name")
        if any(is_han(ch) for ch in text):
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


def find_names(text: str) -> list[NameSpan]:
    """Every person name in ``text``, Chinese and Latin, sorted by start, overlaps resolved by score.

    ``text`` must be normalised the way the detector does it (full-width forms to ASCII; traditional
    characters folded), and positions are in that text. The evidence rules are in :mod:`._name_zh` and
    :mod:`._name_latin`: a cue word, a title, separators around the name, a phone number glued in front,
    or a middle dot. The label gate uses this to find names printed in free text; the detector resolves the
    overlaps against its other findings.
    """
    spans = sorted(
        find_chinese_name_spans(text) + find_latin_name_spans(text),
        key=lambda s: (-s.score, s.start - s.end, s.start),
    )
    taken: list[NameSpan] = []
    for span in spans:
        if not any(span.start < t.end and t.start < span.end for t in taken):
            taken.append(span)
    return sorted(taken)
