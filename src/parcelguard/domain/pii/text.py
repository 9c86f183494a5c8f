"""Former home of text normalisation, kept so existing imports work: everything lives in :mod:`.fold`.

New code imports :func:`parcelguard.domain.pii.fold.fold` (free text, offsets kept) or
:func:`parcelguard.domain.pii.fold.to_halfwidth` (one form field, length kept).
"""

from __future__ import annotations

from parcelguard.domain.pii.fold import fold, to_halfwidth

__all__ = ["normalize_with_offsets", "to_halfwidth"]


def normalize_with_offsets(s: str) -> tuple[str, list[int]]:
    """``fold(s)`` as ``(text, offsets)`` with ``offsets`` always a list (see :class:`.fold.Folded`)."""
    folded = fold(s)
    if folded.offsets is None:
        return folded.text, list(range(len(folded.text)))
    return folded.text, folded.offsets
