"""PHONE: the phone recogniser's numbers, judged by their context, plus international numbers with ``+``.

Which digit strings are mainland mobiles, landlines or labelled local numbers is decided once, in
:func:`parcelguard.domain.pii.phone_recognizer.scan_phones` (over folded text, so 1三8〇〇1三8〇〇〇,
138.0013.8000 and (138)0013-8000 are all read); this module adds what only free text has: the label in
front (运单号, 订单号 veto a number), a unit after (元, kg), the words that make a number a phone.

A mobile-shaped number in an unallocated segment is still a phone when the text says it is one (电话,
手机, 联系, 回电, 打, +86, tel, phone, a contact line's 收件人 or 联系人, or a person's name right beside
it): segments get allocated over time and people mistype, so a de-identifier must fail closed. Without
such context it is left alone, as eleven random digits from an order number would be.

Service numbers (400/800 hotlines, 95xxx short codes) belong to companies, not people, and are left alone
on purpose: they are the numbers a customer-service text quotes most, and masking them hides nothing
personal. An extension (转123, -8012) is not part of the span: it is a company's internal routing.
"""

from __future__ import annotations

import re

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid._context import PHONE_CUE, cue_before, vetoed
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii.mobile import is_allocated_mobile
from parcelguard.domain.pii.name import find_names
from parcelguard.domain.pii.phone_recognizer import PhoneMatch, scan_phones

__all__ = ["find_phones"]

_INTERNATIONAL = re.compile(
    r"(?<![0-9A-Za-z])\+(?!86)(?:[1-9][0-9]{0,2})(?:[ -]?\(?[0-9]{1,4}\)?)(?:[ -]?[0-9]{2,5}){2,4}(?![0-9])",
)
# Words right before a number that make it a phone even in an unallocated segment (8 characters back).
# Not 号码 alone: 订单号码 and 号码牌 say nothing about phones.
_CLOSE_PHONE_CUE = re.compile("电话|手机|联系|回电|来电|致电|打|拨|微信|tel|phone|mobile|call|cell")
# A contact line: the number stands beside the person it reaches (24 characters back).
_CONTACT_LINE = re.compile("收件人|寄件人|收货人|发件人|联系人|姓名|name|contact")
_NAME_WINDOW = 12
_BETWEEN = " \t:,;、，：；()（）"
_SCORES = {"mobile": (0.95, 0.85), "landline": (0.9, 0.8), "local": (0.7, 0.7)}


def _continues_a_number(text: str, pos: int) -> bool:
    """4172 0589 4696 5557: a phone-shaped tail of a number grouped by spaces is likely part of it."""
    return pos >= 2 and text[pos - 1] in " -" and text[pos - 2].isdigit()


def _beside_a_name(text: str, phone: PhoneMatch) -> bool:
    """张三 15459045440, 15459045440（李四）: a person's name next to the number, as contact lines have it."""
    lo = max(0, phone.start - _NAME_WINDOW)
    if any(not text[lo + n.end : phone.start].strip(_BETWEEN) for n in find_names(text[lo : phone.start])):
        return True
    hi = min(len(text), phone.end + _NAME_WINDOW)
    return any(
        not text[phone.end : phone.end + n.start].strip(_BETWEEN) for n in find_names(text[phone.end : hi])
    )


def _says_phone(text: str, phone: PhoneMatch) -> bool:
    """The context names the number a phone (enough to take an unallocated mobile segment)."""
    return (
        phone.country_code
        or cue_before(text, phone.start, _CLOSE_PHONE_CUE, window=8)
        or cue_before(text, phone.start, _CONTACT_LINE, window=24)
    )


def _candidate(text: str, phone: PhoneMatch) -> Candidate | None:
    if vetoed(text, phone.start, phone.end):
        return None
    cued = phone.country_code or cue_before(text, phone.start, PHONE_CUE)
    if phone.kind == "mobile" and not is_allocated_mobile(phone.digits):
        # Only the rare unallocated number pays for the closer look at its context.
        if not (_says_phone(text, phone) or _beside_a_name(text, phone)):
            return None
        cued = True
    with_cue, without = _SCORES[phone.kind]
    score = with_cue if cued else without
    if _continues_a_number(text, phone.start):
        score = 0.5
    return Candidate(phone.start, phone.end, EntityType.PHONE, score, f"phone.{phone.kind}")


def _international(text: str, found: list[Candidate]) -> None:
    for match in _INTERNATIONAL.finditer(text):
        digits = sum(ch.isdigit() for ch in match.group())
        if 8 <= digits <= 15 and not vetoed(text, match.start(), match.end()):
            found.append(Candidate(match.start(), match.end(), EntityType.PHONE, 0.75, "phone.international"))


def find_phones(text: str) -> list[Candidate]:
    """Mobile, landline and international phone numbers in folded text."""
    found = [c for phone in scan_phones(text) if (c := _candidate(text, phone)) is not None]
    if "+" in text:
        _international(text, found)
    return found
