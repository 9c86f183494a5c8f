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
_CHINESE = re.compile(r"(?:E[0-9]{8}|G[0-9]{8}|E[A-HJ-NP-Z][0-9]{7})(?![0-9A-Za-z])")
_ANY = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{1,2}[0-9]{6,9}(?![0-9A-Za-z])")


def find_passports(text: str) -> list[Candidate]:
    """Passport numbers in normalised text."""
    found: list[Candidate] = []
    seen: set[int] = set()
    for match in _CHINESE.finditer(text):
        start, end = match.span()
        if (start and text[start - 1].isascii() and text[start - 1].isalnum()) or vetoed(text, start, end):
            continue
        score = 0.95 if cue_before(text, start, PASSPORT_CUE, 20) else 0.8
        found.append(Candidate(start, end, EntityType.PASSPORT, score, "passport.cn"))
        seen.add(start)
    if PASSPORT_CUE.search(text) is None:
        return found
    for match in _ANY.finditer(text):
        start, end = match.span()
        if start in seen or not cue_before(text, start, PASSPORT_CUE, 20) or vetoed(text, start, end):
            continue
        found.append(Candidate(start, end, EntityType.PASSPORT, 0.85, "passport.cued"))
    return found
