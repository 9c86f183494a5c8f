"""The one finder of Chinese postal addresses in free text, from the province (if any) down to the room.

The detector (:mod:`parcelguard.domain.deid.address`) and the label gate (:func:`address_detail_leaks`)
both call it on folded text (:func:`.fold.fold`), and it resolves divisions with the order parser's
resolver (:func:`.region.resolve_region`), so all three agree on what an address is.

An address is found from one of three kinds of start: an administrative division name from the shipped
division table (北京市, 广东深圳, 南山区), a piece of street grammar that only addresses have (a road with a
house number, a town or village with more after it, an estate followed by a building or room, two crossing
roads, a building followed by a unit or room, 3-2-501 after a name), or a label such as 地址 or 送到. From
there it is read through the divisions and then the street grammar of :mod:`.address_grammar`, and then
grown at both ends, because customers do not type what the grammar knows:

- to the left, back to where divisions and street pieces read on without a break (柳市镇|东岸村..., a
  province typed twice, 浙江-台州-温岭市, 中国 before a province);
- to the right, over the rest of the last word and loosely typed household detail up to a clear boundary
  (:data:`.address_grammar.TAIL`: 143号|吉网通信技术有限公司, 颐东华庭166|-1519), stopping before a
  recipient's name glued to it (文三路100号|王小明收, see :func:`name_after`).

A place name alone (上海, 朝阳区) is not an address and is left alone: it says where a parcel goes, not
where someone lives, and it is everywhere in delivery texts (杭州转运中心, 上海发货). At least one more
specific piece must follow, or two nested divisions down to a district. Nor is an organisation named
after its place (江苏省高级人民法院, 北京市公安局, 渝中区建委) or a school or employer someone held a role
at (同仁县司法局科员, 毕业于昆明市韶山小学), unless a house or room number says otherwise.

Measured on real customer addresses and news, Weibo and résumé text by benchmarks/deid/bench_addresses.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import NamedTuple

from parcelguard.domain.pii._name_lexicon import COMPOUND_SURNAMES, SURNAMES_FREQUENT
from parcelguard.domain.pii.address_grammar import (
    ADDRESS_LABEL,
    ADDRESS_VERB,
    ANCHOR_NEEDS_DIGIT,
    ANCHORS,
    COMPONENT,
    EMPLOYER_CUE,
    GOVERNMENT,
    HIGHWAY,
    LEFT_STOP,
    LEFT_STOP_WORDS,
    NOT_ESTATE,
    NOT_ROAD,
    ORGANISATION,
    POSITION,
    REST_OF_FIELD,
    ROOM_ANCHOR,
    TAIL,
)
from parcelguard.domain.pii.divisions import Division, division_table
from parcelguard.domain.pii.region import resolve_region

__all__ = [
    "AddressSpan",
    "AnchorVeto",
    "ModelPlace",
    "clear_address_span_cache",
    "find_address_spans",
    "name_after",
]


class AddressSpan(NamedTuple):
    """An address at ``text[start:end]``; ``score`` in (0, 1]; ``rule`` names how it was found."""

    start: int
    end: int
    score: float
    rule: str


ModelPlace = tuple[int, int, str]
"""``(start, end, tag)``: a sequence model's word at ``text[start:end]`` and its tag (``LOC``, ``ORG``)."""

AnchorVeto = Callable[[str, int, int, int], bool]
"""``veto(text, name_start, anchor_start, anchor_end)``: True when the words around a street anchor say
it is something else (货架号5-2-12 is a shelf, 热线400-820-8820 a hotline)."""

