"""What a sequence model says about a text: its words, each with a part-of-speech or entity tag.

The detector's ``accurate`` mode combines these words with its rules (see :mod:`.model_names`). The model
itself lives in an adapter (``parcelguard.adapters.ner``, Baidu LAC on ONNX Runtime); the domain only sees
this protocol, so it stays free of I/O and of onnxruntime.

Tags follow Baidu LAC's set: the entities ``PER`` (person), ``LOC`` (place), ``ORG`` (organisation)
and ``TIME``; parts of speech such as ``n`` (noun), ``nz`` (other proper noun), ``nw`` (work title),
``v`` (verb), ``a`` (adjective), ``d`` (adverb), ``r`` (pronoun), ``m`` (numeral), ``w`` (punctuation),
and ``O``.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import NamedTuple, Protocol

__all__ = ["DetectMode", "TaggedWord", "Tagging", "WordTagger", "parse_mode"]


class TaggedWord(NamedTuple):
    """One word of a text: ``text[start:end]`` (end exclusive, Python indexes) and its tag."""

    start: int
    end: int
    tag: str


class Tagging(NamedTuple):
    """What the model says about one text.

    ``words``: the model's best reading, in order, covering every character exactly once.
    ``recall_persons``: the ``PER`` words of a second reading decoded with a recall bias towards person
    names (a constant added to the person tags' scores): names the model hesitated on. They are weaker
    evidence, which the detector accepts only where the name's shape agrees (:mod:`.model_names`).
    """

    words: list[TaggedWord]
    recall_persons: list[TaggedWord]


class WordTagger(Protocol):
    """Segments and tags texts; implementations batch the texts through their model."""

    def tag_many(self, texts: Sequence[str]) -> list[Tagging]:
        """One :class:`Tagging` per text, in order; offsets are indexes into each text as given."""
        ...


class DetectMode(StrEnum):
    """How the detector works: ``accurate`` adds the sequence model to the rules; ``fast`` is rules only."""

    ACCURATE = "accurate"
    FAST = "fast"


def parse_mode(value: str | DetectMode) -> DetectMode:
    """The mode named by ``value`` (any case, surrounding blanks ignored).

    Raises ValueError naming the accepted values; callers at the edges turn it into their coded error.
    """
    if isinstance(value, DetectMode):
        return value
    try:
        return DetectMode(str(value).strip().lower())
    except ValueError:
        raise ValueError("mode is 'accurate' or 'fast'") from None
