"""The kinds of identity document a real-name sender may register with, and how their numbers are typed.

Real-name registration (快递暂行条例 Art. 22) accepts the documents a person can prove identity with in
the mainland: the resident ID card, the 2023 foreigners' permanent residence ID card, the residence
permits of Hong Kong, Macao and Taiwan residents, passports, the mainland travel permits of Hong Kong,
Macao and Taiwan residents, and, for a company sender, its unified social credit code. Each is its own
``id_type`` so that validation, masking and the blind index follow that document's rules.

``IdType`` values are stored in ``waybill.sender_id_type`` (``String(20)``), so no value may be longer
than :data:`MAX_ID_TYPE_LENGTH`; they are also part of the public API (never rename one).

Numbers are typed with separators (``110105 19491231 002X``, ``E1234-5678``), full-width characters,
Chinese numerals and lower-case letters. :func:`compact_document_number` is the one definition of what
is accepted: runs of ASCII letters and digits joined by short runs of spaces, dots, underscores,
dashes, slashes or brackets. The free-text recogniser (:mod:`parcelguard.domain.pii.identity`) joins
exactly the same runs, so every spelling the parser accepts is also found in a sentence.
"""

from __future__ import annotations

import re
from enum import StrEnum

from parcelguard.domain.pii.fold import fold

__all__ = [
    "GAP",
    "ID_TYPES",
    "MAX_ID_TYPE_LENGTH",
    "IdType",
    "compact_document_number",
]

MAX_ID_TYPE_LENGTH = 20


class IdType(StrEnum):
    """One kind of identity document; the value is the API and storage spelling."""

    RESIDENT_ID = "resident_id"  # 居民身份证, GB 11643 (18 characters, or the 15-digit pre-1999 number)
    FOREIGN_PERMANENT_ID = "foreign_permanent_id"  # 外国人永久居留身份证 (2023 card: 18 digits starting 9)
    HK_MACAU_RESIDENCE = "hk_macau_residence"  # 港澳居民居住证 (GB 11643 number, 810000/820000 prefix)
    TAIWAN_RESIDENCE = "taiwan_residence"  # 台湾居民居住证 (GB 11643 number, 830000 prefix)
    PASSPORT = "passport"  # 护照 (Chinese or foreign)
    HK_MACAU_TRAVEL = "hk_macau_travel"  # 港澳居民来往内地通行证 (回乡证): H/M + 8 or 10 digits
    TAIWAN_TRAVEL = "taiwan_travel"  # 台湾居民来往大陆通行证 (台胞证): 8 digits, or 10
    USCC = "uscc"  # 统一社会信用代码 (GB 32100-2015), for company senders


ID_TYPES: tuple[str, ...] = tuple(t.value for t in IdType)

# Separators people put inside a document number, at most three in a row: the separators the fold
# (domain/pii/fold.py, DIGIT_SEPARATORS) keeps between digits. Newlines are not: a number broken over two
# lines of a form is two numbers.
GAP = r"[ \t._\-/()\[\]]{1,3}"
_SEPARATORS = re.compile(GAP)
_SPELLING = re.compile(rf"[0-9A-Za-z]+(?:{GAP}[0-9A-Za-z]+)*")


def compact_document_number(raw: str) -> str | None:
    """``raw`` as upper-case ASCII letters and digits, or None when it is not a document-number spelling.

    The text is folded first (:func:`~parcelguard.domain.pii.fold.fold`: full-width and circled digits,
    Chinese numerals such as 一一〇一〇五...), as the detector folds it; then surrounding blanks and
    separators between characters (see the module docstring) are accepted; anything else (Han
    characters, other punctuation) makes it None.
    """
    text = raw.strip()
    if text.isascii() and text.isalnum():
        return text.upper()  # how forms nearly always hold it: nothing to fold, no separators
    text = fold(raw).text.strip()
    if _SPELLING.fullmatch(text) is None:
        return None
    return _SEPARATORS.sub("", text).upper()
