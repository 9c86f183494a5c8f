"""Text normalisation shared by every PII parser and detector.

Customers type phone numbers and addresses on Chinese keyboards, so full-width digits (１３８), full-width
punctuation and ideographic spaces are everywhere. Every pattern in this package is written for ASCII, so
text goes through here first. Detectors must report positions in the text they were given, hence the
offset-keeping variant.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_FULLWIDTH_FIRST = 0xFF01  # ！
_FULLWIDTH_LAST = 0xFF5E  # ～
_FULLWIDTH_SHIFT = 0xFEE0
_IDEOGRAPHIC_SPACE = 0x3000

# Dashes people paste into phone numbers ("138—1234—5678", "010–12345678").
_DASHES = (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63)
# Characters that render as nothing and are used (on purpose or by copy-paste) to split numbers.
_INVISIBLE = (0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)
# Most text needs no change; finding that out with one regex scan beats translating every character.
_NEEDS_HALFWIDTH = re.compile("[\uff01-\uff5e\u3000\u2010-\u2015\u2212\ufe58\ufe63]")
_NOT_PLAIN = re.compile("[^\x00-\x7f\u4e00-\u9fff]")


@cache
def _halfwidth_table() -> dict[int, int]:
    table = {cp: cp - _FULLWIDTH_SHIFT for cp in range(_FULLWIDTH_FIRST, _FULLWIDTH_LAST + 1)}
    table[_IDEOGRAPHIC_SPACE] = ord(" ")
    for cp in _DASHES:
        table[cp] = ord("-")
    return table


def to_halfwidth(s: str) -> str:
    """Map full-width ASCII look-alikes, the ideographic space and dash variants to plain ASCII.

    Han characters and the Chinese enumeration comma are left alone, so the result keeps its meaning
    and its length (one character in, one character out).
    """
    if s.isascii() or _NEEDS_HALFWIDTH.search(s) is None:
        return s
    return s.translate(_halfwidth_table())


def _is_plain(cp: int) -> bool:
    return cp < 0x80 or 0x4E00 <= cp <= 0x9FFF


def normalize_with_offsets(s: str) -> tuple[str, list[int]]:
    """Normalise ``s`` for pattern matching and say where every output character came from.

    Beyond :func:`to_halfwidth` this drops invisible characters and applies NFKC to the rest (circled
    digits, compatibility ideographs), which may turn one character into several. ``offsets[i]`` is the
    index in ``s`` of the character that produced output character ``i``, so a match ``[a, b)`` in the
    output covers ``s[offsets[a] : offsets[b - 1] + 1]``.
    """
    if _NOT_PLAIN.search(s) is None:
        return s, list(range(len(s)))
    table = _halfwidth_table()
    out: list[str] = []
    offsets: list[int] = []
    for index, ch in enumerate(s):
        cp = ord(ch)
        if _is_plain(cp):
            out.append(ch)
            offsets.append(index)
            continue
        if cp in _INVISIBLE:
            continue
        mapped = table.get(cp)
        if mapped is not None:
            out.append(chr(mapped))
            offsets.append(index)
            continue
        for piece in unicodedata.normalize("NFKC", ch):
            out.append(piece)
            offsets.append(index)
    return "".join(out), offsets
