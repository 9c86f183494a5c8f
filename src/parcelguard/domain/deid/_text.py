"""Normalisation for the detector: :func:`normalize_with_offsets`, made cheap for ordinary Chinese text.

``normalize_with_offsets`` walks the text one character at a time as soon as anything outside ASCII and
the main CJK block appears, and Chinese chat text nearly always has a full-width comma or an ideographic
full stop. Those characters map one-to-one (or not at all), so the detector only needs the per-character
walk for the rare characters that NFKC expands or that are dropped (``…``, ``①``, zero-width spaces). This
module cuts the text at those characters, lets ``to_halfwidth`` translate the long runs in between, and
asks ``normalize_with_offsets`` about each rare character alone, so both always agree.
"""

from __future__ import annotations

import re

from parcelguard.domain.pii.text import normalize_with_offsets, to_halfwidth

__all__ = ["normalize"]

# Characters whose normalised form is themselves or one character of to_halfwidth's table; anything else
# goes through normalize_with_offsets.
_SAFE = (
    "\x00-\x7f\u00b7\u00d7\u00f7\u2010-\u2016\u2018-\u2023\u2027-\u202e\u2030-\u2032\u2035-\u203b"
    "\u3000-\u3035\u3037\u303b-\u303f\u4e00-\u9fff\uff01-\uff5e"
)
_UNSAFE = re.compile(f"[^{_SAFE}]")


def normalize(text: str) -> tuple[str, list[int] | None]:
    """``(normalised, offsets)`` as :func:`normalize_with_offsets`; ``offsets`` is None for the identity."""
    first = _UNSAFE.search(text)
    if first is None:
        return to_halfwidth(text), None
    pieces: list[str] = []
    offsets: list[int] = []
    pos = 0
    match: re.Match[str] | None = first
    while match is not None:
        start = match.start()
        if start > pos:
            pieces.append(to_halfwidth(text[pos:start]))
            offsets.extend(range(pos, start))
        piece, piece_offsets = normalize_with_offsets(match.group())
        pieces.append(piece)
        offsets.extend(start + o for o in piece_offsets)
        pos = match.end()
        match = _UNSAFE.search(text, pos)
    if pos < len(text):
        pieces.append(to_halfwidth(text[pos:]))
        offsets.extend(range(pos, len(text)))
    return "".join(pieces), offsets
