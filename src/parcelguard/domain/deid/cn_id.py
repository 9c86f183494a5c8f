"""CN_ID: resident identity numbers, 18 characters (GB 11643) and the 15-digit numbers issued before 1999.

An 18-character number must have a real province code, a real birth date and the right check character:
together that lets through about one random 18-digit string in three thousand, so the number needs no
label around it. A 15-digit number has no check digit and is scored lower unless 身份证 is nearby. Spaces
and dashes inside (``110101 19900307 1234``) are allowed because people group the digits when reading
them out.
"""

from __future__ import annotations

import re
from datetime import date

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid._context import (
    CARD_CUE,
    ID_CUE,
    cue_before,
    glued_to_code,
    letter_prefix_ok,
    vetoed,
)
from parcelguard.domain.deid._numbers import scan_long_runs
from parcelguard.domain.deid.bank_card import luhn_valid
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii.resident_id import PROVINCE_CODES, compute_check_char

__all__ = ["find_resident_ids", "is_resident_id"]

# Patterns start with a digit so ``re`` can skip ahead; "no digit before" is checked on each match.
# Separators are allowed where people put them (6-8-4, 6-4-4-4, 4-4-4-4-2: every even position); spelling
# the optional separators out keeps ``re`` from the slow path of a repeated group.
_ID18 = re.compile(r"[1-9][0-9]{3}" + r"[ -]?[0-9]{2}" * 6 + r"[ -]?[0-9][0-9Xx](?![0-9A-Za-z])")
_ID15 = re.compile(r"[1-9][0-9]{14}(?![0-9A-Za-z])")
_FIRST_YEAR = 1900
_LAST_YEAR = 2030


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return _FIRST_YEAR <= year <= _LAST_YEAR


def is_resident_id(compact: str) -> bool:
    """True for an 18-character number with a province code, a real birth date and a valid check character."""
    if len(compact) != 18 or compact[:2] not in PROVINCE_CODES:
        return False
    if not _real_date(int(compact[6:10]), int(compact[10:12]), int(compact[12:14])):
        return False
    return compute_check_char(compact[:17]) == compact[17].upper()


def _legacy_id(compact: str) -> bool:
    return compact[:2] in PROVINCE_CODES and _real_date(
        1900 + int(compact[6:8]), int(compact[8:10]), int(compact[10:12])
    )


def _judge_18(text: str, match: re.Match[str]) -> Candidate | None:
    start, end = match.span()
    if (start > 0 and text[start - 1].isdigit()) or glued_to_code(text, start):
        return None
    compact = match.group().replace(" ", "").replace("-", "")
    if not is_resident_id(compact) or not letter_prefix_ok(text, start) or vetoed(text, start, end):
        return None
    card_like = (
        cue_before(text, start, CARD_CUE, 8)
        and not cue_before(text, start, ID_CUE, 12)
        and luhn_valid(compact)
    )
    return Candidate(start, end, EntityType.CN_ID, 0.6 if card_like else 0.97, "cn_id.gb11643")


def _judge_15(text: str, match: re.Match[str]) -> Candidate | None:
    start, end = match.span()
    if (start > 0 and text[start - 1].isdigit()) or glued_to_code(text, start):
        return None
    if not _legacy_id(match.group()) or not letter_prefix_ok(text, start) or vetoed(text, start, end):
        return None
    score = 0.9 if cue_before(text, start, ID_CUE) else 0.6
    return Candidate(start, end, EntityType.CN_ID, score, "cn_id.legacy15")


def find_resident_ids(text: str) -> list[Candidate]:
    """18- and 15-character resident ID numbers in normalised text."""
    found = scan_long_runs(_ID18, text, 18, lambda m: _judge_18(text, m))
    return found + scan_long_runs(_ID15, text, 15, lambda m: _judge_15(text, m))
