"""GB 11643 numbers: resident ID cards and the documents that share their number format.

Four documents carry an 18-character GB 11643 number (6-digit code, birth date, 3-digit sequence, check
character): the resident ID card itself; the residence permits of Hong Kong and Macao residents (code
810000 or 820000) and of Taiwan residents (830000), issued since 2018; and the foreigners' permanent
residence ID card of 2023, whose number starts with 9, then the province that accepted it and a 3-digit
nationality code. Resident ID cards issued before 1999 have 15 digits (6-digit code, ``YYMMDD`` birth
date in the 1900s, 3-digit sequence) and no check digit.

The number is the most sensitive thing we hold: it never goes on a label (快递暂行条例 Art. 22) and is
shown on screens only masked. Validating the check character and the birth date catches the typos that
would otherwise make the real-name record useless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from operator import mul
from typing import Literal, Self

from parcelguard.domain.china_time import CHINA_STANDARD_TIME
from parcelguard.domain.pii._errors import invalid
from parcelguard.domain.pii.id_type import IdType, compact_document_number
from parcelguard.errors import ErrorCode

__all__ = [
    "MAINLAND_PROVINCE_CODES",
    "PROVINCE_CODES",
    "ResidentId",
    "Sex",
    "compute_check_char",
    "gb11643_kind",
    "legacy_kind",
    "plain_gb11643_kind",
]

Sex = Literal["male", "female"]

_FIELD = "resident_id"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_DIGIT_ZERO_WEIGHT = ord("0") * sum(_WEIGHTS)
_PLAIN_CHECK_CHARS = frozenset(_CHECK_CHARS)
_EARLIEST_BIRTH = date(1900, 1, 1)

# GB/T 2260 province-level codes of the mainland, plus 71 (Taiwan), which the code table lists.
_MAINLAND = "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71"
MAINLAND_PROVINCE_CODES: frozenset[str] = frozenset(_MAINLAND.split(" "))
# Every province code a GB 11643 number may start with: 81/82/83 are the residence permits.
PROVINCE_CODES: frozenset[str] = MAINLAND_PROVINCE_CODES | {"81", "82", "83"}
_RESIDENCE_PERMIT_CODES = {
    "810000": IdType.HK_MACAU_RESIDENCE,
    "820000": IdType.HK_MACAU_RESIDENCE,
    "830000": IdType.TAIWAN_RESIDENCE,
}
_FOREIGNER_DIGIT = "9"


def compute_check_char(first17: str) -> str:
    """The GB 11643 check character (0-9 or X) for the first 17 digits of a number."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise invalid(
            ErrorCode.INVALID_RESIDENT_ID, _FIELD, "needs seventeen digits to compute a check character"
        )
    # The weighted sum of the digits from their code points (ASCII digits checked above): no int() per digit.
    total = sum(map(mul, first17.encode("ascii"), _WEIGHTS)) - _DIGIT_ZERO_WEIGHT
    return _CHECK_CHARS[total % 11]


def gb11643_kind(code: str) -> IdType | None:
    """Which document an 18-character GB 11643 number belongs to, from its first six characters.

    None for a prefix no document uses (an unknown province, 81xxxx other than 810000, a 9 followed by
    an unknown province). The check character and birth date are not looked at here.
    """
    permit = _RESIDENCE_PERMIT_CODES.get(code[:6])
    if permit is not None:
        return permit
    if code[:1] == _FOREIGNER_DIGIT:
        return IdType.FOREIGN_PERMANENT_ID if code[1:3] in MAINLAND_PROVINCE_CODES else None
    return IdType.RESIDENT_ID if code[:2] in MAINLAND_PROVINCE_CODES else None


def plain_gb11643_kind(raw: str, today: date | None = None) -> IdType | None:
    """The document of a valid 18-character number written plainly (digits, an upper-case X, nothing
    around), or None for anything else, valid or not: :meth:`ResidentId.parse` then decides, with its
    reasons. ``today`` as for ``parse``. Order intake's common case, without strips, folds or objects."""
    if len(raw) != 18 or not raw.isascii() or not raw[:17].isdigit() or raw[17] not in _PLAIN_CHECK_CHARS:
        return None
    kind = gb11643_kind(raw)
    if kind is None:
        return None
    born = _birth_date(raw[6:14])
    if born is None or not _EARLIEST_BIRTH <= born <= (today or _today_in_china()):
        return None
    # compute_check_char without its checks (done above); map stops at the 17 weights.
    if _CHECK_CHARS[(sum(map(mul, raw.encode("ascii"), _WEIGHTS)) - _DIGIT_ZERO_WEIGHT) % 11] != raw[17]:
        return None
    return kind


