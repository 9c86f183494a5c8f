"""PHONE: mainland mobiles and landlines in the spellings people type, plus international numbers with ``+``.

Mobiles must fall in an allocated segment (:func:`is_allocated_mobile`) and landlines must start with a
real trunk area code (:func:`is_area_code`), so eleven random digits from an order number are rarely taken
for a phone; the label in front (运单号, 订单号) rejects the rest.

Service numbers (400/800 hotlines, 95xxx short codes) belong to companies, not people, and are left alone
on purpose: they are the numbers a customer-service text quotes most, and masking them hides nothing
personal. An extension (转123, -8012) is not part of the span: it is a company's internal routing.
"""

from __future__ import annotations

import re

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid._context import PHONE_CUE, cue_before, letter_prefix_ok, vetoed
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii.landline import is_area_code
from parcelguard.domain.pii.mobile import is_allocated_mobile

__all__ = ["find_phones", "find_spoken_phones"]

# Every pattern starts with a literal or a digit so that ``re`` can skip ahead; what may not come before a
# number (a digit, a plus sign) is checked on each match instead of with a leading lookbehind.
_MOBILE = re.compile(r"1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9])")
_COUNTRY_BEFORE = re.compile(r"(?:(?:\+|00) ?86 ?-? ?|\( ?(?:\+|00)?86 ?\) ?-? ?|86[ -]?)$")
_AREA = "(?:10|2[0-9]|[3-9][0-9]{2})"
_LANDLINE = re.compile(
    rf"(?:\+ ?86 ?-? ?(?:\(0\) ?)?(?P<carea>{_AREA}) ?-? ?|00 ?86 ?-? ?(?P<zarea>{_AREA}) ?-? ?"
    rf"|\( ?0(?P<parea>{_AREA}) ?\) ?-? ?|0(?P<area>{_AREA})[ -]?)"
    r"(?P<local>[2-9][0-9]{2,3}[ -]?[0-9]{4})(?![0-9])"
)
# A local number without area code, only right after a phone label (座机 8765 4321).
_BARE_LOCAL = re.compile(
    r"(?:座机|固话|办公电话|家里电话|电话|tel|Tel|TEL|phone|Phone)(?:号码?)?\s*(?:是|为)?\s*:?\s*"
    r"(?P<local>[2-9][0-9]{3}[ -]?[0-9]{4})(?![0-9])"
)
# Mobiles read out in Chinese numerals (一三八一二三四五六七八), as chat transcripts and notes have them.
_SPOKEN_MOBILE = re.compile(
    "[一幺][三四五六七八九][〇零一二三四五六七八九幺]{9}(?![〇零一二三四五六七八九幺])"
)
_SPOKEN_DIGITS = str.maketrans("〇零一幺二三四五六七八九", "001123456789")
_INTERNATIONAL = re.compile(
    r"(?<![0-9A-Za-z])\+(?!86)(?:[1-9][0-9]{0,2})(?:[ -]?\(?[0-9]{1,4}\)?)(?:[ -]?[0-9]{2,5}){2,4}(?![0-9])",
)


def _free_before(text: str, pos: int) -> bool:
    return pos == 0 or text[pos - 1] not in "0123456789+"


def _continues_a_number(text: str, pos: int) -> bool:
    """4172 0589 4696 5557: a phone-shaped tail of a number grouped by spaces is likely part of it."""
    return pos >= 2 and text[pos - 1] in " -" and text[pos - 2].isdigit()


def _mobiles(text: str, found: list[Candidate]) -> None:
    for match in _MOBILE.finditer(text):
        digits = match.group().replace(" ", "").replace("-", "")
        if not is_allocated_mobile(digits):
            continue
        start = match.start()
        country = _COUNTRY_BEFORE.search(text, max(0, start - 9), start)
        if country is not None:
            start = country.start()
        if (
            not _free_before(text, start)
            or not letter_prefix_ok(text, start)
            or vetoed(text, start, match.end())
        ):
            continue
        score = 0.95 if country is not None or cue_before(text, start, PHONE_CUE) else 0.85
        if _continues_a_number(text, start):
            score = 0.5
        found.append(Candidate(start, match.end(), EntityType.PHONE, score, "phone.mobile"))


def _landlines(text: str, found: list[Candidate]) -> None:
    for match in _LANDLINE.finditer(text):
        area = "0" + (
            match.group("area") or match.group("parea") or match.group("carea") or match.group("zarea")
        )
        local = match.group("local").replace(" ", "").replace("-", "")
        if not is_area_code(area) or len(local) not in ((8,) if len(area) == 3 else (7, 8)):
            continue
        start = match.start()
        if (
            not _free_before(text, start)
            or not letter_prefix_ok(text, start)
            or vetoed(text, start, match.end())
        ):
            continue
        international = match.group("carea") or match.group("zarea")
        score = 0.9 if international or cue_before(text, start, PHONE_CUE) else 0.8
        if _continues_a_number(text, start):
            score = 0.5
        found.append(Candidate(start, match.end(), EntityType.PHONE, score, "phone.landline"))
    for match in _BARE_LOCAL.finditer(text):
        start, end = match.span("local")
        if not vetoed(text, start, end):
            found.append(Candidate(start, end, EntityType.PHONE, 0.7, "phone.local"))


def find_spoken_phones(text: str) -> list[Candidate]:
    """Mobiles written in Chinese numerals; apart from the others because the text may have no digit."""
    return [
        Candidate(match.start(), match.end(), EntityType.PHONE, 0.85, "phone.spoken")
        for match in _SPOKEN_MOBILE.finditer(text)
        if is_allocated_mobile(match.group().translate(_SPOKEN_DIGITS))
    ]


def _international(text: str, found: list[Candidate]) -> None:
    for match in _INTERNATIONAL.finditer(text):
        digits = sum(ch.isdigit() for ch in match.group())
        if 8 <= digits <= 15 and not vetoed(text, match.start(), match.end()):
            found.append(Candidate(match.start(), match.end(), EntityType.PHONE, 0.75, "phone.international"))


def find_phones(text: str) -> list[Candidate]:
    """Mobile, landline and international phone numbers in normalised text."""
    found: list[Candidate] = []
    _mobiles(text, found)
    _landlines(text, found)
    if "+" in text:
        _international(text, found)
    return found
