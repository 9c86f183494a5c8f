"""A tiny stand-in for the free-text detector: regexes for a few types and a fixed list of names.

Tests of what happens *after* detection must not depend on the real detector's recall; this one finds
exactly what the test data puts there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from parcelguard.domain.deid.entity import Entity, EntityType

_PATTERNS = (
    (EntityType.CN_ID, re.compile(r"(?<!\d)\d{17}[\dX](?!\d)")),
    (EntityType.PHONE, re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")),
    (EntityType.EMAIL, re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    (EntityType.ADDRESS, re.compile(r"北京市朝阳区建国路\d+号(?:\d+号楼)?(?:\d+单元)?(?:\d+室)?")),
)
NAMES = ("张伟", "欧阳娜娜", "李娜")


class FakeDetector:
    """Finds CN_ID, PHONE, EMAIL, one address shape and the names in :data:`NAMES`."""

    def __init__(self, types: frozenset[EntityType] | None = None) -> None:
        self.types = types
        self.calls = 0
        self.modes: list[str | None] = []  # the mode of each detect_many call, for tests of the plumbing

    def detect_many(self, texts: Sequence[str], mode: str | None = None) -> list[list[Entity]]:
        if mode not in (None, "accurate", "fast"):
            raise ValueError("mode is 'accurate' or 'fast'")
        self.modes.append(None if mode is None else str(mode))
        return [self.detect(text) for text in texts]

    def detect(self, text: str) -> list[Entity]:
        self.calls += 1
        found = [
            Entity(m.start(), m.end(), etype, 0.9, f"fake:{etype.value.lower()}")
            for etype, pattern in _PATTERNS
            for m in pattern.finditer(text)
        ]
        for name in NAMES:
            start = text.find(name)
            while start != -1:
                found.append(Entity(start, start + len(name), EntityType.PERSON, 0.8, "fake:name"))
                start = text.find(name, start + 1)
        if self.types is not None:
            found = [e for e in found if e.type in self.types]
        return sorted(found)