_MAX_WALK_BACK = 7
# A district or county name the table does not have, right after its prefecture: two Han characters (not a
# generic word such as 各区, 城区, 郊县) and 区 or 县, not followed by what makes it a word (区域, 县城).
_UNLISTED_DISTRICT = re.compile(
    "[\u4e00-\u9fff](?<![各全该本此郊景社小园片辖市城])[\u4e00-\u9fff](?<![各全该本此郊景社小园片辖市城])"
    "[区县](?![域内外里间级委长城])"
)
_FILLERS = ("其它区", "其他区", "市辖区", "null", "NULL")
_MAX_EXTEND_LEFT = 16
_LEFT_GAPS = " -_"
_TAIL_TRIM = "-# _"
_BLANKS = (" ", "_")
_MAX_BLANKS = 2
_NAME_LENGTH = 4
_NAME_LENGTHS = (4, 3, 2)  # a compound surname and two, then a surname and two, then one
_PHONE_AHEAD = re.compile("[0-9]{7}|\\+?86")
_POSITION_REACH = 3
_CUE_REACH = 3
_ASCII_DIGIT = re.compile("[0-9]")
_MODEL_PLACE = "LOC"
_MODEL_SCORE = 0.8
_HOUSEHOLD_KINDS = frozenset({"unit", "room"})
_CUED = frozenset({"address.labelled", "address.verb"})
_FIXED_START = _CUED | {"address.model"}  # a cue or the model's word says where the address starts
_MAX_REST = 24
_ANCHOR_OVERLAP = 8
_ANCHOR_CONTEXT = 32
_NUMBERED = re.compile("[0-9](?![0-9]*期)")
_HAS_DIGIT = re.compile("[0-9一二三四五六七八九十]")
_COUNTRY = "中国"
_DIGIT_KINDS = frozenset({"unit", "room", "house"})
_PLACE_KINDS = frozenset({"town", "village", "road", "house", "cross"})
_SETTLED_KINDS = frozenset({"town", "village", "cross"})
# Up to this many division names before an organisation word make an organisation's name (北京市公安局,
# 北京市石景山区区委); a customer who types province, city and district before a firm means its address.
_ORGANISATION_NAMES = 2
_SETTLED_ALONE = frozenset({"town", "village", "road"})
_TAIL_NUMBER = re.compile("[0-9]{2,}")
_TAIL_SCORE = 0.75
_STREET_KINDS = frozenset({"town", "village", "road", "house", "cross", "unit", "room"})
_NONE, _VERB, _LABEL = 0, 1, 2


def _heads() -> frozenset[str]:
    """First two characters of every division name, short form, alias and former name."""
    return division_table().heads()


@cache
def _head_start() -> re.Pattern[str]:
    """Where a division name may start: its first character, with a possible second one after it.

    A character class is scanned by ``re`` in C, so only the few candidate positions reach Python.
    """
    heads = _heads()
    first = "".join(sorted({h[0] for h in heads}))
    second = "".join(sorted({h[1] for h in heads}))
    return re.compile(f"[{first}](?=[{second}])")


def _walk(text: str, pos: int, gaps: str = " -_") -> tuple[int, int, bool, Division | None]:
    """(end, count, any full name, deepest division) of the division names from ``pos``.

    A space may stand between two names (广东省 深圳市); which place an ambiguous name means does not
    matter here, only how far the names go.
    """
    region = resolve_region(text, pos, gaps=gaps, settle=False, confirmed_only=False)
    if region is None:
        return pos, 0, False, None
    end, names, full, deepest = region.end, region.names, region.full, region.divisions[0]
    # 杭州市江干区: a district abolished or renamed in a way no table follows (split in two), or misspelt.
    if deepest.level == "prefecture" and (district := _UNLISTED_DISTRICT.match(text, end)) is not None:
        end, names = district.end(), names + 1
    # 浙江省金华市其它区新华街: a shop's form filled in with "other district" (or null) between names.
    while (filler := next((w for w in _FILLERS if text.startswith(w, end)), None)) is not None:
        end += len(filler)
        while end < len(text) and text[end] in gaps:
            end += 1
        more = resolve_region(text, end, gaps=gaps, settle=False, confirmed_only=False)
        if more is not None:
            end, names, full, deepest = more.end, names + more.names, full or more.full, more.divisions[0]
    while end > pos and text[end - 1] in gaps:
        end -= 1
    return end, names, full, deepest


