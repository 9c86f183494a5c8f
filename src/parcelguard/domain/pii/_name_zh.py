"""Chinese person names in running text: a surname, one or two given-name characters, and context saying so.

A surname character alone proves little (高, 方, 路, 周 are everyday words), so a name is only taken with
evidence around it:

- a cue before it: strong ones (收件人, 姓名, 快递员, 我是) make the next word a name; weak ones (给, 找, 由)
  only when the given name is made of characters common in names;
- a title after it (先生, 女士, 师傅, 经理): then even the surname alone is a person (王先生 -> 王);
- a boundary on both sides (a CSV field, ``张伟 13812345678``) or a boundary before and a verb after
  (张伟说, 李娜签收), with name-like given characters;
- a list: after one name, ``、`` or ``和`` and another surname continue it.

- a phone-length number right before it (``13912345678林晓彤``: a contact written without a space);
- a list: after one name, ``、`` or ``和`` and another surname continue it.

This module decides where to look; :mod:`._name_reading` decides what the name there is and where it ends.
Names with a middle dot or another separator between their parts (阿卜杜·热合曼, 古丽米拉.买合木提) and
transliterated Tibetan, Mongolian or Uyghur names (扎西多吉, 斯琴巴雅尔) need no surname. A cue word glued
to the front (收件人阿依努尔·买合木提) is never part of the name. Brands that look like names (李宁, 王老吉)
and words such as 周末 or 单元 are never names. Text is expected normalised (full width to ASCII, and
traditional characters folded to simplified by the caller's normaliser); Han ranges include Extension A-J.
"""

from __future__ import annotations

import re
from functools import cache

from parcelguard.domain.pii._name_lexicon import (
    BRAND_NAMES,
    COMPOUND_SURNAMES,
    CUE_HALF_WORDS,
    FOLLOW_WORDS,
    GIVEN_CHARS,
    HONORIFICS,
    LEFT_STRONG,
    LEFT_WEAK,
    LEFT_WEAK_PERSONAL,
    NAME_DOTS,
    NAME_DOTS_WEAK,
    NOT_CUES,
    NOT_NAMES,
    RIGHT_CUES,
    SHORT_HONORIFICS,
    STOP_CHARS,
    SURNAMES,
    SURNAMES_FREQUENT,
    TRANSLITERATION_CHARS,
)
from parcelguard.domain.pii._name_reading import (
    CUE_END,
    STRONG,
    WEAK,
    frequent_surname,
    is_title_at,
    name_before_title,
    read_name,
    varied,
)
from parcelguard.domain.pii._name_span import NameSpan
from parcelguard.domain.pii.divisions import division_table
from parcelguard.domain.pii.han import HAN_CLASS, RARE_HAN_CLASS, is_han, is_rare_han

__all__ = ["find_chinese_names"]


