"""Postal addresses: one free string split into divisions, street and the private detail.

Labels must hide the unit and room (GB/T 41833); we also hide the house number and the community name,
so we must know exactly where the street ends. Anything we cannot recognise as a street goes to the
detail, which is never shown: an unrecognised address degrades to "region + ****", never to a leak.

Text is folded first (:func:`.fold.fold`: full-width forms, traditional characters, look-alikes), so
廣東省東莞市虎門鎮運河北路84號3樓 is 广东省东莞市虎门镇运河北路84号3楼. Divisions are resolved by
:func:`.region.resolve_region`, the resolver the detector and the anonymisation operators use too (through
:func:`.region.resolve_address_region`, which remembers the regions addresses repeat and answers exactly as
``resolve_region``); a district name that several cities have is refused with the candidate cities, never
guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Self

from parcelguard.domain.pii._errors import has_control_chars, invalid
from parcelguard.domain.pii.address_grammar import HOUSE_NUMBER, HOUSEHOLD, ROAD_WORDS
from parcelguard.domain.pii.divisions import (
    MUNICIPALITIES,
    SPECIAL_ADMINISTRATIVE_REGIONS,
    division_table,
)
from parcelguard.domain.pii.fold import fold_text
from parcelguard.domain.pii.region import Region, resolve_address_region
from parcelguard.errors import ErrorCode, ValidationError

__all__ = ["MAX_ADDRESS_LENGTH", "Address", "Household", "candidate_cities"]

_FIELD = "address"
MAX_ADDRESS_LENGTH = 200
_MASK = "****"
_COUNTRY_PREFIXES = ("中华人民共和国", "中国")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_ROAD_WORD = "|".join(sorted(ROAD_WORDS, key=len, reverse=True))
# A street name: Han characters only (digits would be building numbers), ending in a road word.
_STREET_NAME = re.compile(rf"[{_HAN}]{{1,30}}?(?:{_ROAD_WORD}|街|道|里|村|段|条)[东西南北中]?")
# The street name without a house number: the shortest such prefix, and never ending on 街 of 街道.
_STREET_ONLY = re.compile(rf"[{_HAN}]{{1,30}}?(?:{_ROAD_WORD}|街(?!道))")
_DIGIT = re.compile(r"[0-9]")


def _normalise(raw: str) -> str:
    text = "".join(fold_text(raw).split())
    for prefix in _COUNTRY_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def _split_street(rest: str) -> tuple[str | None, str | None, str]:
    """(street name, house number, detail) of what follows the divisions."""
    number = HOUSE_NUMBER.search(rest)
    if number is not None and _STREET_NAME.fullmatch(rest, 0, number.start()):
        return rest[: number.start()], number.group(), rest[number.end() :]
    street = _STREET_ONLY.match(rest)
    if street is not None:
        return street.group(), None, rest[street.end() :]
    return None, None, rest


def candidate_cities(region: Region) -> tuple[str, ...]:
    """The cities (or, above city level, the places) an ambiguous region may mean, by code, each once."""
    names: dict[str, None] = {}
    for division in region.divisions:
        province, city, _ = _region_names(division.code)
        names[city or division.name or province] = None
    return tuple(names)


def _ambiguous(region: Region) -> ValidationError:
    cities = "、".join(candidate_cities(region))
    # City names are not personal data: naming them tells the sender what to add.
    return invalid(
        ErrorCode.INVALID_ADDRESS, _FIELD, f"names a place that several cities have ({cities}); add the city"
    )


@dataclass(frozen=True, slots=True)
class Household:
    """The parts of an address that locate one household, each as written (3号楼, 2单元, 12层, 1201室).

    5-2-1201 gives building ``5``, unit ``2``, room ``1201``; 12-301 gives building ``12``, room ``301``.
    These are what a label hides and what an order's free text must not repeat.
    """

    house_number: str | None = None
    building: str | None = None
    unit: str | None = None
    floor: str | None = None
    room: str | None = None

    def values(self) -> tuple[str, ...]:
        """The parts present, house number first."""
        parts = (self.house_number, self.building, self.unit, self.floor, self.room)
        return tuple(p for p in parts if p)


_HOUSEHOLDS_CACHED = 256
"""Addresses whose household parts are remembered: the repeats are an order's own (its description and
remarks ask of both parties) and a merchant's sender. Replaying the calls of 40,000 merchant-batch orders
(benchmarks/_common.orders): 11,852 hits at 256 as at 4,096, whose entries held 1.4 MiB (issue 9)."""


@lru_cache(maxsize=_HOUSEHOLDS_CACHED)
def _household(house_number: str | None, detail: str) -> Household:
    found: dict[str, str] = {}
    for match in HOUSEHOLD.finditer(detail):
        kind = match.lastgroup
        if kind is None:
            continue
        if kind == "dash":
            d1, d2, d3 = match.group("d1", "d2", "d3")
            pairs = (("building", d1), ("unit", d2), ("room", d3)) if d3 else (("building", d1), ("room", d2))
            for key, value in pairs:
                found.setdefault(key, value)
        else:
            found.setdefault(kind, match.group(kind))
    return Household(
        house_number, found.get("building"), found.get("unit"), found.get("floor"), found.get("room")
    )


@dataclass(frozen=True, slots=True)
class Address:
    """A parsed address. ``detail`` (community, building, unit, room) is never shown.

    Raises ValidationError (``invalid_address``, field ``address``) from :meth:`parse` when no division
    starts the text, when the divisions name no city, or when they fit several cities (the message then
    names the candidate cities, never the address).
    """

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
        region = resolve_address_region(text)
        if region is None:
            raise invalid(ErrorCode.INVALID_ADDRESS, _FIELD, "does not start with a known province or city")
        division = region.division
        if division is None:
            raise _ambiguous(region)
        end = region.end
        province, city, district = _region_names(division.code)
        if city is None:
            raise invalid(ErrorCode.INVALID_ADDRESS, _FIELD, "names a province but no city")
        rest = text[end:]
        if not rest:
            raise invalid(ErrorCode.INVALID_ADDRESS, _FIELD, "has nothing after the province and city")
        street_name, house_number, detail = _split_street(rest)
        return cls(text, province, city, district, division.code, street_name, house_number, detail)

    @property
    def household(self) -> Household:
        """House number, building, unit, floor and room as written, for matching an order's own text."""
        return _household(self.house_number, self.detail)

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
