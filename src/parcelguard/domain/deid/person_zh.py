"""PERSON (Chinese): a surname from the lexicon, one or two given-name characters, and context that says so.

A surname character alone proves little (高, 方, 路, 周 are everyday words), so a name is only taken with
evidence around it:

- a cue before it: strong ones (收件人, 姓名, 快递员, 我是) make the next word a name; weak ones (给, 找, 由)
  only when the given name is made of characters common in names;
- a title after it (先生, 女士, 师傅, 经理): then even the surname alone is a person (王先生 -> 王);
- a boundary on both sides (a CSV field, ``张伟 13812345678``) or a boundary before and a verb after
  (张伟说, 李娜签收), with name-like given characters;
- a list: after one name, ``、`` or ``和`` and another surname continue it.

Where the given name ends is decided by three lists: characters that never continue a name (的 说 在),
two-character words that follow names (明天, 电话, 先生: 张伟明天 -> 张伟) and characters common in given
names. Names with a middle dot (阿卜杜·热合曼) need no surname. Brands that look like names (李宁, 王老吉) and
words such as 周末 or 单元 are never names.
"""

from __future__ import annotations

import re
from functools import cache

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid._lexicon import (
    BRAND_NAMES,
    COMPOUND_SURNAMES,
    CUE_HALF_WORDS,
    FOLLOW_WORDS,
    GIVEN_CHARS,
    HONORIFICS,
    LEFT_STRONG,
    LEFT_WEAK,
    NOT_NAMES,
    RIGHT_CUES,
    SHORT_HONORIFICS,
    STOP_CHARS,
    SURNAMES,
    SURNAMES_AMBIGUOUS,
    SURNAMES_FREQUENT,
    TRANSLITERATION_CHARS,
)
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii.divisions import division_table

__all__ = ["find_chinese_names"]

_STRONG, _WEAK = 2, 1


