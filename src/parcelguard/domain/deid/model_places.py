"""The ``accurate`` mode's addresses: rule addresses checked against the model's places and organisations.

The address grammar (:mod:`parcelguard.domain.pii.address_finder`) starts at a region name or a street
anchor. Two things it cannot know, a sequence model tags (positions in folded text):

- an organisation named after its region (``江苏省高级人民法院``, ``北京市海淀区人民法院``) is an
  ``ORG`` word: a rule address lying wholly inside one that acts in the sentence (a verb, adverb,
  preposition or particle follows) is dropped; a company ending an address line is where the parcel goes;
- a place the grammar does not know as a region (a town or village missing from the division table,
  ``龙港镇`` before ``泰和小区B懂1097``) is a ``LOC`` word: one ending where a rule address starts becomes
  its start.
"""

from __future__ import annotations

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid.model_names import ModelView

__all__ = ["vet_addresses"]

_ORG = "ORG"
_LOC = "LOC"
_MAX_PREFIX_WORDS = 3
_ACTING_TAGS = frozenset({"v", "vd", "vn", "d", "p", "c", "u"})


def _acting_organisations(view: ModelView) -> list[tuple[int, int]]:
    """Organisation words followed by a verb, adverb, preposition or particle: the organisation acts
    (江苏省高级人民法院作出判决), so the sentence speaks of it, not of a place to deliver to. A company at
    the end of an address line (...工业园鑫龙水准仪器有限公司) is a destination and stays an address."""
    words = view.words
    out: list[tuple[int, int]] = []
    for i, word in enumerate(words[:-1]):
        if word.tag != _ORG:
            continue
        nxt = words[i + 1]
        if nxt.tag == "w" and nxt.end - nxt.start == 1 and i + 2 < len(words):
            nxt = words[i + 2]  # 法院，作出 ...
        if nxt.tag in _ACTING_TAGS:
            out.append((word.start, word.end))
    return out


def vet_addresses(view: ModelView, addresses: list[Candidate]) -> list[Candidate]:
    """``addresses`` without those inside an acting organisation's name, each extended over the place
    words that end where it starts."""
    if not addresses:
        return addresses
    actors = _acting_organisations(view)
    out: list[Candidate] = []
    for address in addresses:
        if any(s <= address.start and address.end <= e for s, e in actors):
            continue
        start = address.start
        for _ in range(_MAX_PREFIX_WORDS):
            word = view.word_at(start - 1) if start > 0 else None
            if word is None or word.tag != _LOC or word.end != start:
                break
            start = word.start
        out.append(address if start == address.start else address._replace(start=start))
    return out