def _alternation(words: frozenset[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


# Cue words, one flat alternation of literals so that ``re`` can skip to possible first characters.
_CUE_WORD = re.compile(_alternation(LEFT_STRONG | LEFT_WEAK))
# Role nouns are open-ended (扫描员, 操作员, 发件人, 代收人), so besides the list any word ending in 员 or 人
# counts, except the few where 人 means "someone" (有人, 别人).
_ROLE_END = re.compile("[员人]")
_NOT_ROLE = frozenset("有没别他某个")
# What may follow a cue: a name's first character, or the start of a label or linking word before it.
_NAME_FIRST = SURNAMES | TRANSLITERATION_CHARS | frozenset(w[0] for w in COMPOUND_SURNAMES)
_LABEL_FIRST = frozenset("实姓名信全还就也是为叫 :")
_AFTER_CUE = re.compile(r"(?:实名信息|实名|姓名|名字|信息|名称|全名)?\s*:?\s*(?:还是|就是|也是|是|为|叫)?\s*")
_HONORIFIC = re.compile(_alternation(HONORIFICS))
_SHORT_HONORIFIC = re.compile(f"[{''.join(sorted(SHORT_HONORIFICS))}]")
_RIGHT = _alternation(RIGHT_CUES)
_SURNAME_CLASS = "".join(sorted(SURNAMES_FREQUENT))
_GIVEN_CLASS = "".join(sorted(GIVEN_CHARS - STOP_CHARS))
_NOT_HAN = f"[^{HAN_CLASS}]"
# Rare characters (𠮷祥云) count as surname and given-name characters; classes with ranges outside the
# main block make ``re`` slower at every position, so those patterns run only on text that holds one.
_RARE = re.compile(f"[{RARE_HAN_CLASS}]")
_COMPOUND = _alternation(COMPOUND_SURNAMES)
# A name with nothing Han (or a short number) before it and a separator, a digit or a verb after it.
# Patterns start with a character class or literal words, so ``re`` skips quickly; the "nothing before"
# test is done on each match.


def _bounded(rare: str) -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(f"[{_SURNAME_CLASS}{rare}][{_GIVEN_CLASS}{rare}]{{1,2}}(?={_NOT_HAN}|$|{_RIGHT})"),
        re.compile(f"(?:{_COMPOUND})[{_GIVEN_CLASS}{rare}]{{1,2}}(?={_NOT_HAN}|$|{_RIGHT})"),
    )


_BOUNDED = _bounded("")
_BOUNDED_RARE = _bounded(RARE_HAN_CLASS)
# A number this long right before a name is a phone or an account, not a count (3张明信片).
_PHONE_LENGTH = 7
_PHONE_AFTER = re.compile(r"[ ,:;/]*[0-9+(]{1,2}[0-9 ()-]{6}")
# 张某, 李某某: how complaints and official texts refer to a person; 某 after a surname is rarely anything
# else, except in 于某天 (on some day) and the like.
_SURNAME_MOU = re.compile(f"[{_SURNAME_CLASS}]某某?(?![天些种个地处时位人日月年次家号样])")
_SEPARATORS = re.escape(NAME_DOTS + NAME_DOTS_WEAK)
_SEPARATOR = re.compile(f"[{_SEPARATORS}](?=[{HAN_CLASS}])")
_DOTTED = re.compile(
    f"[{HAN_CLASS}]{{1,6}}[{_SEPARATORS}][{HAN_CLASS}]{{1,6}}(?:[{_SEPARATORS}][{HAN_CLASS}]{{1,6}})?"
)
_MIN_PART = 2  # characters of transliteration on each side of a full stop or dash
# A transliterated name standing alone between separators, or before a verb (次仁卓玛帮...).
_TRANSLITERATED = re.compile(f"[{''.join(sorted(TRANSLITERATION_CHARS))}]{{3,8}}(?={_NOT_HAN}|$|{_RIGHT})")
_BRAND = re.compile(_alternation(BRAND_NAMES))
_AFTER_ALL = frozenset("说是在要没不已会很")  # 都说, 都是: 都 closing a name would mean "all"
_LIST_SEPARATORS = frozenset("、,/和与及跟")
_PLACE_SUFFIXES = frozenset("路街道巷弄区市县镇乡村号栋幢苑园府省州旗")
_PERSON_AFTER = ("本人", "先生", "女士", "你好", "您好", "说", "签收", "师傅", "收")
_STRONG_RULES = frozenset({"person.zh.cue", "person.zh.title", "person.zh.dotted"})
_CUE_RULES = frozenset({"person.zh.cue", "person.zh.title", "person.zh.weak"})


def _cue_ends_at(text: str, cut: int) -> bool:
    """A cue word (收件人) or a role noun (扫描员, 代收人) ends right before ``cut``."""
    if CUE_END.search(text, max(0, cut - 6), cut) is not None:
        return True
    return cut >= 2 and text[cut - 1] in "员人" and is_han(text[cut - 2]) and text[cut - 2] not in _NOT_ROLE


def _transliterated_before(text: str, start: int, dot: int) -> int:
    """Start of the run of transliteration characters that ends at ``dot`` (not before ``start``)."""
    pos = dot
    while pos > start and text[pos - 1] in TRANSLITERATION_CHARS:
        pos -= 1
    return pos


def _dotted_span(text: str, match: re.Match[str]) -> tuple[int, int] | None:
    """阿卜杜·热合曼: drop a cue word glued in front and words glued after (电话, 开).

    Behind a full stop or a dash (古丽米拉.买合木提) both parts must be transliteration, two characters at
    least, since those separators also stand between ordinary words.
    """
    start, end = match.span()
    dot = start + next(i for i, ch in enumerate(match.group()) if not is_han(ch))
    weak = text[dot] in NAME_DOTS_WEAK
    for cut in range(dot - 1, start, -1):
        if _cue_ends_at(text, cut):
            start = cut
            break
    if weak:
        start = _transliterated_before(text, start, dot)
        if dot - start < _MIN_PART:
            return None
    last_dot = start + max(i for i, ch in enumerate(text[start:end]) if not is_han(ch))
    pos = last_dot + 1
    while pos < end:
        ch = text[pos]
        if weak and ch not in TRANSLITERATION_CHARS:
            break
        if ch in TRANSLITERATION_CHARS:
            if ch in STOP_CHARS and pos - last_dot > 2 and text[pos + 1 : pos + 2] in _AFTER_ALL:
                break  # 古丽都说: 都 is "all" here
        elif (
            pos - last_dot > 4
            or ch in STOP_CHARS
            or text[pos : pos + 2] in FOLLOW_WORDS
            or is_title_at(text, pos)
        ):
            break
        pos += 1
    if weak and pos - last_dot - 1 < _MIN_PART:
        return None
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
        self.by_start: dict[int, NameSpan] = {}

    def _is_place(self, start: int, end: int, rule: str, *, personal: bool = False) -> bool:
        """安庆市, 梅林中路: a "name" followed by a place suffix, or equal to a place name, is a place.

        A word that is also a bare place name (白朗 county, 唐山) is weighed by the evidence on each side: a
        strong cue or a title makes it a person. A cue whose object is a person (``personal``: 给, 找, 联系)
        makes it a person where the word ends (the text, or anything not Han, follows it), since nothing
        there goes on as a place would (白朗县, 唐山分公司). Otherwise, after another weak cue (由, 是, 送:
        "from", "is", "deliver to") or none, only what follows people does (邹平下楼, 黄平收, 给唐山打电话).
        """
        strong = rule in _STRONG_RULES
        if self.text[end : end + 1] in _PLACE_SUFFIXES:
            return True
        inner = [ch for ch in self.text[start + 1 : end] if ch in _PLACE_SUFFIXES]
        # 丁栋: a place suffix that is also common in given names is a person's after a cue (收件人丁栋,
        # 给丁栋) or before a title, a verb of people or a phone number (丁栋收).
        if inner and (
            any(ch not in GIVEN_CHARS for ch in inner)
            or not (rule in _CUE_RULES or self._person_follows(end, strict=True))
        ):
            return True
        if strong or self.text[start:end] not in _place_names():
            return False
        if personal and not is_han(self.text[end : end + 1] or " "):
            return False  # 给白朗, 找唐山。: nothing after it continues a place
        # A place name is still a person when what follows is what follows people (邹平下楼, 黄平收).
        return not self._person_follows(end)

    def _person_follows(self, end: int, *, strict: bool = False) -> bool:
        """What follows people: a title, 说, 签收, a phone number; unless ``strict``, function words too."""
        text = self.text
        return (
            (not strict and (text[end : end + 1] in STOP_CHARS or text[end : end + 2] in FOLLOW_WORDS))
            or is_title_at(text, end)
            or any(text.startswith(cue, end) for cue in _PERSON_AFTER)
            or _PHONE_AFTER.match(text, end) is not None
        )

    def add(self, start: int, end: int, score: float, rule: str, *, personal: bool = False) -> None:
        if end <= start or self._is_place(start, end, rule, personal=personal):
            return
        old = self.by_start.get(start)
        if old is None or (score, end - start) > (old.score, old.end - old.start):
            self.by_start[start] = NameSpan(start, end, score, rule)

    def continue_lists(self) -> None:
        """张伟、李娜和王芳: a surname right after a found name and a separator starts another name."""
        text = self.text
        queue = sorted(self.by_start.values())
        while queue:
            name = queue.pop(0)
            pos = name.end
            if text[pos : pos + 1] not in _LIST_SEPARATORS or pos + 1 in self.by_start:
                continue
            read = read_name(text, pos + 1, WEAK)
            if read is not None:
                self.add(pos + 1, read[0], 0.8, "person.zh.list")
                if pos + 1 in self.by_start:
                    queue.append(self.by_start[pos + 1])

    def result(self) -> list[NameSpan]:
        brands = [m.span() for m in _BRAND.finditer(self.text)]
        found = self.by_start.values()
        if brands:
            return [c for c in found if not any(s < c.end and c.start < e for s, e in brands)]
        return list(found)


def _after_long_number(text: str, start: int) -> bool:
    return start >= _PHONE_LENGTH and text[start - _PHONE_LENGTH : start].isdigit()


def _free_standing(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Spans of ``pattern`` with nothing Han and no short number right before them.

    A count glued to a word (3张明信片) is no name; a phone number glued to one (13912345678林晓彤) is
    where contacts are written without a space.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    while (match := pattern.search(text, pos)) is not None:
        start = match.start()
        before = text[start - 1 : start]
        if before and (is_han(before) or (before.isdigit() and not _after_long_number(text, start))):
            pos = start + 1
            continue
        spans.append(match.span())
        pos = match.end()
    return spans


def _find_dotted(text: str, found: _Found) -> None:
    """Names with a separator between their parts, looked for only where one stands between Han."""
    pos = 0
    while (separator := _SEPARATOR.search(text, pos)) is not None:
        at = separator.start()
        if not (at and is_han(text[at - 1])):
            pos = at + 1
            continue
        dotted = _DOTTED.search(text, max(pos, at - 6))
        if dotted is None:
            return
        span = _dotted_span(text, dotted)
        pos = dotted.end()
        if span is not None:
            found.add(span[0], span[1], 0.92, "person.zh.dotted")
            pos = span[1]


_PERSONAL = 3  # a weak cue whose object is a person (LEFT_WEAK_PERSONAL), read as WEAK


def _cue_ends(text: str) -> dict[int, int]:
    """Where each cue word ends, with its strength (a listed strong cue or a role noun beats a weak cue).

    ``_PERSONAL`` marks a weak cue whose object is a person (see ``_Found._is_place``).
    """
    ends: dict[int, int] = {}
    for match in _CUE_WORD.finditer(text):
        word = match.group()
        ends[match.end()] = (
            STRONG if word in LEFT_STRONG else _PERSONAL if word in LEFT_WEAK_PERSONAL else WEAK
        )
    for match in _ROLE_END.finditer(text):
        pos = match.start()
        if (
            pos
            and is_han(text[pos - 1])
            and text[pos - 1] not in _NOT_ROLE
            and text[pos - 1 : pos + 1] not in COMPOUND_SURNAMES  # 左人, a surname
        ):
            ends[pos + 1] = STRONG
    return ends


def find_chinese_names(text: str) -> list[NameSpan]:
    """Chinese person names in normalised text (see the module docstring for the evidence taken)."""
    found = _Found(text)
    for cue_end, cue in _cue_ends(text).items():
        strength = WEAK if cue == _PERSONAL else cue
        if text[cue_end - 1 : cue_end + 1] in CUE_HALF_WORDS or text[cue_end - 2 : cue_end] in NOT_CUES:
            continue  # 由于, 关于, 路由: the cue character is half of another word
        following = text[cue_end : cue_end + 1]
        if following in _NAME_FIRST or (following and is_rare_han(following)):
            name_start = cue_end
        elif following in _LABEL_FIRST:
            label = _AFTER_CUE.match(text, cue_end)
            name_start = cue_end if label is None else label.end()
            if not is_han(text[name_start : name_start + 1] or " "):
                continue
        else:
            continue
        read = read_name(text, name_start, strength)
        if read is not None:
            rule = "person.zh.cue" if strength == STRONG else "person.zh.weak"
            found.add(name_start, read[0], read[1], rule, personal=cue == _PERSONAL)
    for pattern, short in ((_HONORIFIC, False), (_SHORT_HONORIFIC, True)):
        for match in pattern.finditer(text):
            if not match.start() or not is_han(text[match.start() - 1]):
                continue
            if short and not frequent_surname(text[match.start() - 1]):
                continue
            if any(pos in found.by_start for pos in range(match.start() + 1, match.end())):
                continue  # 车主任大勇: 车主 is the cue for 任大勇, not 车 with the title 主任
            named = name_before_title(text, match.start(), short)
            if named is not None:
                found.add(named[0], match.start(), named[1], "person.zh.title")
    for pattern in _BOUNDED_RARE if _RARE.search(text) else _BOUNDED:
        for start, end in _free_standing(pattern, text):
            if text[start : start + 2] not in NOT_NAMES and start not in found.by_start:
                found.add(start, end, 0.75, "person.zh.bounded")
    if "某" in text:
        for match in _SURNAME_MOU.finditer(text):
            found.add(match.start(), match.end(), 0.85, "person.zh.mou")
    for start, end in _free_standing(_TRANSLITERATED, text):
        if varied(text[start:end]):
            found.add(start, end, 0.7, "person.zh.transliterated")
    _find_dotted(text, found)
    found.continue_lists()
    return found.result()
