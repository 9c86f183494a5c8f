"""Synthetic identity document numbers of every ``id_type``, valid by the same rules intake applies.

Each generator draws from the ``random.Random`` it is given, so :class:`SyntheticPeople` streams stay
reproducible. Numbers are made up (random sequence digits, computed check characters); they are shaped
like real ones so that every parser, recogniser and mask is exercised on what it will really meet.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date

from parcelguard.domain.pii.id_type import IdType
from parcelguard.domain.pii.resident_id import compute_check_char
from parcelguard.domain.pii.uscc import USCC_ALPHABET, uscc_check_char

__all__ = ["legacy_resident_id", "synthetic_id_number"]

_FIRST_BIRTH = date(1940, 1, 1).toordinal()
_LAST_BIRTH = date(2006, 12, 31).toordinal()
_LAST_LEGACY_BIRTH = date(1999, 12, 31).toordinal()
# ISO 3166-1 numeric codes, the nationality field of the 2023 foreigners' permanent residence ID card.
_NATIONALITIES = ("840", "826", "250", "276", "392", "410", "036", "124", "643", "356", "704", "764")
_PASSPORT_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_ALPHABET = USCC_ALPHABET  # letters a credit code may hold, so the embedded code fits it


def _born(rng: random.Random, last: int = _LAST_BIRTH) -> date:
    return date.fromordinal(rng.randint(_FIRST_BIRTH, last))


def _gb11643(prefix: str, rng: random.Random) -> str:
    first17 = f"{prefix}{_born(rng):%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + compute_check_char(first17)


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def legacy_resident_id(rng: random.Random, region: str) -> str:
    """A 15-digit pre-1999 number: region, ``YYMMDD`` (born 1940-1999), 3 sequence digits."""
    return f"{region}{_born(rng, _LAST_LEGACY_BIRTH):%y%m%d}{rng.randrange(1000):03d}"


def _org_code(rng: random.Random) -> str:
    """A GB 11714 organisation code: 8 characters and their check character (weights 3 7 9 10 5 8 4 2)."""
    body = "".join(rng.choice(_ORG_CODE_ALPHABET) for _ in range(8))
    total = sum(int(ch, 36) * w for ch, w in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def _uscc(rng: random.Random, region: str) -> str:
    # 9 (market regulation) + 1 (company) or 2 (individual business), the division, the organisation code.
    first17 = rng.choice(("91", "92", "52", "12")) + region + _org_code(rng)
    return first17 + uscc_check_char(first17)


def _passport(rng: random.Random) -> str:
    shape = rng.randrange(3)
    if shape == 0:
        return "E" + _digits(rng, 8)
    if shape == 1:
        return "E" + rng.choice(_PASSPORT_LETTERS.replace("I", "").replace("O", "")) + _digits(rng, 7)
    return "G" + _digits(rng, 8)


_MAKERS: dict[IdType, Callable[[random.Random, str], str]] = {
    IdType.RESIDENT_ID: lambda rng, region: _gb11643(region, rng),
    IdType.FOREIGN_PERMANENT_ID: lambda rng, region: _gb11643(
        "9" + region[:2] + rng.choice(_NATIONALITIES), rng
    ),
    IdType.HK_MACAU_RESIDENCE: lambda rng, _: _gb11643(rng.choice(("810000", "820000")), rng),
    IdType.TAIWAN_RESIDENCE: lambda rng, _: _gb11643("830000", rng),
    IdType.PASSPORT: lambda rng, _: _passport(rng),
    IdType.HK_MACAU_TRAVEL: lambda rng, _: rng.choice("HM") + _digits(rng, rng.choice((8, 10))),
    IdType.TAIWAN_TRAVEL: lambda rng, _: _digits(rng, rng.choice((8, 10))),
    IdType.USCC: _uscc,
}


def synthetic_id_number(rng: random.Random, id_type: IdType, regions: Sequence[str]) -> str:
    """A valid number of ``id_type``; ``regions`` are 6-digit county codes to draw a region from."""
    return _MAKERS[id_type](rng, rng.choice(regions))
