"""One identity document number of a known ``id_type``: parsed, validated, masked and indexed.

Order intake and reading a stored waybill back (``services/unseal.py``) go through
:meth:`IdentityNumber.parse`; the free-text recogniser (``identity.py``) uses the same shapes, so a number
one accepts the other finds. GB 11643 numbers are checked by :class:`ResidentId`, credit codes by
``uscc.py``; passports and travel permits have no check character, only their shapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Self

from parcelguard.domain.pii._errors import invalid
from parcelguard.domain.pii.id_type import IdType, compact_document_number
from parcelguard.domain.pii.resident_id import ResidentId, plain_gb11643_kind
from parcelguard.domain.pii.uscc import uscc_problem
from parcelguard.errors import ErrorCode, ValidationError

__all__ = [
    "CHINESE_PASSPORT",
    "HK_MACAU_TRAVEL",
    "KIND_NAMES",
    "MIN_PASSPORT_DIGITS",
    "TAIWAN_TRAVEL",
    "IdentityNumber",
    "document_problem",
    "mask_document_number",
]

_FIELD = "id_number"
_GB11643_TYPES = frozenset(
    {IdType.RESIDENT_ID, IdType.FOREIGN_PERMANENT_ID, IdType.HK_MACAU_RESIDENCE, IdType.TAIWAN_RESIDENCE}
)
KIND_NAMES = {
    IdType.RESIDENT_ID: "a resident ID number",
    IdType.FOREIGN_PERMANENT_ID: "a foreigner's permanent residence ID number",
    IdType.HK_MACAU_RESIDENCE: "a Hong Kong/Macao residents' residence permit number",
    IdType.TAIWAN_RESIDENCE: "a Taiwan residents' residence permit number",
    IdType.PASSPORT: "a passport number",
    IdType.HK_MACAU_TRAVEL: "a Hong Kong/Macao residents' travel permit number",
    IdType.TAIWAN_TRAVEL: "a Taiwan residents' travel permit number",
    IdType.USCC: "a unified social credit code",
}

_KINDS = {kind.value: kind for kind in IdType}

CHINESE_PASSPORT = re.compile(r"E[0-9]{8}|G[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}")
_PASSPORT = re.compile(r"[A-Z0-9]{6,9}")
MIN_PASSPORT_DIGITS = 5
HK_MACAU_TRAVEL = re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?")
TAIWAN_TRAVEL = re.compile(r"[0-9]{8}(?:[0-9]{2})?")


# -- one number of a known type ------------------------------------------------------------------------


def document_problem(id_type: IdType, code: str) -> str | None:
    """Why ``code`` (compact, upper case) is not a number of ``id_type``; None when it is one."""
    if id_type is IdType.PASSPORT:
        if _PASSPORT.fullmatch(code) is None or sum(ch.isdigit() for ch in code) < MIN_PASSPORT_DIGITS:
            return "must be 6 to 9 letters and digits, at least 5 of them digits"
        return None
    if id_type is IdType.HK_MACAU_TRAVEL:
        return None if HK_MACAU_TRAVEL.fullmatch(code) else "must be H or M and 8 or 10 digits"
    if id_type is IdType.TAIWAN_TRAVEL:
        return None if TAIWAN_TRAVEL.fullmatch(code) else "must be 8 or 10 digits"
    if id_type is IdType.USCC:
        return uscc_problem(code)
    return "is not a document number"  # pragma: no cover - GB 11643 types are parsed by ResidentId


@dataclass(frozen=True, slots=True)
class IdentityNumber:
    """A valid number of one identity document; ``value`` is compact and upper case.

    Never printed (快递暂行条例 Art. 22): screens show :meth:`masked`, storage holds ciphertext, lookups use
    a blind index of :attr:`index_value`.
    """

    id_type: IdType
    value: str

    @classmethod
    def parse(cls, id_type: str, raw: str, *, today: date | None = None) -> Self:
        """Validate ``raw`` as a number of ``id_type`` (one of ``ID_TYPES``).

        Separators, full-width characters and lower case are accepted (``compact_document_number``).
        GB 11643 numbers must also be of the document named: a Hong Kong residence permit number given as
        a ``resident_id`` is refused with a reason naming the right ``id_type``. Raises ValidationError:
        INVALID_ID_TYPE for an unknown type, INVALID_RESIDENT_ID for a bad ``resident_id`` number,
        INVALID_ID_NUMBER for any other bad number; messages never hold the value.
        """
        kind = _KINDS.get(id_type) if type(id_type) is str or type(id_type) is IdType else None
        if kind in _GB11643_TYPES and plain_gb11643_kind(raw, today) is kind:
            return cls(kind, raw)  # a valid number as forms hold it: nothing to strip, fold or upper-case
        return cls._parse(id_type, raw, today=today)

    @classmethod
    def _parse(cls, id_type: str, raw: str, *, today: date | None = None) -> Self:
        """:meth:`parse` without its shortcut for valid GB 11643 numbers in their plain form."""
        kind = _KINDS.get(id_type) if type(id_type) is str or type(id_type) is IdType else None
        if kind is None:  # IdType(...) is a slow call: only for what the table does not hold
            try:
                kind = IdType(id_type)
            except ValueError:
                raise invalid(
                    ErrorCode.INVALID_ID_TYPE, "id_type", "is not a known identity document type"
                ) from None
        code = ErrorCode.INVALID_RESIDENT_ID if kind is IdType.RESIDENT_ID else ErrorCode.INVALID_ID_NUMBER
        if not raw.strip():
            raise invalid(code, _FIELD, "is empty")
        if kind in _GB11643_TYPES:
            try:
                number = ResidentId.parse(raw, today=today)
            except ValidationError as error:
                raise invalid(code, _FIELD, error.message.partition(": ")[2]) from None
            if number.kind is not kind:
                raise invalid(code, _FIELD, f"is {KIND_NAMES[number.kind]}: use id_type {number.kind.value}")
            return cls(kind, number.value)
        compact = compact_document_number(raw)
        if compact is None:
            raise invalid(code, _FIELD, "may hold only letters, digits and separators")
        problem = document_problem(kind, compact)
        if problem is not None:
            raise invalid(code, _FIELD, problem)
        return cls(kind, compact)

    @property
    def index_value(self) -> str:
        """The form the blind index hashes: the value, a legacy 15-digit ID upgraded to 18 characters."""
        if self.id_type is IdType.RESIDENT_ID and len(self.value) == 15:
            return ResidentId(self.value).upgraded
        return self.value

    def masked(self) -> str:
        """For screens only (never labels): see :func:`mask_document_number`."""
        return mask_document_number(self.value)

    def __repr__(self) -> str:
        return f"IdentityNumber({self.id_type.value}, {self.masked()!r})"


def mask_document_number(value: str) -> str:
    """The first and last characters, every other letter and digit a ``*``: at most 2 visible.

    The label gate treats more than two visible characters of a document number as a leak; separators
    are kept, so a grouped number stays readable (``1***** ******** ***X``).
    """
    if len(value) > 2 and value.isascii() and value.isalnum():  # the normalised shape: no separator
        return value[0] + "*" * (len(value) - 2) + value[-1]
    positions = [i for i, ch in enumerate(value) if ch.isascii() and ch.isalnum()]
    if len(positions) <= 2:
        return "".join("*" if ch.isascii() and ch.isalnum() else ch for ch in value)
    keep = {positions[0], positions[-1]}
    return "".join(
        ch if i in keep or not (ch.isascii() and ch.isalnum()) else "*" for i, ch in enumerate(value)
    )
