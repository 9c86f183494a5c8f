"""The free-text PII detector: every recognizer over one normalised copy of the text, overlaps resolved.

Texts are folded once (:func:`parcelguard.domain.pii.fold.fold`: full-width forms, traditional characters,
look-alikes, Chinese numerals inside digit runs), every recognizer scans that copy
with a few precompiled regular expressions and dictionary lookups, and the surviving findings are mapped
back to indexes into the text as given, so callers can slice and replace the original.

Two modes behind one interface (:class:`~parcelguard.domain.deid.words.DetectMode`):

- ``accurate`` (the default when the detector has a tagger): a sequence model (a :class:`WordTagger`,
  Baidu LAC in production) reads each text with Han characters, batched over all texts of a call; its person
  names replace the name rules' guesses where they disagree, and its places and organisations check the
  rule addresses (:mod:`.model_names`, :mod:`.model_places`). Phones, IDs, cards, e-mails, plates, IPs and
  passports stay exact patterns in both modes.
- ``fast``: rules only, tens of microseconds per text.
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
from parcelguard.domain.deid.model_names import ModelView, model_persons, vet_rule_persons
from parcelguard.domain.deid.model_places import vet_addresses
from parcelguard.domain.deid.passport import find_passports
from parcelguard.domain.deid.person_en import find_latin_names
from parcelguard.domain.deid.person_zh import find_chinese_names
from parcelguard.domain.deid.phone import find_phones
from parcelguard.domain.deid.plate import find_plates
from parcelguard.domain.deid.resolve import resolve
from parcelguard.domain.deid.words import DetectMode, Tagging, WordTagger, parse_mode
from parcelguard.domain.pii.fold import Folded, fold
from parcelguard.domain.pii.han import HAN_CLASS

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
_HAN = re.compile(f"[{HAN_CLASS}]")
_PERSON_RULES = frozenset({find_chinese_names, find_latin_names})
# Texts per model call: enough for full batches of every common length, few enough to bound the memory of
# a dataset partition's taggings; and characters per call (a longer text is a call of its own), since the
# taggings of a call are held at once (about 160 MB for 200,000 characters) whatever the number of texts.
_CHUNK = 2048
_CHUNK_CHARS = 200_000
# Number recognizers can only fire on text with a digit; skipping them on digit-free text is free speed.
_NEEDS_DIGIT = frozenset(
    {find_resident_ids, find_bank_cards, find_phones, find_ips, find_passports, find_plates}
)


class Detector:
    """Finds personal data in free text; build one and reuse it (construction does the setup).

    ``tagger``: the sequence model for ``accurate`` mode; without one the detector only runs ``fast``.
    ``mode``: the default of :meth:`detect` and :meth:`detect_many` (``accurate`` when a tagger is given).
    Raises ValueError for an unknown mode, or ``accurate`` without a tagger.
    """

    def __init__(
        self,
        types: Iterable[EntityType] | None = None,
        *,
        tagger: WordTagger | None = None,
        mode: DetectMode | str | None = None,
    ) -> None:
        wanted = frozenset(EntityType) if types is None else frozenset(types)
        self._types = wanted
        self._recognizers = tuple(r for r, produces in _RECOGNIZERS if produces & wanted)
        self._digit_recognizers = tuple(r for r in self._recognizers if r in _NEEDS_DIGIT)
        self._other_recognizers = tuple(r for r in self._recognizers if r not in _NEEDS_DIGIT)
        self._tagger = tagger
        # the model only speaks about names and places; a detector for numbers alone never needs it
        self._uses_model = bool(wanted & {EntityType.PERSON, EntityType.ADDRESS})
        default = DetectMode.ACCURATE if tagger is not None else DetectMode.FAST
        self._mode = self._check(default if mode is None else mode)

    @property
    def types(self) -> frozenset[EntityType]:
        """The entity types this detector reports."""
        return self._types

    @property
    def mode(self) -> DetectMode:
        """The mode :meth:`detect` uses when none is given."""
        return self._mode

    def _check(self, mode: DetectMode | str) -> DetectMode:
        chosen = parse_mode(mode)
        if chosen is DetectMode.ACCURATE and self._tagger is None:
            raise ValueError("accurate mode needs a sequence model (a tagger); this detector has none")
        return chosen

    def detect(self, text: str, mode: DetectMode | str | None = None) -> list[Entity]:
        """Non-overlapping findings sorted by start, with offsets into ``text`` exactly as given."""
        return self.detect_many([text], mode)[0]

    def detect_many(
        self, texts: Sequence[str] | Iterable[str], mode: DetectMode | str | None = None
    ) -> list[list[Entity]]:
        """:meth:`detect` for each text, in order; in ``accurate`` mode the model reads them in batches of at
        most 2,048 texts and 200,000 characters (a longer text alone), so memory stays bounded however many
        texts a dataset partition hands in."""
        chosen = self._mode if mode is None else self._check(mode)
        out: list[list[Entity]] = []
        chunk: list[str] = []
        chars = 0
        for text in texts:
            if chunk and (len(chunk) >= _CHUNK or chars + len(text) > _CHUNK_CHARS):
                out.extend(self._detect_chunk(chunk, chosen))
                chunk, chars = [], 0
            chunk.append(text)
            chars += len(text)
        if chunk:
            out.extend(self._detect_chunk(chunk, chosen))
        return out

    def _detect_chunk(self, items: list[str], mode: DetectMode) -> list[list[Entity]]:
        folded = [fold(text) if text else None for text in items]
        views: list[ModelView | None] = [None] * len(items)
        if mode is DetectMode.ACCURATE and self._uses_model and self._tagger is not None:
            wanted = [i for i, f in enumerate(folded) if f is not None and _HAN.search(f.text)]
            if wanted:
                taggings: list[Tagging] = self._tagger.tag_many([_text(folded[i]) for i in wanted])
                for i, tagging in zip(wanted, taggings, strict=True):
                    views[i] = ModelView(tagging, _text(folded[i]))
        return [[] if f is None else self._detect_folded(f, views[i]) for i, f in enumerate(folded)]

    def _detect_folded(self, folded: Folded, view: ModelView | None) -> list[Entity]:
        normalised, offsets = folded.text, folded.offsets
        candidates: list[Candidate] = []
        rule_persons: list[Candidate] = []
        for recognizer in self._other_recognizers:
            if view is not None and recognizer in _PERSON_RULES:
                rule_persons.extend(recognizer(normalised))
            else:
                candidates.extend(recognizer(normalised))
        if _DIGIT.search(normalised) is not None:
            for recognizer in self._digit_recognizers:
                candidates.extend(recognizer(normalised))
        if view is not None:
            if EntityType.PERSON in self._types:
                model = model_persons(normalised, view)
                candidates.extend(vet_rule_persons(normalised, view, rule_persons, model))
            addresses = [c for c in candidates if c.type is EntityType.ADDRESS]
            if addresses:
                others = [c for c in candidates if c.type is not EntityType.ADDRESS]
                candidates = others + vet_addresses(view, addresses)
        chosen = resolve(normalised, (c for c in candidates if c.type in self._types))
        if offsets is None:
            return [Entity(c.start, c.end, c.type, c.score, c.rule) for c in chosen]
        return [Entity(offsets[c.start], offsets[c.end - 1] + 1, c.type, c.score, c.rule) for c in chosen]


def _text(folded: Folded | None) -> str:
    return "" if folded is None else folded.text
