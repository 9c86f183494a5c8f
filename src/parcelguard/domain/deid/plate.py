"""LICENSE_PLATE: mainland vehicle plates, ordinary (京A12345) and new-energy (粤BD12345, 粤B12345D).

A plate is a province abbreviation, the issuing authority's letter and five characters (six for new-energy
plates). Ordinary plates carry at most two letters among the five, new-energy plates put D or F first or
last, and letters I and O are never used: checking that keeps product codes after a word like 新 out.
"""

from __future__ import annotations

import re

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid._context import PLATE_CUE, cue_before, vetoed
from parcelguard.domain.deid.entity import EntityType

__all__ = ["find_plates"]

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(
    rf"[{_PROVINCES}][A-HJ-NP-Za-hj-np-z][ ·•・.\-]?(?P<tail>[A-HJ-NP-Za-hj-np-z0-9]{{5,6}})"
    r"(?:[挂学警港澳领])?(?![0-9A-Za-z])",
)
_NEW_ENERGY = re.compile(r"[DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF]")


def _valid_tail(tail: str) -> bool:
    tail = tail.upper()
    if len(tail) == 6:
        return _NEW_ENERGY.fullmatch(tail) is not None
    return sum(ch.isdigit() for ch in tail) >= 3


def find_plates(text: str) -> list[Candidate]:
    """Vehicle plates in normalised text."""
    found: list[Candidate] = []
    for match in _PLATE.finditer(text):
        start, end = match.span()
        if not _valid_tail(match.group("tail")) or vetoed(text, start, end):
            continue
        score = 0.95 if cue_before(text, start, PLATE_CUE, 12) else 0.85
        found.append(Candidate(start, end, EntityType.LICENSE_PLATE, score, "plate.cn"))
    return found
