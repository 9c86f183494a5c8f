"""What the free-text detector finds: a typed span of the original text, with how sure and why.

Offsets are Python string indexes into the text exactly as given (before any normalisation), so callers can
slice ``text[start:end]`` to replace or mask it. An Entity never carries the matched text itself, so lists of
findings can be logged, stored and returned without leaking what was found.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EntityType(StrEnum):
    PERSON = "PERSON"
    PHONE = "PHONE"
    CN_ID = "CN_ID"
    ADDRESS = "ADDRESS"
    EMAIL = "EMAIL"
    BANK_CARD = "BANK_CARD"
    PASSPORT = "PASSPORT"
    LICENSE_PLATE = "LICENSE_PLATE"
    IP = "IP"


@dataclass(frozen=True, slots=True, order=True)
class Entity:
    start: int
    end: int
    type: EntityType
    score: float
    rule: str

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError("an entity spans at least one character")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError("score is a probability-like value in [0, 1]")

    def as_dict(self) -> dict[str, object]:
        return {
            "type": self.type.value,
            "start": self.start,
            "end": self.end,
            "score": self.score,
            "rule": self.rule,
        }
