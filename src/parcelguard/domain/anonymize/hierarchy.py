"""Generalisation hierarchies for quasi-identifiers: each value's ladder from exact to ``*``.

k-anonymity is reached by climbing these ladders column by column (full-domain generalisation), so every
ladder must end in ``*`` (the column says nothing) and every rung must be computable from the value alone.
Values a ladder cannot read (free text in an age column) are ``*`` on every rung: what cannot be
generalised is never shown as written.

Ladders (rung names are what a policy's ``generalize`` names as the starting rung):

* number: number, band5, band10, band20, *      (34 -> 30-34 -> 30-39 -> 20-39)
* date: day, month, quarter, year, *             (2024-03-05 -> 2024-03 -> 2024-Q1 -> 2024)
* address: district, city, province, *           (北京市朝阳区 -> 北京市 -> 北京市)
* cn_id: birth_year_county, birth_year_city, birth_decade_province, *
* categorical: exact, *
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from parcelguard.domain.anonymize.values import birth_year_region, region_name
from parcelguard.domain.pii import Address, ResidentId
from parcelguard.domain.pii.fold import to_halfwidth
from parcelguard.errors import ValidationError

__all__ = ["HIERARCHIES", "Hierarchy", "Ladder", "hierarchy_for"]

TOP = "*"
Ladder = tuple[tuple[str, ...], bool]
"""Every rung's value (exact first, ``*`` last) and whether the value could be read."""


@dataclass(frozen=True, slots=True)
class Hierarchy:
    name: str
    rungs: tuple[str, ...]
    compute: Callable[[object], Ladder]

    def ladder(self, value: object, start: int) -> Ladder:
        """The rungs from ``start`` up; empty cells stay empty below the top."""
        if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
            return ("",) * (len(self.rungs) - 1 - start) + (TOP,), True
        rungs, parsed = self.compute(_hashable(value))
        return rungs[start:], parsed


def _hashable(value: object) -> object:
    try:
        hash(value)
    except TypeError:
        return str(value)
    return value


def _unreadable(count: int) -> Ladder:
    return (TOP,) * count, False


@lru_cache(maxsize=65536)
def _number(value: object) -> Ladder:
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(to_halfwidth(value).strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        return _unreadable(5)
    whole = math.floor(number)
    exact = str(int(number)) if number == whole else f"{number:g}"
    bands = tuple(f"{whole // w * w}-{whole // w * w + w - 1}" for w in (5, 10, 20))
    return (exact, *bands, TOP), True


_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2}))?")


@lru_cache(maxsize=65536)
def _date(value: object) -> Ladder:
    year = month = day = None
    if isinstance(value, datetime | date):
        year, month, day = value.year, value.month, value.day
    elif isinstance(value, str):
        match = _DATE.match(to_halfwidth(value))
        if match is not None:
            year, month = int(match.group(1)), int(match.group(2))
            day = int(match.group(3)) if match.group(3) else None
    if year is None or month is None or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return _unreadable(5)
    month_text = f"{year:04d}-{month:02d}"
    day_text = f"{month_text}-{day:02d}" if day is not None else month_text
    return (day_text, month_text, f"{year:04d}-Q{(month - 1) // 3 + 1}", f"{year:04d}", TOP), True


@lru_cache(maxsize=65536)
def _address(value: object) -> Ladder:
    try:
        code = Address.parse(str(value)).adcode
    except ValidationError:
        return _unreadable(4)
    names = tuple(region_name(code, level) for level in ("county", "city", "province"))
    return (*names, TOP), True


@lru_cache(maxsize=65536)
def _cn_id(value: object) -> Ladder:
    try:
        rid = ResidentId.parse(str(value))
    except ValidationError:
        return _unreadable(4)
    year, code = rid.birth_date.year, rid.region_code
    return (
        birth_year_region(code, year, "county"),
        birth_year_region(code, year, "city"),
        birth_year_region(code, year, "province", decade=True),
        TOP,
    ), True


def _categorical(value: object) -> Ladder:
    if isinstance(value, float) and value == math.floor(value):
        value = int(value)
    return (str(value), TOP), True


HIERARCHIES: dict[str, Hierarchy] = {
    h.name: h
    for h in (
        Hierarchy("number", ("number", "band5", "band10", "band20", TOP), _number),
        Hierarchy("date", ("day", "month", "quarter", "year", TOP), _date),
        Hierarchy("address", ("district", "city", "province", TOP), _address),
        Hierarchy("cn_id", ("birth_year_county", "birth_year_city", "birth_decade_province", TOP), _cn_id),
        Hierarchy("categorical", ("exact", TOP), _categorical),
    )
}
_BY_TYPE = {"ADDRESS": "address", "CN_ID": "cn_id"}


def hierarchy_for(entity_type: str | None, level: str | None) -> tuple[str, int]:
    """(hierarchy name, starting rung) for a column's type and its ``generalize`` rung name.

    Raises ValueError with a fixed message when the rung is unknown or does not fit the type.
    """
    typed = _BY_TYPE.get(entity_type) if entity_type else None
    if entity_type and typed is None:
        raise ValueError(f"type {entity_type} has no generalisation hierarchy; use an operator instead")
    if level is None:
        name = typed or "categorical"
        return name, 0
    matches = [h for h in HIERARCHIES.values() if level in h.rungs[:-1]]
    if typed is not None:
        matches = [h for h in matches if h.name == typed]
    if not matches:
        options = sorted(
            {r for h in HIERARCHIES.values() for r in h.rungs[:-1] if not typed or h.name == typed}
        )
        raise ValueError(f"unknown generalisation level (known: {', '.join(options)})")
    return matches[0].name, matches[0].rungs.index(level)  # rung names are unique across hierarchies
