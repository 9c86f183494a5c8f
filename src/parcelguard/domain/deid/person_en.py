"""PERSON (Latin script) for the detector: the one name recogniser of :mod:`parcelguard.domain.pii.name`."""

from __future__ import annotations

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii.name import find_latin_name_spans

__all__ = ["find_latin_names"]

_PERSON = EntityType.PERSON


def find_latin_names(text: str) -> list[Candidate]:
    """English and pinyin person names in normalised text, as detector candidates."""
    return [Candidate(s.start, s.end, _PERSON, s.score, s.rule) for s in find_latin_name_spans(text)]