def _components(text: str, pos: int) -> tuple[int, list[str]]:
    kinds: list[str] = []
    while (match := COMPONENT.match(text, pos)) is not None:
        kind = match.lastgroup or ""
        if kind == "estate" and (NOT_ESTATE.search(match.group()) or match.group().endswith("市中心")):
            break
        if kind == "road" and _not_a_road(match.group()):
            break
        if (
            kind == "road"
            and kinds
            and kinds[-1] in ("road", "cross")
            and match.group().lstrip(" _")[0] == "和"
        ):
            kind = "cross"  # 群贤路|和镜水路交叉口
        if kind == "road" and HIGHWAY.search(match.group()) is not None:
            kind = "highway"  # 盘山公路, 104国道: no one lives on a highway without a house number
        elif kind in ("road", "estate") and _NUMBERED.search(match.group()) is not None:
            kind = "house"  # 建设路88号, 产业园1207; not an estate's phase alone (万科城2期)
        elif kind == "unit" and match.group().endswith("期"):
            kind = "phase"  # 小区3期 is a phase of an estate, not anyone's household
        kinds.append(kind)
        pos = match.end()
    return pos, kinds


def _not_a_road(piece: str) -> bool:
    """线路896, 频道5: the piece is an everyday word ending in a road word (民航路 is a road, 航路 is not)."""
    return NOT_ROAD.match(piece.lstrip(" ")) is not None


def _accept(count: int, full: bool, last: Division | None, kinds: list[str], cue: int) -> float:
    """The score of a parsed span, or 0 when it is not specific enough to be someone's address."""
    core = [kind for kind in kinds if kind != "landmark"]
    digits = any(kind in _DIGIT_KINDS for kind in core)
    place = bool(_PLACE_KINDS.intersection(core))
    if count:
        if core and (full or count >= 2 or digits or place or cue):
            return 0.9 if digits or len(core) >= 2 else 0.8
        if (
            count >= 3
            or (count == 2 and last is not None and last.level == "county")
            or (cue == _LABEL and full)
        ):
            return 0.7
        return 0.0
    if not core:
        return 0.0
    if cue == _LABEL:
        return 0.85
    if cue == _VERB and (digits or place):
        return 0.8
    if (len(core) >= 2 and digits) or "house" in core:
        return 0.85
    if len(core) >= 2 and _SETTLED_KINDS.intersection(core):
        return 0.8  # 柳市镇东岸村, 长河街道长河路和瑞国际广场: a town or village and one more piece
    return 0.0


def _parse_once(text: str, start: int, cue: int, rule: str, divisions: bool) -> AddressSpan | None:
    pos, count, full, last = start, 0, False, None
    if divisions:
        if text.startswith(_COUNTRY, pos) and text[pos + 2 : pos + 4] in _heads():
            pos += 2
        chain_start = pos
        pos, count, full, last = _walk(text, pos)
        if count == 1 and not full and cue == _NONE and pos - chain_start <= 3:
            start = _walk_back(text, start)  # 龙光|桃源国际: a short place name inside an estate name
    end, kinds = _components(text, pos)
    if kinds and kinds[0] in ("unit", "room") and len(kinds) < 2 and not count and not cue:
        return None
    score = _accept(count, full, last, kinds, cue)
    if not score and not count and cue == _NONE and len(kinds) == 1 and kinds[0] in _SETTLED_ALONE:
        tail = TAIL.match(text, end)  # 濮院镇|国贸名品港8890: one place and a number in what follows
        if tail is not None and _TAIL_NUMBER.search(tail.group()) is not None:
            score = _TAIL_SCORE
    if (
        score
        and cue == _NONE
        and count <= _ORGANISATION_NAMES
        and _STREET_KINDS.isdisjoint(kinds)
        and ORGANISATION.match(text, pos) is not None
    ):
        return None  # 江苏省高级人民法院, 北京市住房贷款担保中心: an organisation named after its place
    if cue == _LABEL:
        rest = REST_OF_FIELD.match(text, end)
        if rest is not None and 0 < rest.end() - end <= _MAX_REST and _HAS_DIGIT.search(rest.group()):
            end = rest.end()
            score = max(score, 0.6)
    while end > start and text[end - 1] in " _":
        end -= 1
    if score == 0.0 or end <= start:
        return None
    return AddressSpan(start, end, score, rule)


