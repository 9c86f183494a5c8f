"""PASSPORT: Chinese passport numbers, and any passport-shaped code right after a passport label.

Ordinary Chinese passports are ``E`` + 8 digits, ``E`` + a letter + 7 digits once the E series ran out,
and ``G`` + 8 digits for older booklets; these shapes are rare elsewhere in delivery texts (tracking
numbers are longer and S10 codes end in ``CN``), so they are accepted alone. Public-affairs, service and
diplomatic passports (P, S, D) and foreign passports look like product codes, so they need 护照/passport
in front.
"""

from __future__ import annotations

import re

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid._context import PASSPORT_CUE, cue_before, vetoed
from parcelguard.domain.deid.entity import EntityType

__all__ = ["find_passports"]

# Starts with literals so ``re`` can skip ahead; "nothing alphanumeric before" is checked on each match.
# One scan for letter-and-digit codes (it starts with a letter class, so ``re`` skips quickly); the Chinese
# shapes are then told apart with a full match.
_CODE = re.compile(r"[A-Za-z]{1,2}[0-9]{6,9}(?![0-9A-Za-z])")
_CHINESE = re.compile(r"E[0-9]{8}|G[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}")
# Some countries issue passports with digits only (US: 9 digits); only right after a passport label.
_DIGITS_AFTER_LABEL = re.compile(
    r"(?i:护照|passport)\s*(?i:号码|号|no\.?|number|#)?\s*:?\s*([0-9]{8,9})(?![0-9])"
)


def find_passports(text: str) -> list[Candidate]:
    """Passport numbers in normalised text."""
    found: list[Candidate] = []
    for match in _CODE.finditer(text):
        start, end = match.span()
        if start and text[start - 1].isascii() and text[start - 1].isalnum():
            continue
        cued = cue_before(text, start, PASSPORT_CUE, 20)
        chinese = _CHINESE.fullmatch(match.group()) is not None
        if not (chinese or cued) or vetoed(text, start, end):
            continue
        if chinese:
            found.append(Candidate(start, end, EntityType.PASSPORT, 0.95 if cued else 0.8, "passport.cn"))
        else:
            found.append(Candidate(start, end, EntityType.PASSPORT, 0.85, "passport.cued"))
    for match in _DIGITS_AFTER_LABEL.finditer(text):
        found.append(Candidate(match.start(1), match.end(1), EntityType.PASSPORT, 0.85, "passport.digits"))
    return found
