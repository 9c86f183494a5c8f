"""Resident identity card numbers (GB 11643-1999), collected for real-name sender registration.

The number is the most sensitive thing we hold: it never goes on a label (快递暂行条例 Art. 22) and is
shown on screens only masked. Validating the check character and the birth date catches the typos that
would otherwise make the real-name record useless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from operator import mul
from typing import Literal, Self

from parcelguard.domain.pii._errors import invalid
from parcelguard.domain.pii.text import to_halfwidth
from parcelguard.errors import ErrorCode

__all__ = ["PROVINCE_CODES", "ResidentId", "Sex", "compute_check_char"]

Sex = Literal["male", "female"]

_FIELD = "resident_id"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH = date(1900, 1, 1)
_CHINA_TZ = timezone(timedelta(hours=8))

# Mainland provinces plus 71 (Taiwan) and 81/82/83 (residence permits of Hong Kong, Macao, Taiwan residents).
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
    }
    | {"44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83"}
)


def compute_check_char(first17: str) -> str:
    """The GB 11643 check character (0-9 or X) for the first 17 digits of a number."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise invalid(
            ErrorCode.INVALID_RESIDENT_ID, _FIELD, "needs seventeen digits to compute a check character"
        )
    total = sum(map(mul, map(int, first17), _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def _today_in_china() -> date:
    return datetime.now(_CHINA_TZ).date()


def _birth_date(digits: str) -> date | None:
    try:
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A checksum-valid 18-character resident ID; ``value`` has an upper-case X."""

    value: str

    @classmethod
    def parse(cls, raw: str, *, today: date | None = None) -> Self:
        """Validate shape, province, birth date and check character; ``today`` defaults to China's date."""
        value = "".join(to_halfwidth(raw).split()).upper()
        if not value:
            raise invalid(ErrorCode.INVALID_RESIDENT_ID, _FIELD, "is empty")
        first17, check = value[:17], value[17:]
        if len(value) != 18 or not (first17.isascii() and first17.isdigit()) or check not in _CHECK_CHARS:
            raise invalid(
                ErrorCode.INVALID_RESIDENT_ID, _FIELD, "must be seventeen digits and a check character"
            )
        if value[:2] not in PROVINCE_CODES:
            raise invalid(ErrorCode.INVALID_RESIDENT_ID, _FIELD, "starts with an unknown province code")
        born = _birth_date(value[6:14])
        latest = today or _today_in_china()
        if born is None or not _EARLIEST_BIRTH <= born <= latest:
            raise invalid(ErrorCode.INVALID_RESIDENT_ID, _FIELD, "holds an impossible birth date")
        if compute_check_char(first17) != check:
            raise invalid(ErrorCode.INVALID_RESIDENT_ID, _FIELD, "fails its check character")
        return cls(value=value)

    @property
    def region_code(self) -> str:
        """The 6-digit division code of the place of first registration."""
        return self.value[:6]

    @property
    def birth_date(self) -> date:
        """Date of birth; always valid because ``parse`` checked it."""
        return date(int(self.value[6:10]), int(self.value[10:12]), int(self.value[12:14]))

    @property
    def sex(self) -> Sex:
        """From the parity of the 17th digit (odd is male), as the standard defines."""
        return "male" if int(self.value[16]) % 2 else "female"

    def masked(self) -> str:
        """For screens only (never labels): the first and last characters, everything else hidden."""
        return self.value[0] + "*" * 16 + self.value[-1]

    def __repr__(self) -> str:
        return f"ResidentId({self.masked()!r})"
