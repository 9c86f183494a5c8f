"""ADDRESS (Latin script): English-style addresses, found by :mod:`parcelguard.domain.pii.address_en`."""

from __future__ import annotations

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii.address_en import find_english_address_spans

__all__ = ["find_english_addresses"]


def find_english_addresses(text: str) -> list[Candidate]:
    """English-style addresses in folded text."""
    return [
        Candidate(span.start, span.end, EntityType.ADDRESS, span.score, span.rule)
        for span in find_english_address_spans(text)
    ]
