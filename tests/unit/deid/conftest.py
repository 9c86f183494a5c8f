"""Shared fixtures: one detector for the whole session (building one loads the division table)."""

from __future__ import annotations

import pytest

from parcelguard.domain.deid import Detector, EntityType


@pytest.fixture(scope="session")
def detector() -> Detector:
    return Detector()


def found(detector: Detector, text: str) -> list[tuple[str, EntityType]]:
    """(matched text, type) pairs, for readable assertions."""
    return [(text[e.start : e.end], e.type) for e in detector.detect(text)]
