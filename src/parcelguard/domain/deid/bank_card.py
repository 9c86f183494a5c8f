"""BANK_CARD: payment card numbers, validated by Luhn and by the issuer prefix.

Luhn alone accepts one random digit string in ten, which is too many in a text full of order numbers; the
issuer identification number (62 UnionPay, 4 Visa, 51-55 and 2221-2720 Mastercard, 34/37 Amex, 35 JCB,
60/65 Discover, 9558 old ICBC) and the lengths each scheme issues cut that down by another order of
magnitude. Numbers are accepted plain or grouped by spaces or dashes in the usual 4-4-4-4(-3) layout.
"""

from __future__ import annotations

import re

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid._context import CARD_CUE, cue_before, glued_to_code, letter_prefix_ok, vetoed
from parcelguard.domain.deid._numbers import scan_long_runs
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii.luhn import luhn_valid

__all__ = ["find_bank_cards", "luhn_valid"]

# Starts with a digit so ``re`` can skip ahead; "no digit before" is checked on each match.
_CARD = re.compile(
    r"[0-9](?:[0-9]{3}(?:[ -][0-9]{4}){2,3}(?:[ -][0-9]{1,4})?|[0-9]{3}[ -][0-9]{6}[ -][0-9]{5}"
    r"|[0-9]{5}[ -][0-9]{10,13}|[0-9]{12,18})(?![0-9])",
)


def _issuer_fits(digits: str) -> bool:
    """True when the prefix belongs to a card scheme that issues numbers of this length."""
    n = len(digits)
    head2 = int(digits[:2])
    if head2 == 62:
        return 16 <= n <= 19
    if digits[0] == "4":
        return n in (16, 19)
    if 51 <= head2 <= 55 or 2221 <= int(digits[:4]) <= 2720:
        return n == 16
    if head2 in (34, 37):
        return n == 15
    if head2 == 35:
        return 16 <= n <= 19
    if head2 in (60, 65) or 644 <= int(digits[:3]) <= 649:
        return 16 <= n <= 19
    if digits.startswith("9558"):
        return n == 19
    return False


def _judge(text: str, match: re.Match[str]) -> Candidate | None:
    start, end = match.span()
    if (start > 0 and text[start - 1].isdigit()) or glued_to_code(text, start):
        return None
    digits = match.group().replace(" ", "").replace("-", "")
    if not 13 <= len(digits) <= 19 or not luhn_valid(digits):
        return None
    if not letter_prefix_ok(text, start) or vetoed(text, start, end):
        return None
    cued = cue_before(text, start, CARD_CUE)
    if _issuer_fits(digits):
        score = 0.95 if cued else 0.8
    elif cued and len(digits) >= 15:
        score = 0.7
    else:
        return None
    return Candidate(start, end, EntityType.BANK_CARD, score, "bank_card.luhn")


def find_bank_cards(text: str) -> list[Candidate]:
    """Luhn-valid card numbers with a known issuer prefix; a card label lets other prefixes through."""
    return scan_long_runs(_CARD, text, 13, lambda m: _judge(text, m))
