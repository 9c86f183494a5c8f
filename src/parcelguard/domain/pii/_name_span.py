"""A person name found in text, as the name recognisers report it."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["NameSpan"]


class NameSpan(NamedTuple):
    """``text[start:end]`` is a name; ``rule`` says which evidence found it (``person.zh.cue`` ...).

    A NamedTuple because recognisers build many and most are discarded by overlap resolution.
    """

    start: int
    end: int
    score: float
    rule: str
