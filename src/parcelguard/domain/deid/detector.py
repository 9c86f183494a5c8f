"""The free-text PII detector: every recognizer over one normalised copy of the text, overlaps resolved.

Texts are folded once (:func:`parcelguard.domain.pii.fold.fold`: full-width forms, traditional characters,
look-alikes, Chinese numerals inside digit runs), every recognizer scans that copy
with a few precompiled regular expressions and dictionary lookups, and the surviving findings are mapped
back to indexes into the text as given, so callers can slice and replace the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid.address import find_addresses
from parcelguard.domain.deid.address_en import find_english_addresses
from parcelguard.domain.deid.bank_card import find_bank_cards
from parcelguard.domain.deid.cn_id import find_resident_ids
from parcelguard.domain.deid.email import find_emails
from parcelguard.domain.deid.entity import Entity, EntityType
from parcelguard.domain.deid.ip import find_ips
from parcelguard.domain.deid.passport import find_passports
from parcelguard.domain.deid.person_en import find_latin_names
from parcelguard.domain.deid.person_zh import find_chinese_names
from parcelguard.domain.deid.phone import find_phones
from parcelguard.domain.deid.plate import find_plates
from parcelguard.domain.deid.resolve import resolve
from parcelguard.domain.pii.fold import fold

__all__ = ["Detector"]

Recognizer = Callable[[str], list[Candidate]]

# Each recognizer with the types it can produce; order does not matter (resolution decides).
_RECOGNIZERS: tuple[tuple[Recognizer, frozenset[EntityType]], ...] = (
    (find_resident_ids, frozenset({EntityType.CN_ID})),
    (find_bank_cards, frozenset({EntityType.BANK_CARD})),
    (find_phones, frozenset({EntityType.PHONE})),
    (find_emails, frozenset({EntityType.EMAIL})),
    (find_ips, frozenset({EntityType.IP})),
    (find_passports, frozenset({EntityType.PASSPORT})),
    (find_plates, frozenset({EntityType.LICENSE_PLATE})),
    (find_addresses, frozenset({EntityType.ADDRESS})),
    (find_english_addresses, frozenset({EntityType.ADDRESS})),
    (find_chinese_names, frozenset({EntityType.PERSON})),
    (find_latin_names, frozenset({EntityType.PERSON})),
)
_DIGIT = re.compile("[0-9]")
# Number recognizers can only fire on text with a digit; skipping them on digit-free text is free speed.
_NEEDS_DIGIT = frozenset(
    {find_resident_ids, find_bank_cards, find_phones, find_ips, find_passports, find_plates}
)


class Detector:
    """Finds personal data in free text; build one and reuse it (construction does the setup)."""

    def __init__(self, types: Iterable[EntityType] | None = None) -> None:
        wanted = frozenset(EntityType) if types is None else frozenset(types)
        self._types = wanted
        self._recognizers = tuple(r for r, produces in _RECOGNIZERS if produces & wanted)
        self._digit_recognizers = tuple(r for r in self._recognizers if r in _NEEDS_DIGIT)
        self._other_recognizers = tuple(r for r in self._recognizers if r not in _NEEDS_DIGIT)

    @property
    def types(self) -> frozenset[EntityType]:
        """The entity types this detector reports."""
        return self._types

    def detect(self, text: str) -> list[Entity]:
        """Non-overlapping findings sorted by start, with offsets into ``text`` exactly as given."""
        if not text:
            return []
        folded = fold(text)
        normalised, offsets = folded.text, folded.offsets
        candidates: list[Candidate] = []
        for recognizer in self._other_recognizers:
            candidates.extend(recognizer(normalised))
        if _DIGIT.search(normalised) is not None:
            for recognizer in self._digit_recognizers:
                candidates.extend(recognizer(normalised))
        chosen = resolve(normalised, (c for c in candidates if c.type in self._types))
        if offsets is None:
            return [Entity(c.start, c.end, c.type, c.score, c.rule) for c in chosen]
        return [Entity(offsets[c.start], offsets[c.end - 1] + 1, c.type, c.score, c.rule) for c in chosen]

    def detect_many(self, texts: Sequence[str] | Iterable[str]) -> list[list[Entity]]:
        """:meth:`detect` for each text, in order."""
        return [self.detect(text) for text in texts]
