"""Postal addresses: one free string split into divisions, street and the private detail.

Labels must hide the unit and room (GB/T 41833); we also hide the house number and the community name,
so we must know exactly where the street ends. Anything we cannot recognise as a street goes to the
detail, which is never shown: an unrecognised address degrades to "region + ****", never to a leak.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Self

from parcelguard.domain.pii._errors import has_control_chars, invalid
from parcelguard.domain.pii._lexicon import BIG_CITY_PREFECTURES
from parcelguard.domain.pii.divisions import (
    MUNICIPALITIES,
    SPECIAL_ADMINISTRATIVE_REGIONS,
    Division,
    DivisionTable,
    division_table,
)
from parcelguard.domain.pii.text import to_halfwidth
from parcelguard.errors import ErrorCode

__all__ = ["MAX_ADDRESS_LENGTH", "Address"]

_FIELD = "address"
MAX_ADDRESS_LENGTH = 200
_MASK = "****"
_COUNTRY_PREFIXES = ("中华人民共和国", "中国")
_SEPARATORS = ",，、/;；:：|-"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_ROAD_SUFFIX = "(?:大道|大街|胡同|支路|横路|路|街|道|巷|弄|里|村|段|条)"
# A street name: Han characters only (digits would be building numbers), ending in a road word.
_STREET_NAME = re.compile(rf"[{_HAN}]{{1,30}}?{_ROAD_SUFFIX}[东西南北中]?")
# The street name without a house number: the shortest such prefix, and never ending on 街 of 街道.
_STREET_ONLY = re.compile(rf"[{_HAN}]{{1,30}}?(?:大道|大街|胡同|路|街(?!道)|巷|弄)")
# A house number: 88号, 甲1号, 12-3号, 123弄4号, or a lane 123弄; 88号楼 is a building, not a house number.
_HOUSE_NUMBER = re.compile(r"(?:[0-9]+弄)?[甲乙丙丁]?[0-9]+(?:[-之][0-9]+)?号(?!楼)院?|[0-9]+弄")
_DIGIT = re.compile(r"[0-9]")


def _normalise(raw: str) -> str:
    text = "".join(to_halfwidth(raw).split())
    for prefix in _COUNTRY_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


_CITY_RANK = {code: rank for rank, code in enumerate(BIG_CITY_PREFECTURES, start=1)}
_CAPITAL_RANK = len(BIG_CITY_PREFECTURES) + 1


def _priority(division: Division) -> int:
    """Tie-break for names shared by several places: municipality, big city, capital, then the rest."""
    if division.code[:2] in MUNICIPALITIES:
        return 0
    rank = _CITY_RANK.get(division.code[:4])
    if rank is not None:
        return rank
    return _CAPITAL_RANK if division.code[2:4] == "01" else _CAPITAL_RANK + 1


def _resolve(table: DivisionTable, text: str) -> tuple[Division, int] | None:
    """The most specific division the leading names point to, and where the names end.

    Every reading is tried (吉林 is a province and a city; 朝阳区 is in Beijing and in Changchun) and the
    best kept: most text explained, deepest, most full names, then _priority and the lowest code.
    An ambiguous short form must be confirmed by a more specific name after it.
    """
    best: tuple[int, int, int, int, int] | None = None
    best_division: Division | None = None
    stack: list[tuple[int, Division | None, int, bool]] = [(0, None, 0, False)]
    while stack:
        pos, current, full_names, unconfirmed = stack.pop()
        if current is not None:
            if not unconfirmed and (best is None or pos >= best[0]):
                key = (pos, current.depth, full_names, -_priority(current), -int(current.code))
                if best is None or key > best:
                    best, best_division = key, current
            if not table.has_children(current):
                continue
        for division, end, short, ambiguous in table.candidates(text, pos, current):
            while end < len(text) and text[end] in _SEPARATORS:
                end += 1
            stack.append((end, division, full_names + (not short), ambiguous))
    return None if best is None or best_division is None else (best_division, best[0])


def _split_street(rest: str) -> tuple[str | None, str | None, str]:
    """(street name, house number, detail) of what follows the divisions."""
    number = _HOUSE_NUMBER.search(rest)
    if number is not None and _STREET_NAME.fullmatch(rest, 0, number.start()):
        return rest[: number.start()], number.group(), rest[number.end() :]
    street = _STREET_ONLY.match(rest)
    if street is not None:
        return street.group(), None, rest[street.end() :]
    return None, None, rest


@dataclass(frozen=True, slots=True)
class Address:
    """A parsed mainland address. ``detail`` (community, building, unit, room) is never shown."""

    full: str
    province: str
    city: str
    district: str | None
    adcode: str
    street_name: str | None
    house_number: str | None
    detail: str

    @classmethod
    def parse(cls, raw: str) -> Self:
        """Split ``raw`` into divisions, street and detail; reject it when no city can be told."""
        if has_control_chars(raw, allow_line_breaks=True):
            raise invalid(ErrorCode.INVALID_ADDRESS, _FIELD, "contains control characters")
        text = _normalise(raw)
        if not text:
            raise invalid(ErrorCode.INVALID_ADDRESS, _FIELD, "is empty")
        if len(text) > MAX_ADDRESS_LENGTH:
            raise invalid(ErrorCode.INVALID_ADDRESS, _FIELD, "is too long for an address")
        table = division_table()
        resolved = _resolve(table, text)
        if resolved is None:
            raise invalid(ErrorCode.INVALID_ADDRESS, _FIELD, "does not start with a known province or city")
        division, end = resolved
        province, city, district = _region_names(division.code)
        if city is None:
            raise invalid(ErrorCode.INVALID_ADDRESS, _FIELD, "names a province but no city")
        rest = text[end:]
        if not rest:
            raise invalid(ErrorCode.INVALID_ADDRESS, _FIELD, "has nothing after the province and city")
        street_name, house_number, detail = _split_street(rest)
        return cls(text, province, city, district, division.code, street_name, house_number, detail)

    @property
    def street(self) -> str | None:
        """Street name and house number as written (建国路88号), or None when no street was recognised."""
        if self.street_name is None:
            return None
        return self.street_name + (self.house_number or "")

    @property
    def region(self) -> str:
        """Province, city and district in their official names, without repeating a municipality."""
        parts = [self.province]
        if self.city != self.province:
            parts.append(self.city)
        if self.district:
            parts.append(self.district)
        return "".join(parts)

    def masked(self) -> str:
        """Region and street name; house number digits as ``*`` and the whole detail as ``****``."""
        shown = self.region
        if self.street_name is not None:
            shown += self.street_name
            if self.house_number is not None:
                shown += _DIGIT.sub("*", self.house_number)
        return shown + _MASK

    def __repr__(self) -> str:
        return f"Address({self.masked()!r})"


@cache
def _region_names(code: str) -> tuple[str, str | None, str | None]:
    """(province, city, district) names for a division code; the city of a municipality is itself."""
    table = division_table()
    division = table.by_code(code)
    if division is None:
        return "", None, None
    lineage = (*table.ancestors(division), division)
    province = lineage[0]
    prefecture = next((d for d in lineage if d.level == "prefecture"), None)
    county = division if division.level == "county" else None
    municipal = province.code[:2] in MUNICIPALITIES | SPECIAL_ADMINISTRATIVE_REGIONS
    if prefecture is not None:
        return province.name, prefecture.name, county.name if county else None
    if municipal:
        return province.name, province.name, county.name if county else None
    if county is not None:  # county-level city under the province (仙桃市, 神农架林区)
        return province.name, county.name, None
    return province.name, None, None
