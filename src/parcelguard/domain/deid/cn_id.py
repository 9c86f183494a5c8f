"""CN_ID: identity numbers, as found by the one recogniser of ``domain/pii/identity.py``.

Resident IDs (18 characters, GB 11643, and the 15-digit numbers issued before 1999), the residence
permits of Hong Kong, Macao and Taiwan residents, the foreigners' permanent residence ID card, and
unified social credit codes (GB 32100) all become CN_ID findings; passports and travel permits become
PASSPORT findings (``passport.py``). Which shapes need a cue is decided there; this module adds what only
free text needs: the label in front of a number (订单号, 运单号) or a unit after it (元, kg) vetoes it, and
a checksum-valid number after a bank-card word that is also Luhn-valid scores low, so that the card
recogniser can take it.
"""

from __future__ import annotations

from functools import lru_cache

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid._context import CARD_CUE, ID_CUE, cue_before, vetoed
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii.id_type import IdType
from parcelguard.domain.pii.identity import IdentityMatch, find_identity_numbers
from parcelguard.domain.pii.luhn import luhn_valid

__all__ = ["document_candidates", "find_resident_ids"]

_TRAVEL_DOCUMENTS = frozenset({IdType.PASSPORT, IdType.HK_MACAU_TRAVEL, IdType.TAIWAN_TRAVEL})
_SCORES = {
    "gb11643": 0.97,
    "gb11643.typo": 0.85,
    "uscc": 0.95,
    "passport.cued": 0.85,
    "travel.hk_macau": 0.9,
    "travel.taiwan": 0.9,
    "travel.exit_hk_macau": 0.9,
    "taiwan_id": 0.95,
    "taiwan_id.typo": 0.85,
    "hkid": 0.95,
    "hkid.typo": 0.85,
    "macau_id": 0.9,
}


def _score(text: str, match: IdentityMatch) -> float:
    if match.rule == "gb11643.legacy":
        # Above any phone (up to 0.95 with a cue or a name beside it): a mobile-shaped prefix of a 15-digit
        # ID (13010274072 4776) belongs to the ID, or its last digits would be left readable.
        return 0.96
    if match.rule == "passport.cn":
        return 0.95 if match.cued else 0.8
    if match.rule == "gb11643":
        compact = "".join(ch for ch in text[match.start : match.end] if ch.isalnum())
        card_like = (
            cue_before(text, match.start, CARD_CUE, 8)
            and not cue_before(text, match.start, ID_CUE, 12)
            and luhn_valid(compact)
        )
        return 0.6 if card_like else 0.97
    return _SCORES[match.rule]


@lru_cache(maxsize=4)
def document_candidates(text: str) -> tuple[Candidate, ...]:
    """Every identity document number in normalised text, CN_ID or PASSPORT, vetoes applied.

    Cached: the CN_ID and PASSPORT recognizers of the detector ask about the same text in turn.
    """
    found: list[Candidate] = []
    for match in find_identity_numbers(text):
        if vetoed(text, match.start, match.end):
            continue
        kind = EntityType.PASSPORT if match.kind in _TRAVEL_DOCUMENTS else EntityType.CN_ID
        found.append(Candidate(match.start, match.end, kind, _score(text, match), match.rule))
    return tuple(found)


def find_resident_ids(text: str) -> list[Candidate]:
    """CN_ID numbers (GB 11643 documents and credit codes) in normalised text."""
    return [c for c in document_candidates(text) if c.type is EntityType.CN_ID]