def _parse(text: str, start: int, cue: int, rule: str) -> AddressSpan | None:
    """The address starting at ``start``, reading leading names as divisions or, failing that, as a street.

    锦江 is a district of Chengdu, but in 锦江小区17-2-2307 it is the name of an estate: when the reading
    with divisions is not an address or ends sooner, the plain street reading is kept, and its name may
    then start a few characters earlier (龙光|桃源国际: 桃源 is a county, 龙光桃源 an estate).
    """
    with_divisions = _parse_once(text, start, cue, rule, True)
    if with_divisions is not None and with_divisions.score >= 0.8:
        return with_divisions
    plain = _parse_once(text, start, cue, rule, False)
    if plain is None or (with_divisions is not None and with_divisions.end >= plain.end):
        return with_divisions
    if cue == _NONE:
        earlier = _walk_back(text, start)
        if earlier < start:
            return _parse_once(text, earlier, cue, rule, False) or plain
    return plain


def _walk_back(text: str, pos: int) -> int:
    """Where the name before a road or estate suffix starts: back over place characters, a few at most."""
    low = max(0, pos - _MAX_WALK_BACK)
    while pos > low:
        ch = text[pos - 1]
        if not ("\u4e00" <= ch <= "\u9fff" or (ch.isascii() and ch.isalpha())) or _left_stop(text, pos - 1):
            break
        pos -= 1
    return pos


def _left_stop(text: str, pos: int) -> bool:
    """True when ``text[pos]`` cannot be part of a place name read leftwards (在, 址, 收件)."""
    return text[pos] in LEFT_STOP or text[pos : pos + 2] in LEFT_STOP_WORDS


def _inside(found: list[AddressSpan], pos: int) -> bool:
    return any(c.start <= pos < c.end for c in found)


def _full_name_overlaps(text: str, pos: int) -> bool:
    """从江苏省: a full name one character later (江苏省) beats a short form here (从江), not a full one."""
    table = division_table()
    here = table.candidates(text, pos)
    if any(not short for _, _, short, _ in here):
        return False
    longest_here = max((end for _, end, _, _ in here), default=pos)
    return any(not short and end > longest_here for _, end, short, _ in table.candidates(text, pos + 1))


def _gaps(found: list[AddressSpan], length: int) -> list[tuple[int, int]]:
    """The stretches of the text that no address found so far covers."""
    gaps: list[tuple[int, int]] = []
    pos = 0
    for candidate in sorted(found):
        if candidate.start > pos:
            gaps.append((pos, candidate.start))
        pos = max(pos, candidate.end)
    if pos < length:
        gaps.append((pos, length))
    return gaps


def _from_anchor(text: str, match: re.Match[str], found: list[AddressSpan], veto: AnchorVeto | None) -> None:
    start = _walk_back(text, match.start())
    if _inside(found, start) or (veto is not None and veto(text, start, match.start(), match.end())):
        return
    candidate = _parse(text, start, _NONE, "address.street")
    if candidate is not None:
        found.append(candidate)


