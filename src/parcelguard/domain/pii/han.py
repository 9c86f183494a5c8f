"""Which characters are Han ideographs: one definition for every parser, recogniser and regex.

People's names are where rare characters live (𠮷, 堃, 㛃). A check written for the main block alone
(U+4E00..U+9FFF) misses CJK Extension A (U+3400..), the compatibility ideographs (U+F900..) and everything
in the Supplementary and Tertiary Ideographic Planes (Extensions B to J, U+20000..U+3FFFD), and a name
holding one of them then slips past the detector. Python strings index by code point, so an Extension B
character is one character here, as anywhere else. Source: Unicode 16.0, Blocks.txt (the CJK blocks).
"""

from __future__ import annotations

__all__ = ["HAN_CLASS", "RARE_HAN_CLASS", "is_han", "is_rare_han"]

# For regex character classes: f"[{HAN_CLASS}]". The main block first, so the common case matches early.
HAN_CLASS = (
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\u3400-\u4dbf"  # Extension A
    "\uf900-\ufaff"  # Compatibility Ideographs
    "\u3007"  # 〇, the ideographic zero (used in names and numbers alike)
    "\U00020000-\U0003fffd"  # Supplementary and Tertiary Ideographic Planes: Extensions B-J, compatibility
)
# The Han ideographs outside the main block, for classes that list common characters and add the rare ones.
RARE_HAN_CLASS = "\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0003fffd"


def is_han(ch: str) -> bool:
    """True when the one-character string ``ch`` is a Han ideograph of any block (see the module doc)."""
    if "\u4e00" <= ch <= "\u9fff":  # string comparisons: the detector calls this on every character
        return True
    if ch < "\u3007":
        return False
    return (
        "\u3400" <= ch <= "\u4dbf"
        or "\uf900" <= ch <= "\ufaff"
        or ch == "\u3007"
        or "\U00020000" <= ch <= "\U0003fffd"
    )


def is_rare_han(ch: str) -> bool:
    """A Han ideograph outside the main block: rare enough that it is never a function word or a cue.

    A recogniser may read such a character as part of a name where a common character would need a lexicon.
    """
    return ch > "\u3007" and not ("\u4e00" <= ch <= "\u9fff") and is_han(ch)
