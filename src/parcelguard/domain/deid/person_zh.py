"""PERSON (Chinese) for the detector: the one name recogniser of :mod:`parcelguard.domain.pii.name`.

The evidence rules (cues, titles, separators, transliterated names) live with the recogniser, so order
parsing, this detector and the label gate agree on what a name is.
"""

from __future__ import annotations

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii.name import find_chinese_name_spans

__all__ = ["find_chinese_names"]

_PERSON = EntityType.PERSON


def find_chinese_names(text: str) -> list[Candidate]:
    """Chinese person names in normalised text, as detector candidates."""
    return [Candidate(s.start, s.end, _PERSON, s.score, s.rule) for s in find_chinese_name_spans(text)]