def find_address_spans(
    text: str, veto: AnchorVeto | None = None, places: Sequence[ModelPlace] | None = None
) -> list[AddressSpan]:
    """Chinese addresses in folded text, sorted by start (English-style ones are the detector's
    :mod:`parcelguard.domain.deid.address_en`).

    ``places`` are a sequence model's words, as ``(start, end, tag)`` with end-exclusive indexes into
    ``text``; only places (``LOC``) are used, other tags are ignored. A place followed right away by a
    building, unit, floor or room starts an address the grammar alone would miss (电子大厦|15楼). Without
    ``places`` (the ``fast`` mode) only the rules run.

    What the rules find is remembered per ``(text, veto)`` (`_CACHED_TEXTS` texts at most): at issuance
    the detector reads a remark with the model's places and the label gate reads the same text again
    without them, and both start from the same rule findings.
    """
    if places:
        found = list(_rule_spans(text, veto))
        _from_model_places(text, places, found)
        return _finished(text, found)
    return list(_spans_by_rules(text, veto))


_CACHED_TEXTS = 2048
"""Texts whose rule findings are remembered (each at most a free text's 500 characters)."""


def clear_address_span_cache() -> None:
    """Forget the remembered rule findings: for benchmarks that time one configuration after another on the
    same texts (the second would otherwise read the first one's findings)."""
    _spans_by_rules.cache_clear()
    _rule_spans.cache_clear()


@lru_cache(maxsize=_CACHED_TEXTS)
def _spans_by_rules(text: str, veto: AnchorVeto | None) -> tuple[AddressSpan, ...]:
    """`find_address_spans` without model places, remembered."""
    return tuple(_finished(text, list(_rule_spans(text, veto))))


@lru_cache(maxsize=_CACHED_TEXTS)
def _rule_spans(text: str, veto: AnchorVeto | None) -> tuple[AddressSpan, ...]:
    """The addresses the rules alone start (divisions, cues, street anchors), before any model place is
    added and before they are grown and joined; remembered (a veto is a function, keyed by identity)."""
    return tuple(_find_by_rules(text, veto))


def _finished(text: str, found: list[AddressSpan]) -> list[AddressSpan]:
    grown = [extended for span in found if (extended := _extended(text, span)) is not None]
    return _joined(text, grown)


def _find_uncached(
    text: str, veto: AnchorVeto | None = None, places: Sequence[ModelPlace] | None = None
) -> list[AddressSpan]:
    """`find_address_spans` computed afresh (the reference its memory is tested against)."""
    found = _find_by_rules(text, veto)
    if places:
        _from_model_places(text, places, found)
    return _finished(text, found)


def _find_by_rules(text: str, veto: AnchorVeto | None) -> list[AddressSpan]:
    found: list[AddressSpan] = []
    heads, head_start = _heads(), _head_start()
    pos = 0
    while (head := head_start.search(text, pos)) is not None:
        pos = head.start()
        if text[pos : pos + 2] in heads and not _full_name_overlaps(text, pos):
            candidate = _parse(text, pos, _NONE, "address.division")
            if candidate is not None:
                found.append(candidate)
                pos = candidate.end
                continue
        pos += 1
    for pattern, cue, rule in (
        (ADDRESS_LABEL, _LABEL, "address.labelled"),
        (ADDRESS_VERB, _VERB, "address.verb"),
    ):
        for match in pattern.finditer(text):
            if not _inside(found, match.end()):
                candidate = _parse(text, match.end(), cue, rule)
                if candidate is not None:
                    found.append(candidate)
    # Streets without divisions are looked for only where no address was found yet.
    for low, high in _gaps(found, len(text)):
        # An anchor may end inside the next address, and its lookaheads must see the text after the gap
        # (192-3598|-2342 is a phone number even when an address found earlier ends at the bar).
        last = min(len(text), high + _ANCHOR_OVERLAP)
        context = min(len(text), last + _ANCHOR_CONTEXT)
        digits = _ASCII_DIGIT.search(text, low, last) is not None
        for pattern, needs_digit in zip(ANCHORS, ANCHOR_NEEDS_DIGIT, strict=True):
            if needs_digit and not digits:
                continue
            for match in pattern.finditer(text, low, context):
                if match.start() >= last:
                    break
                _from_anchor(text, match, found, veto)
        for match in ROOM_ANCHOR.finditer(text, low, context if digits else low):
            if match.start() >= last:
                break
            if match.start() and "\u4e00" <= text[match.start() - 1] <= "\u9fff":
                _from_anchor(text, match, found, veto)
    return found


