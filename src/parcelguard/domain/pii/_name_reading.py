"""Reading a Chinese name at a position: where the surname is, where the given name ends, what a title shows.

Split from :mod:`._name_zh`, which decides *where* to look (after cues, before titles, between
separators); this module decides what, if anything, is a name there. Where the given name ends is decided
by three lists: characters that never continue a name (的 说 在), two-character words that follow names
(明天, 电话, 先生: 张伟明天 -> 张伟) and characters common in given names. A Han character outside the main
block (𠮷, 㛃: Extension A, B and later) is never a function word, so it counts as a surname or a given-name
character wherever the lists are asked: rare characters are what names are written with.
"""

from __future__ import annotations

import re
from functools import cache

from parcelguard.domain.pii._name_lexicon import (
    COMPOUND_SURNAMES,
    FOLLOW_WORDS,
    GIVEN_CHARS,
    HONORIFICS,
    LEFT_STRONG,
    LEFT_WEAK,
    NOT_NAMES,
    STOP_CHARS,
    SURNAMES,
    SURNAMES_AMBIGUOUS,
    SURNAMES_FREQUENT,
    TRANSLITERATION_CHARS,
)
from parcelguard.domain.pii.divisions import division_table
from parcelguard.domain.pii.han import is_han, is_rare_han

__all__ = [
    "CUE_END",
    "STRONG",
    "WEAK",
    "ends_word",
    "frequent_surname",
    "given_char",
    "is_han",
    "is_title_at",
    "name_before_title",
    "read_name",
    "surname_length",
    "varied",
]

STRONG, WEAK = 2, 1
_HONORIFIC_LENGTHS = tuple(sorted({len(w) for w in HONORIFICS}))
_MAX_SURNAMELESS = 4
# Transliterated names written without a dot run long (斯琴巴雅尔, 阿依努尔买合木提).
_MAX_TRANSLITERATED = 8
_LONG_TRANSLITERATED = 4
# A cue word ending right here (for "nothing but a cue before the name").
CUE_END = re.compile("(?:" + "|".join(sorted(LEFT_STRONG | LEFT_WEAK, key=len, reverse=True)) + ")$")


def frequent_surname(ch: str) -> bool:
    """A surname that two name-like characters after it make a name without a cue (王, 林, or a rare 𠮷)."""
    return ch in SURNAMES_FREQUENT or (bool(ch) and is_rare_han(ch))


def given_char(ch: str) -> bool:
    """A character common in given names, or a rare one (see the module docstring)."""
    return ch in GIVEN_CHARS or (bool(ch) and is_rare_han(ch))


@cache
def _division_heads() -> frozenset[str]:
    heads: set[str] = set()
    for division in division_table():
        heads.add(division.name[:2])
        if division.short_name:
            heads.add(division.short_name[:2])
    return frozenset(heads)


def surname_length(text: str, pos: int) -> int:
    if text[pos : pos + 2] in COMPOUND_SURNAMES:
        return 2
    ch = text[pos : pos + 1]
    return 1 if ch in SURNAMES or (ch and not "\u4e00" <= ch <= "\u9fff" and is_rare_han(ch)) else 0


def ends_word(text: str, pos: int) -> bool:
    """True when a name may end right before ``pos``: no Han there, or a word that follows names."""
    ch = text[pos : pos + 1]
    return (
        not ch
        or not is_han(ch)
        or ch in STOP_CHARS
        or text[pos : pos + 2] in FOLLOW_WORDS
        or is_title_at(text, pos)
        or text[pos : pos + 2] in _division_heads()
    )


def _given_end(text: str, pos: int, strength: int) -> int:
    """End of the given name starting at ``pos`` (``pos`` itself when there is none).

    The first character must not be a function word or start a following word; after a weak cue it must
    also be common in names. A second character must be common in names, or, after a strong cue, be
    followed by the end of the word (王二狗，).
    """
    if text[pos : pos + 1] == "某":
        return pos + (2 if text[pos + 1 : pos + 2] == "某" else 1)
    first = text[pos : pos + 1]
    if not first or not is_han(first) or first in STOP_CHARS or text[pos : pos + 2] in FOLLOW_WORDS:
        return pos
    if strength != STRONG and not given_char(first):
        return pos
    second = pos + 1
    if ends_word(text, second):
        return second
    if given_char(text[second]) or (strength == STRONG and ends_word(text, second + 1)):
        return second + 1
    return second


def is_title_at(text: str, pos: int) -> bool:
    return any(text[pos : pos + n] in HONORIFICS for n in _HONORIFIC_LENGTHS)


