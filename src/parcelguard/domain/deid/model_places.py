"""The ``accurate`` mode's addresses: rule addresses checked against the model's places and organisations.

The address grammar (:mod:`parcelguard.domain.pii.address_finder`) starts at a region name or a street
anchor. Two things it cannot know, a sequence model tags (positions in folded text):

- an organisation named after its region (``江苏省高级人民法院``, ``北京市海淀区人民法院``) is an
  ``ORG`` word: a rule address lying wholly inside one is dropped (a court is not where a customer lives);
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


def vet_addresses(view: ModelView, addresses: list[Candidate]) -> list[Candidate]:
    """``addresses`` without those inside an organisation's name, each extended over the place words
    that end where it starts."""
    if not addresses:
        return addresses
    organisations = view.spans(_ORG)
    out: list[Candidate] = []
    for address in addresses:
        if any(s <= address.start and address.end <= e for s, e in organisations):
            continue
        start = address.start
        for _ in range(_MAX_PREFIX_WORDS):
            word = view.word_at(start - 1) if start > 0 else None
            if word is None or word.tag != _LOC or word.end != start:
                break
            start = word.start
        out.append(address if start == address.start else address._replace(start=start))
    return out