def _from_model_places(text: str, places: Sequence[ModelPlace], found: list[AddressSpan]) -> None:
    """Addresses that start at a model's place word followed right away by a building, unit, floor or room
    (电子大厦|15楼, 泰和小区|B懂1097); organisation words are not used: customers' addresses ending in a
    firm are often one organisation word to the model (临浦镇华家村杭州慧杰电子科技有限公司)."""
    for start, end, tag in places:
        if tag != _MODEL_PLACE or end <= start or _inside(found, start):
            continue
        stop, kinds = _components(text, end)
        if kinds and kinds[0] in _HOUSEHOLD_KINDS:
            found.append(AddressSpan(start, stop, _MODEL_SCORE, "address.model"))


def _extended(text: str, span: AddressSpan) -> AddressSpan | None:
    """The span grown over what the grammar did not read at either end; a cue (地址, 送到) fixes its start.

    None when a role follows what was read, or is in the tail, and the span has no number: 同仁县司法局科员
    and 深圳高速公路股份有限公司董事 name an employer.
    """
    start = span.start if span.rule in _FIXED_START else _extend_left(text, span.start)
    end = _extend_right(text, span.end)
    if span.rule not in _CUED and not _ASCII_DIGIT.search(text, start, end):
        if POSITION.search(text, span.start, min(len(text), end + _POSITION_REACH)) is not None:
            return None
        if EMPLOYER_CUE.search(text, max(0, start - _CUE_REACH), start) is not None:
            return None  # 就读于昆明市韶山小学: a school or employer, not a home
        if _government(text, start, end):
            return None
    return span._replace(start=start, end=end)


def _government(text: str, start: int, end: int) -> bool:
    """旬阳县人民法院, 渝中区建委: a government body right after the divisions, before any street piece."""
    pos = start + len(_COUNTRY) if text.startswith(_COUNTRY, start) else start
    pos, count, _, _ = _walk(text, pos)
    if not count:
        return False
    _, kinds = _components(text, pos)
    if not _STREET_KINDS.isdisjoint(kinds):
        return False
    body = GOVERNMENT.match(text, pos, end)
    return body is not None


def _extend_right(text: str, end: int) -> int:
    """Where an address found up to ``end`` really ends: over the rest of its last word (a shop, a firm, a
    building: 143号|吉网通信技术有限公司) and household details typed loosely (颐东华庭166|-1519), up to
    a clear boundary (:data:`.address_grammar.TAIL`)."""
    stop = _tail_end(text, end)
    # A blank between address parts (华东国际珠宝城 A1435, 永安街1149号 莫干山旅行社) is crossed, but not
    # before what reads as a name (88号 张伟, 3栋 王小明收): a short run of Han characters alone.
    for _ in range(_MAX_BLANKS):
        if text[stop : stop + 1] not in _BLANKS:
            break
        after = _tail_end(text, stop + 1)
        if _reads_as_name(text[stop + 1 : after]):
            break
        stop = after
    return _before_name(text, end, stop)


def _before_name(text: str, low: int, stop: int) -> int:
    """``stop``, or where a recipient's name glued to the end of the tail starts (see :func:`name_after`)."""
    end = stop - 1 if text[stop - 1 : stop] == "收" else stop
    if end == stop and _PHONE_AHEAD.match(text, stop) is None:
        return stop
    for length in _NAME_LENGTHS:
        start = end - length
        if start >= low and name_after(text, start) == end:
            return start
    return stop


