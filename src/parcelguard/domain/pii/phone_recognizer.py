r"""The one recogniser of mainland phone numbers (mobiles and landlines), over folded text.

Order intake (:meth:`Mobile.parse`, :meth:`Landline.parse`), the free-text detector (deid/phone.py adds
context and scores) and the label gate (:func:`phone_leaks`) all read numbers through the patterns here,
so a spelling one of them accepts is a spelling every one of them sees. Text must be folded first
(:func:`parcelguard.domain.pii.fold.fold`): digits are then ASCII, whatever script or numeral style they
were typed in, and the separators between them are the ASCII ones of ``DIGIT_GAP``.

Shapes (``·`` = any ``DIGIT_GAP``: up to a closing bracket, three of `` ._-/`` and an opening bracket):

* mobile: ``1·[3-9]·d·d·d·d·d·d·d·d·d``, optionally after a country code ``+86``, ``0086``, ``86``,
  ``(+86)``, ``[86]``; a leading bracket, ``(138)0013-8000``, belongs to the number.
* landline: trunk area code (``010``, ``02x``, ``0xxx``), or ``+86``/``0086`` + area without the 0, or
  ``(0xxx)``, then a 7- or 8-digit subscriber number starting 2-9: ``010-62345678``, ``(0755)8888 8888``,
  ``+86 (0)10 6234 5678``.
* local: a subscriber number without area code, only right after a phone label (``座机 8765 4321``).

Any other separator (``~ , ， 、 : ; | * + # = ' \``, a newline, a 4-space gap, ○...) may also stand
between the digit groups of a mobile, up to four characters of punctuation, symbols or blanks, when
every group holds at least 3 digits (``1391，234，5678``, ``139 | 1234 | 5678``): the mobile shape and
the groups keep amounts (``13,912,345,678``) out. ``*`` is such a separator only in unmasked mode, so
``1391*234*5678`` (11 digits without the stars) is a number while ``139******78`` stays masked; the
label gate reads both.

A number must not continue other digits, and a number glued to letters on its left is a code (tracking
number ``PG8613231614636``), unless the letters are a phone label (``tel``, ``mobile`` ...).

Masked mode (the label gate): each digit slot may also be a mask character ``*●×``; :attr:`PhoneMatch.hidden`
counts them. GB/T 41833-2022 asks a privacy waybill to hide at least 6 digits of a phone number.

Service numbers (400/800 hotlines, 95xxx) have no area code and no mobile segment: they never match.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from parcelguard.domain.pii.fold import DIGIT_GAP

__all__ = [
    "MASK_CHARS",
    "MIN_HIDDEN_DIGITS",
    "PhoneMatch",
    "is_area_code",
    "match_landline",
    "match_mobile",
    "phone_leaks",
    "scan_phones",
]

MASK_CHARS = "*●×"
MIN_HIDDEN_DIGITS = 6

PhoneKind = Literal["mobile", "landline", "local"]

_G = DIGIT_GAP
_CC = r"(?:\+ ?86|00 ?86)"
# Country code before a mobile: bracketed or not, with its own separators; bare 86 too (8613812345678).
_MOBILE_CC = rf"(?P<cc>(?:[(\[](?:{_CC}|86)[)\]]|{_CC}|86)[ \t._\-/]{{0,3}})"
_AREA = r"(?:10|2[0-9]|[3-9][0-9]{2})"
_PHONE_LABEL = (
    r"(?:座机|固话|办公电话|家里电话|家庭电话|联系电话|电话|手机|tel|Tel|TEL|phone|Phone|PHONE)"
    r"(?:号码?)?\s*(?:是|为)?\s*[:：]?\s*"
)
_ALLOWED_LETTER_LABELS = frozenset(
    {"tel", "ph", "phone", "mobile", "mob", "cell", "call", "m", "t", "p", "no", "num", "number", "wx", "vx"}
    | {"whatsapp", "wechat"}
)
_LETTERS_BEFORE = re.compile(r"[A-Za-z]+$")


def _build(d: str) -> tuple[re.Pattern[str], tuple[re.Pattern[str], ...], re.Pattern[str]]:
    """Mobile body, landline and local shapes with ``d`` as the digit class ([0-9], or with masks too).

    Each starts with a literal or a character class, so ``re`` skips ahead fast on ordinary text; what
    may stand before a mobile (country code, bracket) is read backwards by ``_MOBILE_PREFIX``. Landlines
    come in three patterns (trunk 0, country code, bracketed area) for the same reason.
    """
    first = "1" if d == "[0-9]" else "[1*●×]"
    second = "[3-9]" if d == "[0-9]" else "[3-9*●×]"
    local_first = "[2-9]" if d == "[0-9]" else "[2-9*●×]"
    mobile = re.compile(rf"{first}{_G}{second}(?:{_G}{d}){{9}}(?![0-9*●×])")
    subscriber = rf"{_G}(?P<local>{local_first}(?:{_G}{d}){{6,7}})(?![0-9*●×])"
    landlines = (
        re.compile(rf"0(?P<area>{_AREA}){subscriber}"),
        re.compile(
            rf"(?P<cc>{_CC})[ \t._\-/]{{0,3}}(?:\(0\)[ \t._\-/]{{0,3}})?(?P<area>{_AREA}){subscriber}"
        ),
        re.compile(rf"[(\[]0?(?P<area>{_AREA})[)\]]{subscriber}"),
    )
    local = re.compile(rf"{_PHONE_LABEL}(?P<local>{local_first}(?:{_G}{d}){{6,7}})(?![0-9*●×])")
    return mobile, landlines, local


_MOBILE, _LANDLINES, _LOCAL = _build("[0-9]")
_MASKED_MOBILE, _MASKED_LANDLINES, _MASKED_LOCAL = _build("[0-9*●×]")
# Read backwards from a mobile's first digit: a country code and/or an opening bracket.
_MOBILE_PREFIX = re.compile(rf"{_MOBILE_CC}?(?P<open>[(\[])?\Z")
_PREFIX_WINDOW = 14
PLAIN_MOBILE = re.compile(r"1[3-9][0-9](?:[ -]?[0-9]){8}")
"""A mobile's ASCII digits alone or grouped by single spaces or dashes (13812345678, 138-1234-5678): the
plainest shape the recogniser reads, with nothing for fold to do (intake's shortcut uses it too)."""
# A subset of _MOBILE_WHOLE's spellings (13812345678, +86 138-1234-5678) that is cheap to match.
_SIMPLE_MOBILE = re.compile(rf"(?:(?P<cc>\+86|0086|86)[ -]?)?(?P<number>{PLAIN_MOBILE.pattern})")
_MOBILE_WHOLE = re.compile(rf"{_MOBILE_CC}?(?P<open>[(\[])?(?P<number>{_MOBILE.pattern})")
_DROP_SEPARATORS = str.maketrans("", "", " \t._-/()[]")
# The last character of anything _MOBILE_PREFIX can match: the 6 of 86, a separator, a bracket.
_PREFIX_LAST_CHARS = frozenset("6 \t._-/()[]")
_CLOSING_BRACKET = re.compile(r"[)\]]")
# The wide pass: between a mobile's digits, up to 4 characters that are neither letters, digits nor Han
# (punctuation, symbols, blanks, newlines); the groups the gaps cut must hold 3 digits or more.
_WIDE_GAP = r"(?:[^\w\u3400-\u9fff\U00020000-\U0002ffff]|_){0,4}"
_WIDE_MOBILE = re.compile(rf"1{_WIDE_GAP}[3-9](?:{_WIDE_GAP}[0-9]){{9}}(?![0-9])")
_DIGIT_GROUP = re.compile(r"[0-9]+")
_MIN_WIDE_GROUP = 3
_MOBILE_DIGITS = 11
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\s*(?P<ext>[0-9]+)$|[ \t._\-/](?P<tail>[0-9]{1,6})$", re.I)


class PhoneMatch(NamedTuple):
    """One number found in folded text.

    ``start``/``end`` index the folded text (map back with :meth:`Folded.span`). ``digits`` is the
    national number: 11 digits for a mobile, trunk 0 + area + subscriber for a landline, the subscriber
    alone for a local number; in masked mode mask characters stand in it. ``hidden`` counts them.
    """

    start: int
    end: int
    kind: PhoneKind
    digits: str
    area_code: str | None = None
    country_code: bool = False

    @property
    def hidden(self) -> int:
        """Masked digit slots (``*●×``) in the number."""
        return sum(self.digits.count(ch) for ch in MASK_CHARS)


def is_area_code(code: str) -> bool:
    """True for a well-formed trunk area code: 010, 020-029 (not 026), or 0 + three digits from 03xx up."""
    if len(code) == 3:
        return code == "010" or (code.startswith("02") and code != "026")
    return len(code) == 4 and code[0] == "0" and code[1] in "3456789"


def _slots(text: str) -> str:
    return text.translate(_DROP_SEPARATORS)


def _free_on_the_left(text: str, start: int) -> bool:
    """Not a continuation of a number, nor of a code made of letters (a phone label is fine)."""
    if start == 0:
        return True
    before = text[start - 1]
    if (before.isascii() and before.isdigit()) or before in "+" + MASK_CHARS:
        return False
    if not (before.isascii() and before.isalpha()):
        return True
    letters = _LETTERS_BEFORE.search(text, max(0, start - 12), start)
    return letters is not None and letters.group().lower() in _ALLOWED_LETTER_LABELS


def _mobile_at(text: str, match: re.Match[str]) -> PhoneMatch | None:
    """The mobile whose digits ``match`` found, with the country code or bracket before it if any."""
    start, end = match.span()
    digits = _slots(match.group())
    if start == 0 or text[start - 1] not in _PREFIX_LAST_CHARS:
        prefix = None  # most mobiles follow a word or a colon: no country code to look for
    else:
        prefix = _MOBILE_PREFIX.search(text, max(0, start - _PREFIX_WINDOW), start)
    if prefix is not None and prefix.start() < start:
        first = prefix.start()
        country_code = bool(prefix.group("cc"))
        # A bracket belongs to the number only when it closes inside it: (138)0013-8000.
        if not country_code and not _CLOSING_BRACKET.search(text, start, end):
            first = start
        if first < start and _free_on_the_left(text, first):
            return PhoneMatch(first, end, "mobile", digits, None, country_code)
    if _free_on_the_left(text, start):
        return PhoneMatch(start, end, "mobile", digits)
    return None


def _landline_match(match: re.Match[str]) -> PhoneMatch | None:
    area = "0" + match.group("area")
    local = _slots(match.group("local"))
    if not is_area_code(area) or len(local) not in ((8,) if len(area) == 3 else (7, 8)):
        return None
    country_code = "cc" in match.re.groupindex
    return PhoneMatch(match.start(), match.end(), "landline", area + local, area, country_code)


def _scan(
    text: str, mobile: re.Pattern[str], landlines: tuple[re.Pattern[str], ...], local: re.Pattern[str]
) -> list[PhoneMatch]:
    found: list[PhoneMatch] = []
    pos = 0
    while (match := mobile.search(text, pos)) is not None:
        phone = _mobile_at(text, match)
        if phone is None:
            pos = match.start() + 1
            continue
        found.append(phone)
        pos = match.end()
    trunk, international, bracketed = landlines
    for landline in (
        trunk,
        international if "86" in text else None,
        bracketed if "(" in text or "[" in text else None,
    ):
        pos = 0
        while landline is not None and (match := landline.search(text, pos)) is not None:
            line = _landline_match(match)
            if line is None or not _free_on_the_left(text, line.start):
                pos = match.start() + 1
                continue
            found.append(line)
            pos = match.end()
    if mobile is _MOBILE and sum(map(text.count, "0123456789")) >= _MOBILE_DIGITS:
        _wide_mobiles(text, found)
    for match in local.finditer(text):
        start, end = match.span("local")
        if not found or not any(p.start <= start < p.end for p in found):
            found.append(PhoneMatch(start, end, "local", _slots(match.group("local"))))
    if len(found) < 2:
        return found
    found.sort(key=lambda p: (p.start, -p.end))
    kept: list[PhoneMatch] = []
    for phone in found:
        if not kept or phone.start >= kept[-1].end:
            kept.append(phone)
    return kept


def _wide_mobiles(text: str, found: list[PhoneMatch]) -> None:
    """Add the mobiles whose groups other separators join (see the module docstring) to ``found``."""
    pos = 0
    while (match := _WIDE_MOBILE.search(text, pos)) is not None:
        start, end = match.span()
        groups = _DIGIT_GROUP.findall(match.group())
        if (
            len(groups) > 1
            and all(len(g) >= _MIN_WIDE_GROUP for g in groups)
            and _free_on_the_left(text, start)
            and not any(p.start < end and start < p.end for p in found)
        ):
            found.append(PhoneMatch(start, end, "mobile", "".join(groups)))
            pos = end
        else:
            pos = start + 1


def scan_phones(folded: str, *, masked: bool = False) -> list[PhoneMatch]:
    """Every mobile, landline and labelled local number in ``folded``, left to right, not overlapping.

    ``masked=True`` also reads mask characters as digit slots (for checking what a label shows).
    """
    if masked:
        return _scan(folded, _MASKED_MOBILE, _MASKED_LANDLINES, _MASKED_LOCAL)
    return _scan(folded, _MOBILE, _LANDLINES, _LOCAL)


def match_mobile(folded: str) -> PhoneMatch | None:
    """The mobile that ``folded`` consists of (surrounding blanks aside), or None: for order intake."""
    text = folded.strip()
    simple = _SIMPLE_MOBILE.fullmatch(text)
    if simple is not None:  # the spellings order forms nearly always hold, without the costly gaps
        digits = simple.group("number").replace(" ", "").replace("-", "")
        return PhoneMatch(0, len(text), "mobile", digits, None, simple.group("cc") is not None)
    whole = _MOBILE_WHOLE.fullmatch(text)
    if whole is None:
        return None
    match = _MOBILE.match(text, whole.start("number"))
    return None if match is None else _mobile_at(text, match)


def _whole_landline(text: str) -> re.Match[str] | None:
    for pattern in _LANDLINES:
        match = pattern.fullmatch(text)
        if match is not None:
            return match
    return None


def match_landline(folded: str) -> tuple[PhoneMatch, str | None] | None:
    """The landline ``folded`` consists of and its extension (转123, ext. 42, -123), or None."""
    text = folded.strip()
    extension: str | None = None
    match = _whole_landline(text)
    if match is None:
        mark = _EXTENSION.search(text)
        if mark is None:
            return None
        extension = mark.group("ext") or mark.group("tail")
        match = _whole_landline(text[: mark.start()].rstrip(" -"))
        if match is None:
            return None
    phone = _landline_match(match)
    return None if phone is None else (phone, extension)


def phone_leaks(folded: str) -> list[tuple[int, int, str]]:
    """``(start, end, rule)`` for every phone number ``folded`` shows with fewer than 6 digits hidden.

    Rules: ``mobile_unmasked``/``landline_unmasked`` (nothing hidden), ``mobile_undermasked``/
    ``landline_undermasked`` (1-5 hidden). ``138******34`` passes, ``138****1234`` does not. Positions
    index ``folded``.
    """
    leaks: list[tuple[int, int, str]] = []
    found = scan_phones(folded, masked=True)
    if sum(map(folded.count, "0123456789")) >= _MOBILE_DIGITS:
        # Mobiles whose groups other separators join, mask characters included (1391*234*5678): the
        # masked scan reads a star as a digit slot and misses them.
        _wide_mobiles(folded, found)
    for phone in found:
        hidden = phone.hidden
        if hidden >= MIN_HIDDEN_DIGITS:
            continue
        kind = "mobile" if phone.kind == "mobile" else "landline"
        leaks.append((phone.start, phone.end, f"{kind}_unmasked" if hidden == 0 else f"{kind}_undermasked"))
    return leaks
