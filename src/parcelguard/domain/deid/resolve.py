"""Overlap resolution: one finding per character, the most convincing one.

Recognizers run independently and their findings overlap: the digits of an ID number written with spaces
contain a phone-shaped run, a name recognizer may take 张家 out of 张家港市, and several starts may find the
same address. The rules, in order:

1. overlapping address findings are one address (their union);
2. a name inside an address belongs to the address, unless a strong cue (收件人, a title) says otherwise;
3. everything else is taken greedily by score, then length, then type priority (an ID before a card
   before a phone ...);
4. an address gives way to whatever was taken and keeps its longest free stretch.
"""

from __future__ import annotations

from collections.abc import Iterable

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid._spans import SpanIndex
from parcelguard.domain.deid.entity import EntityType

__all__ = ["resolve"]

_PRIORITY = {
    EntityType.CN_ID: 0,
    EntityType.BANK_CARD: 1,
    EntityType.PHONE: 2,
    EntityType.EMAIL: 3,
    EntityType.IP: 4,
    EntityType.PASSPORT: 5,
    EntityType.LICENSE_PLATE: 6,
    EntityType.PERSON: 7,
    EntityType.ADDRESS: 8,
}
# Names with evidence of their own keep their characters inside an address: a cue or title, a middle dot.
# (A sequence model's name does not: customers' addresses are full of roads, villages and companies named
# after people, and the model reads them as persons.)
_NAME_OVER_ADDRESS = frozenset(
    {"person.zh.cue", "person.zh.title", "person.zh.dotted", "person.en.title", "person.en.cue"}
)
_MIN_ADDRESS_LENGTH = 2
_TRIM = " ,.;:-/、，。"


def _merge(addresses: list[Candidate]) -> list[Candidate]:
    merged: list[Candidate] = []
    for candidate in sorted(addresses):
        if merged and candidate.start <= merged[-1].end:
            last = merged[-1]
            if candidate.end > last.end or candidate.score > last.score:
                merged[-1] = last._replace(
                    end=max(last.end, candidate.end), score=max(last.score, candidate.score)
                )
            continue
        merged.append(candidate)
    return merged


def _free_part(text: str, address: Candidate, taken: list[Candidate], index: SpanIndex) -> Candidate | None:
    """The longest stretch of ``address`` that nothing taken covers, trimmed of separators."""
    cuts = sorted((taken[i].start, taken[i].end) for i in index.overlapping(address.start, address.end))
    best: tuple[int, int] | None = None
    pos = address.start
    for start, end in [*cuts, (address.end, address.end)]:
        if start > pos and (best is None or start - pos > best[1] - best[0]):
            best = (pos, start)
        pos = max(pos, end)
    if best is None:
        return None
    start, end = best
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    if end - start < _MIN_ADDRESS_LENGTH:
        return None
    return address._replace(start=start, end=end)


def resolve(text: str, candidates: Iterable[Candidate]) -> list[Candidate]:
    """Non-overlapping findings sorted by start; see the module docstring for the rules."""
    addresses: list[Candidate] = []
    others: list[Candidate] = []
    for candidate in candidates:
        (addresses if candidate.type is EntityType.ADDRESS else others).append(candidate)
    addresses = _merge(addresses)
    if addresses:
        spans = SpanIndex([(a.start, a.end) for a in addresses])
        others = [
            c
            for c in others
            if c.type is not EntityType.PERSON
            or c.rule in _NAME_OVER_ADDRESS
            or not any(
                addresses[i].start <= c.start and c.end <= addresses[i].end
                for i in spans.overlapping(c.start, c.end)
            )
        ]
    others.sort(key=lambda c: (-c.score, c.start - c.end, _PRIORITY[c.type], c.start))
    taken: list[Candidate] = []
    index = SpanIndex()

    def take(candidate: Candidate) -> None:
        index.add(len(taken), candidate.start, candidate.end)
        taken.append(candidate)

    for candidate in others:
        if not index.any_overlapping(candidate.start, candidate.end):
            take(candidate)
    for address in addresses:
        if index.any_overlapping(address.start, address.end):
            part = _free_part(text, address, taken, index)
            if part is not None:
                take(part)
        else:
            take(address)
    taken.sort()
    return taken