def transliterated_end(text: str, pos: int) -> int:
    """End of the longest transliterated word (four characters or more) at ``pos`` a name may end after.

    ``pos`` itself when there is none.

    The run takes transliteration characters (at most eight); one that is also a function word (都, 不)
    only inside the run, never as its last character (阿布都热合曼, but 扎西多吉|不在). It must end where
    a name may end (:func:`ends_word`).
    """
    end = pos
    limit = min(len(text), pos + _MAX_TRANSLITERATED)
    while end < limit and text[end] in TRANSLITERATION_CHARS:
        if text[end] in STOP_CHARS and text[end + 1 : end + 2] not in TRANSLITERATION_CHARS:
            break
        end += 1
    if end - pos < _LONG_TRANSLITERATED:
        return pos
    while end > pos and not ends_word(text, end):
        end -= 1
    return end if varied(text[pos:end]) else pos


def varied(word: str) -> bool:
    """买买提 or 努尔阿依努尔, but not laughter or sighs (哈哈哈, 汗汗汗, 哈哈耶耶)."""
    distinct = len(set(word))
    return distinct >= 3 or (distinct == 2 and len(word) <= 3)


def read_name(text: str, pos: int, strength: int) -> tuple[int, float] | None:
    """(end, score) of a name starting at ``pos`` after a cue of the given strength, or None.

    A transliterated name of four or more characters written without a dot (斯琴巴雅尔) is taken whole when
    it is longer than the surname reading (斯 is a surname too).
    """
    read = _read_with_surname(text, pos, strength)
    long_end = transliterated_end(text, pos)
    if long_end - pos >= _LONG_TRANSLITERATED and (read is None or read[0] < long_end):
        return long_end, 0.85 if strength == STRONG else 0.75
    return read


def _read_with_surname(text: str, pos: int, strength: int) -> tuple[int, float] | None:
    length = surname_length(text, pos)
    if length == 0:
        return _read_surnameless(text, pos, strength)
    surname = text[pos : pos + length]
    if length == 1 and surname in SURNAMES_AMBIGUOUS and strength != STRONG:
        return None
    if (
        length == 1
        and text[pos : pos + 2] in NOT_NAMES
        and not (strength == STRONG and given_char(text[pos + 2 : pos + 3]) and ends_word(text, pos + 3))
    ):
        return None  # 周末 is no name, but after 收件人, 周二妮 is
    given = pos + length
    if is_title_at(text, given):
        return given, 0.9
    if strength == STRONG and text[given : given + 1] == " ":
        # 收件人：欧阳 娜娜: after a strong cue, one space between surname and given name keeps one name.
        spaced = _given_end(text, given + 1, strength)
        if spaced > given + 1:
            return spaced, 0.9
    end = _given_end(text, given, strength)
    if end == given:
        return _read_surnameless(text, pos, strength)  # 乌日娜: 乌 is a surname, but this is one word
    return end, 0.9 if strength == STRONG else 0.8


def _read_surnameless(text: str, pos: int, strength: int) -> tuple[int, float] | None:
    """Tibetan, Mongolian and Uyghur names have no surname: after a cue, take a transliterated word.

    Two characters (乌兰) need a strong cue and a word end after them; three or more are distinctive
    enough after any cue (联系其木格).
    """
    end = pos
    while end - pos < _MAX_SURNAMELESS and text[end : end + 1] in TRANSLITERATION_CHARS:
        end += 1
    length = end - pos
    if length < 2 or (length == 2 and (strength != STRONG or not ends_word(text, end))):
        return None
    if length == 3 and not ends_word(text, end):
        return None
    return end, 0.75


def _good_left(text: str, pos: int) -> bool:
    """Nothing Han before ``pos``, or a cue word ending there."""
    if pos == 0 or not is_han(text[pos - 1]):
        return True
    return CUE_END.search(text, max(0, pos - 6), pos) is not None


def name_before_title(text: str, hpos: int, short: bool) -> tuple[int, float] | None:
    """The name ending where a title starts (``hpos``): a full name if clearly one, else the surname."""
    for size in (3, 4, 2):
        start = hpos - size
        if start < 0:
            continue
        length = surname_length(text, start)
        if length == 0 or length >= size or text[start : start + 2] in NOT_NAMES:
            continue
        given = text[start + length : hpos]
        if length == 2 and not any(ch in STOP_CHARS for ch in given) and _good_left(text, start):
            return start, 0.9  # 司马相如先生: a compound surname is evidence enough
        if all(given_char(ch) and ch not in STOP_CHARS for ch in given) and _good_left(text, start):
            if length == 1 and not frequent_surname(text[start]):
                continue
            return start, 0.9
    for length in (2, 1):
        start = hpos - length
        if start < 0 or surname_length(text, start) != length:
            continue
        if length == 1 and text[start - 1 : start + 1] in COMPOUND_SURNAMES:
            return start - 1, 0.9
        if length == 1 and text[start - 1 : start + 1] in NOT_NAMES:
            continue
        if short and (not frequent_surname(text[start]) or not _good_left(text, start)):
            return None
        if length == 1 and text[start] in SURNAMES_AMBIGUOUS and not _good_left(text, start):
            return None
        return start, 0.85
    return None
