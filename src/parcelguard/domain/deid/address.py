"""ADDRESS: Chinese postal addresses in free text, from the province (if any) down to the room.

An address is found from one of three kinds of start: an administrative division name from the shipped
division table (北京市, 广东深圳, 南山区), a piece of street grammar that only addresses have (a road with a
house number, an estate followed by a building), or a label such as 地址 or 送到. From there it is
extended through the divisions and then the street grammar of :mod:`._address_grammar`.

A place name alone (上海, 朝阳区) is not an address and is left alone: it says where a parcel goes, not
where someone lives, and it is everywhere in delivery texts (杭州转运中心, 上海发货). At least one more
specific piece must follow, or two nested divisions down to a district.
"""

from __future__ import annotations

import re
from functools import cache

from parcelguard.domain.deid._address_grammar import (
    ADDRESS_LABEL,
    ADDRESS_VERB,
    ANCHORS,
    COMPONENT,
    LEFT_STOP,
    NOT_ESTATE,
    REST_OF_FIELD,
    ROOM_ANCHOR,
)
from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid._context import PHONE_CUE, vetoed
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii.divisions import Division, DivisionTable, division_table

__all__ = ["find_addresses"]

_MAX_WALK_BACK = 7
_MAX_REST = 24
_ANCHOR_OVERLAP = 8
_HAS_DIGIT = re.compile("[0-9一二三四五六七八九十]")
_COUNTRY = "中国"
_DIGIT_KINDS = frozenset({"unit", "room", "house"})
_PLACE_KINDS = frozenset({"town", "village", "road", "house", "cross"})
_NONE, _VERB, _LABEL = 0, 1, 2


@cache
def _heads() -> frozenset[str]:
    """First two characters of every division name and short form: where a division can start."""
    heads: set[str] = {"内蒙"}
    for division in division_table():
        heads.add(division.name[:2])
        if division.short_name:
            heads.add(division.short_name[:2])
    return frozenset(heads)


@cache
def _head_start() -> re.Pattern[str]:
    """Where a division name may start: its first character, with a possible second one after it.

    A character class is scanned by ``re`` in C, so only the few candidate positions reach Python.
    """
    heads = _heads()
    first = "".join(sorted({h[0] for h in heads}))
    second = "".join(sorted({h[1] for h in heads}))
    return re.compile(f"[{first}](?=[{second}])")


_Option = tuple[Division, int, bool, bool]


class _Chain:
    """Division lookups for one text; remembers answers, since choosing a reading asks ahead."""

    def __init__(self, table: DivisionTable, text: str) -> None:
        self.table, self.text = table, text
        self.memo: dict[tuple[int, str | None], list[_Option]] = {}

    def options(self, pos: int, within: Division | None) -> list[_Option]:
        key = (pos, None if within is None else within.code)
        found = self.memo.get(key)
        if found is None:
            # candidates() can report an end past the text when a name ends it; such options are dropped.
            limit = len(self.text)
            found = [option for option in self.table.candidates(self.text, pos, within) if option[1] <= limit]
            self.memo[key] = found
        return found

    def reading(self, option: _Option) -> tuple[int, bool, bool, int]:
        """How good one reading of a name is: longest, then continued by a division inside it (河北 before
        张家口 is the province, not Tianjin's 河北区), then a full name, then the higher level."""
        division, end, short, _ = option
        continued = bool(self.options(end, division)) if self.table.has_children(division) else False
        return end, continued, not short, -division.depth

    def walk(self, pos: int) -> tuple[int, int, bool, Division | None]:
        """(end, count, any full name, deepest division) of the chain of division names from ``pos``."""
        count, full, current = 0, False, None
        while options := self.options(pos, current):
            division, end, short, _ = options[0] if len(options) == 1 else max(options, key=self.reading)
            count, full, current, pos = count + 1, full or not short, division, end
            if self.text.startswith(" ", pos) and self.text[pos + 1 : pos + 3] in _heads():
                pos += 1
        return pos, count, full, current


def _components(text: str, pos: int) -> tuple[int, list[str]]:
    kinds: list[str] = []
    while (match := COMPONENT.match(text, pos)) is not None:
        kind = match.lastgroup or ""
        if kind == "estate" and (NOT_ESTATE.search(match.group()) or match.group().endswith("市中心")):
            break
        if kind == "road" and any(ch.isdigit() for ch in match.group()):
            kind = "house"
        kinds.append(kind)
        pos = match.end()
    return pos, kinds


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
    return 0.0


def _parse_once(text: str, start: int, cue: int, rule: str, divisions: bool) -> Candidate | None:
    pos, count, full, last = start, 0, False, None
    if divisions:
        if text.startswith(_COUNTRY, pos) and text[pos + 2 : pos + 4] in _heads():
            pos += 2
        chain_start = pos
        pos, count, full, last = _Chain(division_table(), text).walk(pos)
        if count == 1 and not full and cue == _NONE and pos - chain_start <= 3:
            start = _walk_back(text, start)  # 龙光|桃源国际: a short place name inside an estate name
    end, kinds = _components(text, pos)
    if kinds and kinds[0] in ("unit", "room") and len(kinds) < 2 and not count and not cue:
        return None
    score = _accept(count, full, last, kinds, cue)
    if cue == _LABEL:
        rest = REST_OF_FIELD.match(text, end)
        if rest is not None and 0 < rest.end() - end <= _MAX_REST and _HAS_DIGIT.search(rest.group()):
            end = rest.end()
            score = max(score, 0.6)
    while end > start and text[end - 1] == " ":
        end -= 1
    if score == 0.0 or end <= start:
        return None
    return Candidate(start, end, EntityType.ADDRESS, score, rule)


def _parse(text: str, start: int, cue: int, rule: str) -> Candidate | None:
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
        if not ("\u4e00" <= ch <= "\u9fff" or (ch.isascii() and ch.isalpha())) or ch in LEFT_STOP:
            break
        pos -= 1
    return pos


def _inside(found: list[Candidate], pos: int) -> bool:
    return any(c.start <= pos < c.end for c in found)


def _full_name_overlaps(text: str, pos: int) -> bool:
    """从江苏省: a full name one character later (江苏省) beats a short form here (从江), not a full one."""
    table = division_table()
    here = table.candidates(text, pos)
    if any(not short for _, _, short, _ in here):
        return False
    longest_here = max((end for _, end, _, _ in here), default=pos)
    return any(not short and end > longest_here for _, end, short, _ in table.candidates(text, pos + 1))


def _gaps(found: list[Candidate], length: int) -> list[tuple[int, int]]:
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


def _from_anchor(text: str, match: re.Match[str], found: list[Candidate]) -> None:
    start = _walk_back(text, match.start())
    if _inside(found, start) or vetoed(text, match.start(), match.end()):
        return
    if PHONE_CUE.search(text, start, match.start()) is not None:
        return  # 热线400-820-8820 is a hotline, not building 400, unit 820
    candidate = _parse(text, start, _NONE, "address.street")
    if candidate is not None:
        found.append(candidate)


def find_addresses(text: str) -> list[Candidate]:
    """Chinese addresses in normalised text (English-style ones are in :mod:`.address_en`)."""
    found: list[Candidate] = []
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
        high = min(len(text), high + _ANCHOR_OVERLAP)  # an anchor may end inside the next address
        for pattern in ANCHORS:
            for match in pattern.finditer(text, low, high):
                _from_anchor(text, match, found)
        for match in ROOM_ANCHOR.finditer(text, low, high):
            if match.start() and "\u4e00" <= text[match.start() - 1] <= "\u9fff":
                _from_anchor(text, match, found)
    return found