def legacy_kind(code: str) -> IdType | None:
    """RESIDENT_ID for a 15-digit number with a mainland province code, else None."""
    return IdType.RESIDENT_ID if code[:2] in MAINLAND_PROVINCE_CODES else None


def _today_in_china() -> date:
    return datetime.now(CHINA_STANDARD_TIME).date()


def _birth_date(digits: str) -> date | None:
    try:
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _birth_digits(value: str) -> str:
    """``YYYYMMDD`` of an 18-character number, or of a 15-digit one (born in the 1900s)."""
    return value[6:14] if len(value) == 18 else "19" + value[6:12]


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A valid GB 11643 number: 18 characters with an upper-case X, or a 15-digit pre-1999 number.

    ``kind`` says which document it is; ``parse`` accepts every kind, callers that want one kind only
    (order intake) compare ``kind``.
    """

    value: str

    @classmethod
    def parse(cls, raw: str, *, today: date | None = None) -> Self:
        """Validate shape, code prefix, birth date and check character; ``today`` defaults to China's date.

        Separators, full-width characters and a lower-case x are accepted
        (:func:`~parcelguard.domain.pii.id_type.compact_document_number`). Raises ValidationError
        (INVALID_RESIDENT_ID) naming the reason, never the value.
        """
        if not raw.strip():
            raise invalid(ErrorCode.INVALID_RESIDENT_ID, _FIELD, "is empty")
        value = compact_document_number(raw) or ""
        if len(value) == 15 and value.isdigit():
            if legacy_kind(value) is None:
                raise invalid(ErrorCode.INVALID_RESIDENT_ID, _FIELD, "starts with an unknown province code")
        else:
            first17, check = value[:17], value[17:]
            if len(value) != 18 or not (first17.isascii() and first17.isdigit()) or check not in _CHECK_CHARS:
                raise invalid(
                    ErrorCode.INVALID_RESIDENT_ID,
                    _FIELD,
                    "must be seventeen digits and a check character or fifteen digits",
                )
            if gb11643_kind(value) is None:
                raise invalid(ErrorCode.INVALID_RESIDENT_ID, _FIELD, "starts with an unknown province code")
        born = _birth_date(_birth_digits(value))
        latest = today or _today_in_china()
        if born is None or not _EARLIEST_BIRTH <= born <= latest:
            raise invalid(ErrorCode.INVALID_RESIDENT_ID, _FIELD, "holds an impossible birth date")
        if len(value) == 18 and compute_check_char(value[:17]) != value[17]:
            raise invalid(ErrorCode.INVALID_RESIDENT_ID, _FIELD, "fails its check character")
        return cls(value=value)

    @property
    def kind(self) -> IdType:
        """The document this number belongs to (a resident ID, a residence permit, a foreigner's card)."""
        kind = gb11643_kind(self.value) if len(self.value) == 18 else legacy_kind(self.value)
        return kind or IdType.RESIDENT_ID

    @property
    def is_legacy(self) -> bool:
        """True for a 15-digit number issued before 1999."""
        return len(self.value) == 15

    @property
    def upgraded(self) -> str:
        """The 18-character form: a legacy number gets ``19`` before its year and a check character.

        This is how GB 11643-1999 converted the old numbers, so the same person indexes alike either way.
        """
        if len(self.value) == 18:
            return self.value
        first17 = self.value[:6] + "19" + self.value[6:]
        return first17 + compute_check_char(first17)

    @property
    def region_code(self) -> str:
        """The 6-digit division code of the place of first registration (a foreigner's card: 9, the
        province and the nationality code; a residence permit: 810000, 820000 or 830000)."""
        return self.value[:6]

    @property
    def birth_date(self) -> date:
        """Date of birth; always valid because ``parse`` checked it."""
        digits = _birth_digits(self.value)
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))

    @property
    def sex(self) -> Sex:
        """From the parity of the last sequence digit (odd is male), as the standard defines."""
        return "male" if int(self.value[16 if len(self.value) == 18 else 14]) % 2 else "female"

    def masked(self) -> str:
        """For screens only (never labels): the first and last characters, everything else hidden."""
        return self.value[0] + "*" * (len(self.value) - 2) + self.value[-1]

    def __repr__(self) -> str:
        return f"ResidentId({self.masked()!r})"
