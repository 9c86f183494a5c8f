"""A finding in normalised text, before overlaps are resolved and offsets mapped back.

Recognizers return plain tuples rather than :class:`Entity` objects: most candidates are discarded by
overlap resolution, and a NamedTuple is the cheapest typed record to build and sort in Python.
"""

from __future__ import annotations

from typing import NamedTuple

from parcelguard.domain.deid.entity import EntityType


class Candidate(NamedTuple):
    start: int
    end: int
    type: EntityType
    score: float
    rule: str
