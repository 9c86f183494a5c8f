"""Unified social credit codes (统一社会信用代码, GB 32100-2015): how a company sender registers.

Eighteen characters from a 31-character alphabet (digits and capitals without I, O, Z, S and V): the
registering authority, the kind of organisation, the 6-digit division code where it registered, the
9-character organisation code (GB 11714) and a check character. The check character makes the weighted
sum (weights ``3**i mod 31``) of all eighteen values a multiple of 31, so one mistyped character, and
most swaps, are caught.

A code names an organisation, not a person, but the codes of individual businesses (个体工商户) point at
one person, and real-name rules treat the code like an ID number: stored encrypted, never printed.
"""

from __future__ import annotations

from parcelguard.domain.pii._errors import invalid
from parcelguard.errors import ErrorCode

__all__ = ["USCC_ALPHABET", "is_uscc", "uscc_check_char", "uscc_problem"]

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_LENGTH = 18
_FIELD = "uscc"


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters (upper case, from the alphabet).

    Raises ValidationError (INVALID_ID_NUMBER) when the input is not 17 characters of the alphabet.
    """
    if len(first17) != _LENGTH - 1 or any(ch not in _VALUE for ch in first17):
        raise invalid(ErrorCode.INVALID_ID_NUMBER, _FIELD, "needs seventeen code characters for a check")
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return USCC_ALPHABET[-total % 31]


def uscc_problem(code: str) -> str | None:
    """Why ``code`` (compact, upper case) is not a valid code, or None when it is one."""
    if len(code) != _LENGTH:
        return "must be eighteen characters"
    if any(ch not in _VALUE for ch in code):
        return "holds a character the code alphabet does not use (I, O, Z, S, V or a symbol)"
    if not code[2:8].isdigit():
        return "must hold a 6-digit division code in characters 3 to 8"
    if uscc_check_char(code[:17]) != code[17]:
        return "fails its check character"
    return None


def is_uscc(code: str) -> bool:
    """True for a compact, upper-case, checksum-valid code."""
    return uscc_problem(code) is None
