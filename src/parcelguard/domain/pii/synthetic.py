"""Synthetic people and orders for demos, tests and benchmarks: never real data, same seed same output.

Every value is built to pass this package's own parsers (allocated mobile ranges, valid ID check
characters, real county codes), so a failure downstream points at the code under test, not at the data.
Addresses come in the styles customers really type, but only in styles that name one place unambiguously.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from parcelguard.domain.pii._lexicon import (
    COMMON_SURNAMES,
    COMPOUND_SURNAME_LIST,
    ESTATE_STEMS,
    ESTATE_TYPES,
    GIVEN_NAME_CHARS,
    LATIN_FIRST_NAMES,
    LATIN_LAST_NAMES,
    MINORITY_NAME_PARTS,
    PARCEL_CONTENTS,
    ROAD_DIRECTIONS,
    ROAD_STEMS,
    ROAD_SUFFIXES,
    TOWN_STEMS,
    TOWN_SUFFIXES,
)
from parcelguard.domain.pii.address import Address
from parcelguard.domain.pii.divisions import MUNICIPALITIES, Division, division_table
from parcelguard.domain.pii.id_type import IdType
from parcelguard.domain.pii.mobile import ALLOCATED_SEGMENTS
from parcelguard.domain.pii.resident_id import compute_check_char
from parcelguard.domain.pii.synthetic_ids import legacy_resident_id, synthetic_id_number
from parcelguard.errors import ValidationError

__all__ = ["SyntheticPeople", "SyntheticPerson"]

_COMPOUND = COMPOUND_SURNAME_LIST[:20]
_FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
_FIRST_BIRTH = date(1940, 1, 1).toordinal()
_LAST_BIRTH = date(2006, 12, 31).toordinal()
_MAINLAND_EXCLUDED = frozenset({"71", "81", "82"})
_CHECK_SUFFIX = "建设路1号"


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    """One made-up person; ``adcode`` is the division the address was built from (for assertions)."""

    name: str
    mobile: str
    resident_id: str
    address: str
    adcode: str


@cache
def _leaves() -> tuple[Division, ...]:
    return tuple(d for d in division_table().leaves() if d.code[:2] not in _MAINLAND_EXCLUDED)


def _candidate_regions(leaf: Division) -> list[str]:
    table = division_table()
    lineage = (*table.ancestors(leaf), leaf)
    province, rest = lineage[0], lineage[1:]

    def short(d: Division) -> str:
        return d.short_name or d.name

    candidates = [
        "".join(d.name for d in lineage),
        "".join(d.name for d in rest) or province.name + leaf.name,
        short(province) + "".join(d.name for d in rest),
        "".join(short(d) for d in lineage[:-1]) + leaf.name,
        "".join(short(d) for d in rest) if len(rest) > 1 else "",
        "".join(short(d) for d in lineage),
    ]
    if province.code[:2] in MUNICIPALITIES:
        candidates.append(province.name + leaf.name)
    return [c for c in dict.fromkeys(candidates) if c]


@cache
def _regions(leaf_code: str) -> tuple[str, ...]:
    """Region spellings of a leaf that parse back to it; checked once per leaf, then cached."""
    leaf = division_table().by_code(leaf_code)
    if leaf is None:
        return ()
    good = []
    for region in _candidate_regions(leaf):
        try:
            parsed = Address.parse(region + _CHECK_SUFFIX)
        except ValidationError:
            continue
        if parsed.adcode == leaf.code:
            good.append(region)
    return tuple(good)


class SyntheticPeople:
    """A deterministic stream of synthetic people and orders: the same seed gives the same stream."""

    def __init__(self, seed: int | str = 0) -> None:
        # Not for secrets: reproducible test data is the point, so a seeded PRNG is the right tool.
        self._rng = random.Random(seed)  # noqa: S311
        self._segments = tuple(sorted(ALLOCATED_SEGMENTS))
        self._leaves = _leaves()

    def name(self) -> str:
        """Mostly common Han names, some compound surnames, minority names with a dot, Latin names."""
        rng = self._rng
        roll = rng.random()
        if roll < 0.06:
            return f"{rng.choice(LATIN_FIRST_NAMES)} {rng.choice(LATIN_LAST_NAMES)}"
        if roll < 0.09:
            return f"{rng.choice(MINORITY_NAME_PARTS)}·{rng.choice(MINORITY_NAME_PARTS)}"
        surname = rng.choice(_COMPOUND) if roll < 0.13 else rng.choice(COMMON_SURNAMES)
        given = (
            rng.choice(GIVEN_NAME_CHARS)
            if rng.random() < 0.35
            else rng.choice(GIVEN_NAME_CHARS) + rng.choice(GIVEN_NAME_CHARS)
        )
        return surname + given

    def mobile(self) -> str:
        """11 digits in an allocated range."""
        return f"{self._rng.choice(self._segments)}{self._rng.randrange(100_000_000):08d}"

    def resident_id(self) -> str:
        """A checksum-valid number with a real county code and a birth date in 1940-2006."""
        rng = self._rng
        region = rng.choice(self._leaves).code
        born = date.fromordinal(rng.randint(_FIRST_BIRTH, _LAST_BIRTH))
        first17 = f"{region}{born.year:04d}{born.month:02d}{born.day:02d}{rng.randrange(1000):03d}"
        return first17 + compute_check_char(first17)

    def legacy_resident_id(self) -> str:
        """A 15-digit pre-1999 resident ID (no check digit) with a real county code, born 1940-1999."""
        return legacy_resident_id(self._rng, self._rng.choice(self._leaves).code)

    def id_number(self, id_type: IdType | str) -> str:
        """A valid number of any identity document type (``IdType``), check characters computed."""
        regions = [leaf.code for leaf in self._leaves]
        return synthetic_id_number(self._rng, IdType(id_type), regions)

    def address(self) -> tuple[str, str]:
        """(address text, adcode of the division it was built from)."""
        rng = self._rng
        leaf = rng.choice(self._leaves)
        regions = _regions(leaf.code)
        while not regions:
            leaf = rng.choice(self._leaves)
            regions = _regions(leaf.code)
        region = rng.choice(regions)
        road = rng.choice(ROAD_STEMS) + rng.choice(ROAD_DIRECTIONS) + rng.choice(ROAD_SUFFIXES)
        if rng.random() < 0.15:
            road = rng.choice(TOWN_STEMS) + rng.choice(TOWN_SUFFIXES) + road
        number = f"{rng.randint(1, 999)}号" if rng.random() < 0.9 else ""
        estate = rng.choice(ESTATE_STEMS) + rng.choice(ESTATE_TYPES)
        detail = self._building(estate)
        parts = [region, road + number, detail]
        text = " ".join(parts) if rng.random() < 0.15 else "".join(parts)
        if rng.random() < 0.1:
            text = text.translate(_FULLWIDTH_DIGITS)
        return text, leaf.code

    def _building(self, estate: str) -> str:
        rng = self._rng
        floor, room = rng.randint(1, 33), rng.randint(1, 8)
        style = rng.randrange(4)
        if style == 0:
            return f"{estate}{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{floor}{room:02d}室"
        if style == 1:
            return f"{estate}{rng.randint(1, 30)}栋{floor}{room:02d}"
        if style == 2:
            return f"{estate}{rng.randint(1, 20)}幢{rng.randint(1, 4)}单元{floor}{room:02d}"
        return f"{estate}{rng.choice('ABCD')}座{floor}{room:02d}室"

    def person(self) -> SyntheticPerson:
        """One person with every field filled."""
        address, adcode = self.address()
        return SyntheticPerson(self.name(), self.mobile(), self.resident_id(), address, adcode)

    def _spelled_mobile(self, digits: str) -> str:
        roll = self._rng.random()
        if roll < 0.8:
            return digits
        if roll < 0.87:
            return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"
        if roll < 0.94:
            return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
        return digits.translate(_FULLWIDTH_DIGITS)

    def order(self, id_type: IdType | str = IdType.RESIDENT_ID) -> dict[str, Any]:
        """An order in the shape the API takes: sender (with real-name ID), recipient and parcel.

        Unlike ``person()``, phone numbers here come in the spellings shops send (+86, dashes, full-width).
        ``id_type`` picks the sender's document; the default draws nothing extra, so streams stay stable.
        """
        sender, recipient = self.person(), self.person()
        rng = self._rng
        kind = IdType(id_type)
        id_number = sender.resident_id if kind is IdType.RESIDENT_ID else self.id_number(kind)
        return {
            "sender": {
                "name": sender.name,
                "mobile": self._spelled_mobile(sender.mobile),
                "address": sender.address,
                "id_type": kind.value,
                "id_number": id_number,
            },
            "recipient": {
                "name": recipient.name,
                "mobile": self._spelled_mobile(recipient.mobile),
                "address": recipient.address,
            },
            "parcel": {
                "description": rng.choice(PARCEL_CONTENTS),
                "weight_kg": round(rng.uniform(0.1, 30.0), 2),
            },
        }
