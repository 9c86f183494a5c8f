"""ADDRESS: Chinese postal addresses in free text, found by :mod:`parcelguard.domain.pii.address_finder`.

The finder is shared with the label gate; this module adds what only the detector knows: the words before
a street anchor that make it something else (a shelf code after 货架号, a hotline after 热线).
"""

from __future__ import annotations

from collections.abc import Sequence

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid._context import PHONE_CUE, vetoed
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii.address_finder import ModelPlace, find_address_spans, name_after

__all__ = ["anchor_vetoed", "find_addresses"]

_NAME_SCORE = 0.8


def anchor_vetoed(text: str, name_start: int, anchor_start: int, anchor_end: int) -> bool:
    """True when a label before the anchor or a unit after it says it is not an address, or a phone word
    stands between the name and the anchor (热线400-820-8820 is a hotline, not building 400, unit 820)."""
    if vetoed(text, anchor_start, anchor_end):
        return True
    return PHONE_CUE.search(text, name_start, anchor_start) is not None


def find_addresses(text: str, model_places: Sequence[ModelPlace] | None = None) -> list[Candidate]:
    """Chinese addresses in folded text (English-style ones are in :mod:`.address_en`), and the recipient's
    name glued right after one (王小明 in 文三路100号王小明收) as a PERSON.

    ``model_places``: the sequence model's words as ``(start, end, tag)``, indexes into ``text`` (the
    folded text), end exclusive; only ``LOC`` words are used (``ORG`` and other tags are ignored). A place
    word followed right away by a building, unit, floor or room starts an address (see
    :func:`.address_finder.find_address_spans`). None in ``fast`` mode: rules only.
    """
    found: list[Candidate] = []
    for span in find_address_spans(text, anchor_vetoed, model_places):
        found.append(Candidate(span.start, span.end, EntityType.ADDRESS, span.score, span.rule))
        name_end = name_after(text, span.end)
        if name_end is not None:  # 文三路100号|王小明收: the recipient, left out of the address
            found.append(
                Candidate(span.end, name_end, EntityType.PERSON, _NAME_SCORE, "person.zh.after_address")
            )
    return found
