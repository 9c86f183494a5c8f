"""PASSPORT: passports and the mainland travel permits, as found by ``domain/pii/identity.py``.

Chinese passports (``E``/``G`` + 8 digits, ``E`` + a letter + 7 digits) stand alone; any other passport
number needs 护照/passport in front; the travel permits of Hong Kong/Macao residents (回乡证, ``H``/``M``
+ 8 or 10 digits) and of Taiwan residents (台胞证, 8 or 10 digits) need their own cue. The vetoes and the
shared, cached scan live in ``cn_id.py``.
"""

from __future__ import annotations

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid.cn_id import document_candidates
from parcelguard.domain.deid.entity import EntityType

__all__ = ["find_passports"]


def find_passports(text: str) -> list[Candidate]:
    """Passport and travel permit numbers in normalised text."""
    return [c for c in document_candidates(text) if c.type is EntityType.PASSPORT]