def _alternation(words: frozenset[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


# Cue words, one flat alternation of literals so that ``re`` can skip to possible first characters.
_CUE_WORD = re.compile(_alternation(LEFT_STRONG | LEFT_WEAK))
# Role nouns are open-ended (扫描员, 操作员, 发件人, 代收人), so besides the list any word ending in 员 or 人
# counts, except the few where 人 means "someone" (有人, 别人).
_ROLE_END = re.compile("[员人]")
_NOT_ROLE = frozenset("有没别他某个")
_AFTER_CUE = re.compile(r"(?:姓名|名字|信息|名称|全名)?\s*:?\s*(?:是|为|叫)?\s*")
_HONORIFIC = re.compile(_alternation(HONORIFICS))
_SHORT_HONORIFIC = re.compile(f"[{''.join(sorted(SHORT_HONORIFICS))}]")
_RIGHT = _alternation(RIGHT_CUES)
_SURNAME_CLASS = "".join(sorted(SURNAMES_FREQUENT))
_GIVEN_CLASS = "".join(sorted(GIVEN_CHARS - STOP_CHARS))
_COMPOUND = _alternation(COMPOUND_SURNAMES)
# A name with nothing Han (or a digit) before it and a separator, a digit or a verb after it. Patterns
# start with a character class or literal words, so ``re`` skips quickly; the "nothing before" test is
# done on each match.
_BOUNDED = (
    re.compile(f"[{_SURNAME_CLASS}][{_GIVEN_CLASS}]{{1,2}}?(?=[^\u4e00-\u9fff]|$|{_RIGHT})"),
    re.compile(f"(?:{_COMPOUND})[{_GIVEN_CLASS}]{{1,2}}?(?=[^\u4e00-\u9fff]|$|{_RIGHT})"),
)
_DOT_CHARS = "·•・‧∙⋅"
_DOTTED = re.compile(
    f"[\u4e00-\u9fff]{{1,6}}[{_DOT_CHARS}][\u4e00-\u9fff]{{1,6}}(?:[{_DOT_CHARS}][\u4e00-\u9fff]{{1,6}})?"
)
_HAS_DOT = re.compile(f"[{_DOT_CHARS}]")
# A transliterated name standing alone between separators, or before a verb (次仁卓玛帮...).
_TRANSLITERATED = re.compile(
    f"[{''.join(sorted(TRANSLITERATION_CHARS))}]{{3,6}}(?=[^\u4e00-\u9fff]|$|{_RIGHT})"
)
_CUE_END = re.compile(f"(?:{_alternation(LEFT_STRONG | LEFT_WEAK)})$")
_BRAND = re.compile(_alternation(BRAND_NAMES))
_LIST_SEPARATORS = frozenset("、,/和与及跟")
_PLACE_SUFFIXES = frozenset("路街道巷弄区市县镇乡村号栋幢苑园府省州旗")
_PERSON_AFTER = ("本人", "先生", "女士", "你好", "您好", "说", "签收", "师傅", "收")
_STRONG_RULES = frozenset({"person.zh.cue", "person.zh.title", "person.zh.dotted"})
_MAX_SURNAMELESS = 4


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@cache
def _division_heads() -> frozenset[str]:
    heads: set[str] = set()
    for division in division_table():
        heads.add(division.name[:2])
        if division.short_name:
            heads.add(division.short_name[:2])
    return frozenset(heads)


def _surname_length(text: str, pos: int) -> int:
    if text[pos : pos + 2] in COMPOUND_SURNAMES:
        return 2
    return 1 if text[pos : pos + 1] in SURNAMES else 0


def _ends_word(text: str, pos: int) -> bool:
    """True when a name may end right before ``pos``: no Han there, or a word that follows names."""
    ch = text[pos : pos + 1]
    return (
        not ch
        or not _is_han(ch)
        or ch in STOP_CHARS
        or text[pos : pos + 2] in FOLLOW_WORDS
        or _is_honorific_at(text, pos)
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
    if not first or not _is_han(first) or first in STOP_CHARS or text[pos : pos + 2] in FOLLOW_WORDS:
        return pos
    if strength != _STRONG and first not in GIVEN_CHARS:
        return pos
    second = pos + 1
    if _ends_word(text, second):
        return second
    if text[second] in GIVEN_CHARS or (strength == _STRONG and _ends_word(text, second + 1)):
        return second + 1
    return second


def _is_honorific_at(text: str, pos: int) -> bool:
    return any(text.startswith(word, pos) for word in HONORIFICS)


def _read_name(text: str, pos: int, strength: int) -> tuple[int, float] | None:
    """(end, score) of a name starting at ``pos`` after a cue of the given strength, or None."""
    length = _surname_length(text, pos)
    if length == 0:
        return _read_surnameless(text, pos, strength)
    surname = text[pos : pos + length]
    if length == 1 and surname in SURNAMES_AMBIGUOUS and strength != _STRONG:
        return None
    if (
        length == 1
        and text[pos : pos + 2] in NOT_NAMES
        and not (strength == _STRONG and text[pos + 2 : pos + 3] in GIVEN_CHARS and _ends_word(text, pos + 3))
    ):
        return None  # 周末 is no name, but after 收件人, 周二妮 is
    given = pos + length
    if _is_honorific_at(text, given):
        return given, 0.9
    end = _given_end(text, given, strength)
    if end == given:
        return None
    return end, 0.9 if strength == _STRONG else 0.8


def _read_surnameless(text: str, pos: int, strength: int) -> tuple[int, float] | None:
    """Tibetan, Mongolian and Uyghur names have no surname: after a cue, take a transliterated word.

    Two characters (乌兰) need a strong cue and a word end after them; three or more are distinctive
    enough after any cue (联系其木格).
    """
    end = pos
    while end - pos < _MAX_SURNAMELESS and text[end : end + 1] in TRANSLITERATION_CHARS:
        end += 1
    length = end - pos
    if length < 2 or (length == 2 and (strength != _STRONG or not _ends_word(text, end))):
        return None
    if length == 3 and not _ends_word(text, end):
        return None
    return end, 0.75


def _good_left(text: str, pos: int) -> bool:
    """Nothing Han before ``pos``, or a cue word ending there."""
    if pos == 0 or not _is_han(text[pos - 1]):
        return True
    return _CUE_END.search(text, max(0, pos - 6), pos) is not None


def _before_honorific(text: str, hpos: int, short: bool) -> tuple[int, float] | None:
    """The name ending where a title starts (``hpos``): a full name if clearly one, else the surname."""
    for size in (3, 4, 2):
        start = hpos - size
        if start < 0:
            continue
        length = _surname_length(text, start)
        if length == 0 or length >= size or text[start : start + 2] in NOT_NAMES:
            continue
        given = text[start + length : hpos]
        if all(ch in GIVEN_CHARS and ch not in STOP_CHARS for ch in given) and _good_left(text, start):
            if length == 1 and text[start] not in SURNAMES_FREQUENT:
                continue
            return start, 0.9
    for length in (2, 1):
        start = hpos - length
        if start < 0 or _surname_length(text, start) != length:
            continue
        if length == 1 and text[start - 1 : start + 1] in COMPOUND_SURNAMES:
            return start - 1, 0.9
        if length == 1 and text[start - 1 : start + 1] in NOT_NAMES:
            continue
        if short and (text[start] not in SURNAMES_FREQUENT or not _good_left(text, start)):
            return None
        if length == 1 and text[start] in SURNAMES_AMBIGUOUS and not _good_left(text, start):
            return None
        return start, 0.85
    return None


def _dotted_span(text: str, match: re.Match[str]) -> tuple[int, int] | None:
    """阿卜杜·热合曼: drop a cue word glued in front and words glued after (电话, 开)."""
    start, end = match.span()
    dot = start + next(i for i, ch in enumerate(match.group()) if not _is_han(ch))
    for cut in range(dot - 1, start, -1):
        if _CUE_END.search(text, max(start, cut - 6), cut) is not None:
            start = cut
            break
    last_dot = start + max(i for i, ch in enumerate(text[start:end]) if not _is_han(ch))
    pos = last_dot + 1
    while pos < end:
        ch = text[pos]
        if ch in TRANSLITERATION_CHARS:
            if ch in STOP_CHARS and pos - last_dot > 2 and _is_han(text[pos + 1 : pos + 2] or " "):
                break  # 古丽都说: 都 is "all" here
        elif (
            pos - last_dot > 4
            or ch in STOP_CHARS
            or text[pos : pos + 2] in FOLLOW_WORDS
            or _is_honorific_at(text, pos)
        ):
            break
        pos += 1
    return (start, pos) if start < dot and pos > last_dot + 1 else None


@cache
def _place_names() -> frozenset[str]:
    names: set[str] = set()
    for division in division_table():
        names.add(division.name)
        if division.short_name:
            names.add(division.short_name)
    return frozenset(names)


class _Found:
    """Names found so far, one per start; a later, better reading of the same start replaces an earlier."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.by_start: dict[int, Candidate] = {}

    def _is_place(self, start: int, end: int, rule: str) -> bool:
        """安庆市, 梅林中路: a "name" followed by a place suffix, or equal to a place name, is a place."""
        if self.text[end : end + 1] in _PLACE_SUFFIXES or any(
            ch in _PLACE_SUFFIXES for ch in self.text[start + 1 : end]
        ):
            return True
        if rule in _STRONG_RULES or self.text[start:end] not in _place_names():
            return False
        return not any(self.text.startswith(cue, end) for cue in _PERSON_AFTER)

    def add(self, start: int, end: int, score: float, rule: str) -> None:
        if end <= start or self._is_place(start, end, rule):
            return
        old = self.by_start.get(start)
        if old is None or (score, end - start) > (old.score, old.end - old.start):
            self.by_start[start] = Candidate(start, end, EntityType.PERSON, score, rule)

    def continue_lists(self) -> None:
        """张伟、李娜和王芳: a surname right after a found name and a separator starts another name."""
        text = self.text
        queue = sorted(self.by_start.values())
        while queue:
            name = queue.pop(0)
            pos = name.end
            if text[pos : pos + 1] not in _LIST_SEPARATORS or pos + 1 in self.by_start:
                continue
            read = _read_name(text, pos + 1, _WEAK)
            if read is not None:
                self.add(pos + 1, read[0], 0.8, "person.zh.list")
                if pos + 1 in self.by_start:
                    queue.append(self.by_start[pos + 1])

    def result(self) -> list[Candidate]:
        brands = [m.span() for m in _BRAND.finditer(self.text)]
        found = self.by_start.values()
        if brands:
            return [c for c in found if not any(s < c.end and c.start < e for s, e in brands)]
        return list(found)


def _free_standing(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Spans of ``pattern`` with nothing Han and no digit right before them."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while (match := pattern.search(text, pos)) is not None:
        start = match.start()
        before = text[start - 1 : start]
        if before and (_is_han(before) or before.isdigit()):
            pos = start + 1
            continue
        spans.append(match.span())
        pos = match.end()
    return spans


def _cue_ends(text: str) -> dict[int, int]:
    """Where each cue word ends, with its strength (a listed strong cue or a role noun beats a weak cue)."""
    ends: dict[int, int] = {}
    for match in _CUE_WORD.finditer(text):
        ends[match.end()] = _STRONG if match.group() in LEFT_STRONG else _WEAK
    for match in _ROLE_END.finditer(text):
        pos = match.start()
        if pos and _is_han(text[pos - 1]) and text[pos - 1] not in _NOT_ROLE:
            ends[pos + 1] = _STRONG
    return ends


def find_chinese_names(text: str) -> list[Candidate]:
    """Chinese person names in normalised text."""
    found = _Found(text)
    for cue_end, strength in _cue_ends(text).items():
        if text[cue_end - 1 : cue_end + 1] in CUE_HALF_WORDS:
            continue  # 由于, 关于: the cue character is half of a word
        start = _AFTER_CUE.match(text, cue_end)
        name_start = cue_end if start is None else start.end()
        if not _is_han(text[name_start : name_start + 1] or " "):
            continue
        read = _read_name(text, name_start, strength)
        if read is not None:
            rule = "person.zh.cue" if strength == _STRONG else "person.zh.weak"
            found.add(name_start, read[0], read[1], rule)
    for pattern, short in ((_HONORIFIC, False), (_SHORT_HONORIFIC, True)):
        for match in pattern.finditer(text):
            if not match.start() or not _is_han(text[match.start() - 1]):
                continue
            if short and text[match.start() - 1] not in SURNAMES_FREQUENT:
                continue
            if any(pos in found.by_start for pos in range(match.start() + 1, match.end())):
                continue  # 车主任大勇: 车主 is the cue for 任大勇, not 车 with the title 主任
            named = _before_honorific(text, match.start(), short)
            if named is not None:
                found.add(named[0], match.start(), named[1], "person.zh.title")
    for pattern in _BOUNDED:
        for start, end in _free_standing(pattern, text):
            if text[start : start + 2] not in NOT_NAMES and start not in found.by_start:
                found.add(start, end, 0.75, "person.zh.bounded")
    for start, end in _free_standing(_TRANSLITERATED, text):
        found.add(start, end, 0.7, "person.zh.transliterated")
    pos = 0
    while _HAS_DOT.search(text, pos) and (dotted := _DOTTED.search(text, pos)) is not None:
        span = _dotted_span(text, dotted)
        pos = dotted.end()
        if span is not None:
            found.add(span[0], span[1], 0.92, "person.zh.dotted")
            pos = span[1]
    found.continue_lists()
    return found.result()