def name_after(text: str, pos: int) -> int | None:
    """The end of a recipient's name at ``text[pos]`` right after an address, or None.

    The name is a surname and one or two Han characters (a compound surname and two) followed by 收 or by a
    phone number: 文三路100号|王小明收, 建国路88号|张三13800000000. Glued to the address like this, the
    finder leaves it out of the address and the detector reports it as a person.
    """
    if text[pos : pos + 1] not in SURNAMES_FREQUENT and text[pos : pos + 2] not in COMPOUND_SURNAMES:
        return None
    for length in _NAME_LENGTHS:
        end = pos + length
        if end > len(text) or not _reads_as_name(text[pos:end]):
            continue
        if text[end : end + 1] == "收" or _PHONE_AHEAD.match(text, end) is not None:
            return end
    return None


def _reads_as_name(word: str) -> bool:
    """张伟, 欧阳娜娜收: a surname and one or two more Han characters (a compound surname and two), the
    shape of a recipient's name after an address; 附一医 and 辉煌电镀 are places."""
    word = word.removesuffix("收")
    if not word or not all("\u4e00" <= ch <= "\u9fff" for ch in word):
        return not word
    if word[:2] in COMPOUND_SURNAMES:
        return len(word) <= _NAME_LENGTH
    return word[0] in SURNAMES_FREQUENT and len(word) < _NAME_LENGTH


def _tail_end(text: str, pos: int) -> int:
    tail = TAIL.match(text, pos)
    stop = pos if tail is None else tail.end()
    while stop > pos and text[stop - 1] in _TAIL_TRIM:
        stop -= 1
    return stop


def _reach(text: str, pos: int) -> int:
    """How far the divisions and street pieces read from ``pos`` go, accepted as an address or not."""
    if text.startswith(_COUNTRY, pos):
        pos += len(_COUNTRY)
    end, _, _, _ = _walk(text, pos, _LEFT_GAPS)
    end, _ = _components(text, end)
    while end < len(text) and text[end] in _LEFT_GAPS:
        end += 1
    return end


def _extend_left(text: str, start: int) -> int:
    """Where an address found at ``start`` really starts: the leftmost place, a few words back at most,
    from which divisions and street pieces read on without a break up to ``start``.

    An anchor's walk back stops after a few characters and the division scan may start inside a word, so
    柳市镇|东岸村东岸二路15-17号, 环|城北路932号 and 浙江省温州市|浙江省温州市乐清市 (typed twice) are
    joined here. A position where a division name starts is preferred to a bare name (参观|柳市镇).
    """
    low = start
    limit = max(0, start - _MAX_EXTEND_LEFT)
    while low > limit:
        ch = text[low - 1]
        if _left_stop(text, low - 1) or not (
            _is_name_char(ch) or ch.isdigit() or ch == "#" or (ch in _LEFT_GAPS and low - 1 > limit)
        ):
            break
        low -= 1
    while low < start and text[low] in _LEFT_GAPS:
        low += 1
    if low == start:
        return start
    heads = _heads()
    # Only divisions may stand before a full division name (现任|宁波市 is a verb, 浙江|宁波市 a province).
    full = any(not short and end - start > 2 for _, end, short, _ in division_table().candidates(text, start))
    plain: int | None = start if full else None
    for pos in range(low, start):
        if text[pos] in _LEFT_GAPS or (
            plain is not None and text[pos : pos + 2] not in heads and not text.startswith(_COUNTRY, pos)
        ):
            continue
        if _reach(text, pos) >= start:
            if text[pos : pos + 2] in heads or text.startswith(_COUNTRY, pos):
                return pos
            if plain is None:
                plain = pos
    return start if plain is None else plain


def _is_name_char(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or (ch.isascii() and ch.isalpha())


def _joined(text: str, found: list[AddressSpan]) -> list[AddressSpan]:
    """Overlapping findings as one, and findings with only a gap character between them (浙江-台州-温岭市)."""
    joined: list[AddressSpan] = []
    for span in sorted(found):
        if joined:
            last = joined[-1]
            gap = text[last.end : span.start]
            if span.start <= last.end or (len(gap) <= 1 and all(ch in _LEFT_GAPS for ch in gap)):
                joined[-1] = last._replace(end=max(last.end, span.end), score=max(last.score, span.score))
                continue
        joined.append(span)
    return joined
