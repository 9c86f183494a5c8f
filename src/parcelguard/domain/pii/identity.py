"""Identity documents: one parser, one mask and one free-text recogniser for every ``id_type``.

Order intake (:meth:`IdentityNumber.parse`), the free-text detector (``domain/deid/cn_id.py`` and
``passport.py`` wrap :func:`find_identity_numbers`), the label gate (:func:`identity_leaks`) and the
anonymize operators all go through here, so a number one of them accepts the others recognise.

Which shapes stand alone and which need a word in front (a cue):

* GB 11643 numbers (resident ID, residence permits 81/82/83, foreigners' permanent residence ID 9...):
  the code prefix, a real birth date and the check character let through about one random 18-digit
  string in three thousand, so they stand alone. The 15-digit pre-1999 numbers have no check digit but
  a province code and a date. The gate also refuses an 18-digit number with a wrong check character
  (a mistyped ID is still someone's ID); the detector wants an ID cue for that.
* Chinese passports (``E``/``G`` + 8 digits, ``E`` + letter + 7 digits) stand alone; any other
  passport number (6 to 9 letters and digits, at least 5 digits) needs 护照/passport in front.
* The travel permits of Hong Kong/Macao residents (回乡证: ``H``/``M`` + 8 or 10 digits) and of Taiwan
  residents (台胞证: 8 or 10 digits) look like product codes and counts, so they need their cue.
* The mainland residents' exit-entry permit for Hong Kong and Macao (往来港澳通行证, card version:
  ``C`` + 8 digits or ``C`` + a letter + 7 digits) needs a permit or passport cue; it is a travel
  document (``passport``).
* The identity cards of Taiwan (a letter, 1 or 2, 7 digits and a check digit), Hong Kong (HKID: 1 or 2
  letters, 6 digits and a mod-11 check character, written in brackets) and Macao (BIR: 1, 5 or 7, 6
  digits and a bracketed check digit) look like codes and counts, so they need an identity-card cue
  (身份证, 身分證, HKID ...); the Macao card also its region. They are ``resident_id`` numbers (a region's
  resident identity card). A Taiwan or Hong Kong number with a wrong check character is still found
  after its cue (a mistyped ID is still someone's ID): rules ``taiwan_id.typo``, ``hkid.typo``.
* Unified social credit codes (GB 32100) stand alone when they hold a letter (one random 18-character
  code in 31 passes the check); an all-digit one needs its cue (统一社会信用代码, 税号 ...).

Numbers are matched in folded text (:mod:`parcelguard.domain.pii.fold`) as runs of letters and digits
joined by the separators of :data:`~parcelguard.domain.pii.id_type.GAP`, the same spellings the parser
accepts. A number must start and end on a token boundary: it may not continue a code glued to it by a
dash or a dot (``A12-110105...``), and letters glued in front must be a label (``ID``, ``No``).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from parcelguard.domain.pii.id_type import GAP, IdType
from parcelguard.domain.pii.identity_number import (
    CHINESE_PASSPORT,
    HK_MACAU_TRAVEL,
    KIND_NAMES,
    MIN_PASSPORT_DIGITS,
    TAIWAN_TRAVEL,
    IdentityNumber,
    document_problem,
    mask_document_number,
)
from parcelguard.domain.pii.resident_id import compute_check_char, gb11643_kind, legacy_kind
from parcelguard.domain.pii.uscc import USCC_ALPHABET, uscc_problem

__all__ = [
    "IDENTITY_RULES",
    "IdentityMatch",
    "IdentityNumber",
    "find_identity_numbers",
    "hkid_check_ok",
    "identity_leaks",
    "mask_document_number",
    "taiwan_id_check_ok",
]

IDENTITY_RULES: dict[str, str] = {kind.value: f"{name} is shown" for kind, name in KIND_NAMES.items()}
"""The label gate's rule names (the ``id_type`` values) and their fixed messages."""


# -- free text -------------------------------------------------------------------------------------------


class IdentityMatch(NamedTuple):
    """A document number found in text: ``[start, end)``, its kind, whether a cue of its kind was in front
    (looked for only where it counts: numbers that need one, 15-digit IDs, Chinese passports), and the
    rule that found it (``gb11643``, ``gb11643.legacy``, ``gb11643.typo``, ``passport.cn``,
    ``passport.cued``, ``travel.hk_macau``, ``travel.taiwan``, ``travel.exit_hk_macau``, ``taiwan_id``,
    ``hkid``, ``macau_id`` (and ``.typo`` of the first two), ``uscc``; ``masked`` for the gate's
    partly masked numbers)."""

    start: int
    end: int
    kind: IdType
    cued: bool
    rule: str


_RUN = re.compile(rf"[0-9A-Za-z]+(?:{GAP}[0-9A-Za-z]+)*")
_SLOT_RUN = re.compile(rf"[0-9A-Za-z*]+(?:{GAP}[0-9A-Za-z*]+)*")
_TOKEN = re.compile(r"[0-9A-Za-z*]+")
_SPACE = re.compile(r"\s")
_LEADING_LETTERS = re.compile(r"[A-Za-z]+")
_LABEL_WORDS = frozenset({"ID", "IDNO", "NO", "NR", "NUM", "NUMBER", "CARD", "PASSPORT", "USCC", "TEL"})
_LENGTH_SET = frozenset({18, 15, 11, 10, 9, 8, 7, 6})
# The lengths of the shapes that stand alone (GB 11643, credit codes, legacy IDs, Chinese passports): the
# only ones worth trying in a text without a passport or travel permit cue.
_UNCUED_LENGTHS = frozenset({18, 15, 9})
_MIN_LENGTH = min(_LENGTH_SET)
_MIN_DIGITS = MIN_PASSPORT_DIGITS
_MIN_LEGACY_DIGITS = 15
_MAX_LEAD = 2  # letters before the first digit of a document at most (EA1234567, a credit code's 2)
_MAX_TAIL = 10  # characters of a credit code after its last digit at most (organisation code and check)
_MIN_LONE_CODE_DIGITS = 6
_LETTER = re.compile("[A-Za-z]")
# "holds at least N digits (or masked slots)" for N = _MIN_DIGITS, _MIN_LEGACY_DIGITS, _MIN_LONE_CODE_DIGITS.
_ENOUGH_DIGITS = tuple(
    re.compile(f"(?:[^0-9]*[0-9]){{{n}}}") for n in (_MIN_DIGITS, _MIN_LEGACY_DIGITS, _MIN_LONE_CODE_DIGITS)
)
_ENOUGH_SLOTS = tuple(
    re.compile(f"(?:[^0-9*]*[0-9*]){{{n}}}") for n in (_MIN_DIGITS, _MIN_LEGACY_DIGITS, _MIN_LONE_CODE_DIGITS)
)
_DIGIT_LENGTHS = frozenset({18, 15, 10, 9, 8, 7, 6})  # all-digit numbers: GB 11643, permits, passports
_DIGIT_CHARS = "0123456789"
_SLOT_CHARS = "0123456789*"
_GAP_RE = re.compile(GAP)
_MASKS = str.maketrans("●×", "**")
_FIRST_YEAR, _LAST_YEAR = 1900, 2039
_CUE_WINDOW = 20

# Cue words, lower case (the text before a number is lower-cased before the search), one named group per
# kind; ``travel`` (通行证, travel permit) serves both travel permits.
_CUE_WORDS = {
    "id": "身份证|证件|身份号|公民身份|居民身份|居住证|永久居留|永居|证号|id ?card|id ?no|identity",
    "passport": "护照|passport|旅行证件",
    "hk_macau": "回乡证|回鄉證|来往内地|港澳居民",
    "taiwan": "台胞证|台胞|来往大陆|台湾居民|mtp|compatriot",
    "travel": "通行证|home ?return|travel permit",
    "uscc": "信用代码|社会信用|税号|纳税人识别号|营业执照|uscc|credit code|tax id",
    "macau_id": "澳门身份证|澳門身份證|澳门居民身份证|澳門居民身份證|澳门永久性居民|macau id|macao id",
    "region_id": "身分证|身分證|身份證|hkid|hong kong id|香港永久性居民|taiwan id|国民身分|國民身分",
}
_CUE = re.compile("|".join(f"(?P<{kind}>{words})" for kind, words in _CUE_WORDS.items()))
_ID_CUE, _PASSPORT_CUE, _USCC_CUE = "id", "passport", "uscc"
_SHORT_CUE = re.compile(
    "|".join(
        _CUE_WORDS[kind] for kind in ("passport", "hk_macau", "taiwan", "travel", "macau_id", "region_id")
    )
    + "|身份证"
)
_HK_MACAU_CUE, _TAIWAN_CUE = frozenset({"hk_macau", "travel"}), frozenset({"taiwan", "travel"})
_EXIT_PERMIT_CUE = frozenset({"hk_macau", "travel", "passport"})
_REGION_ID_CUE = frozenset({"id", "region_id", "macau_id"})
_MACAU_ID_CUE = "macau_id"
# Mainland residents' exit-entry permit for Hong Kong and Macao (往来港澳通行证), card version (2014-).
_EXIT_PERMIT = re.compile(r"C[0-9]{8}|C[A-HJ-NP-Z][0-9]{7}")
_TAIWAN_ID = re.compile(r"[A-Z][12][0-9]{8}")
_HKID = re.compile(r"[A-Z]{1,2}[0-9]{6}[0-9A]")
_MACAU_ID = re.compile(r"[157][0-9]{7}")
_BRACKETED_CHECK = ("hkid", "macau_id")
# Taiwan ID letters (A=10 ... Z=33, in the order the household registration offices were numbered).
_TAIWAN_LETTERS = {ch: 10 + i for i, ch in enumerate("ABCDEFGHJKLMNPQRSTUVXYWZIO")}
# Group boundaries a person writing a partly masked GB 11643 number may use (6-8-4, 4-4-4-4-2, 6-4-4-4,
# 3-3-4-4-4; 6-6-3 for 15 digits). A boundary elsewhere (a masked mobile then an extension, 11 + 4) is
# not an ID.
_ID_GROUPS = {18: frozenset({3, 4, 6, 8, 10, 12, 14, 16}), 15: frozenset({3, 6, 9, 12})}
_SLOTS_18 = frozenset("0123456789X*") | frozenset(USCC_ALPHABET)
_MAX_VISIBLE = 2


@lru_cache(maxsize=256)
def _cues_before(before: str) -> frozenset[str]:
    """The cue kinds in ``before`` (the text just in front of a number) with no digit after them."""
    last: dict[str, int] = {}
    for match in _CUE.finditer(before.lower()):
        last[match.lastgroup or ""] = match.end()
    return frozenset(kind for kind, end in last.items() if not any(ch.isdigit() for ch in before[end:]))


def _cued(text: str, start: int, kinds: str | frozenset[str]) -> bool:
    """True when a cue of ``kinds`` occurs in the few characters before ``start`` with no digit after it."""
    found = _cues_before(text[max(0, start - _CUE_WINDOW) : start])
    return (kinds in found) if isinstance(kinds, str) else not kinds.isdisjoint(found)


def _real_date(year: int, month: int, day: int) -> bool:
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _gb11643(code: str) -> tuple[IdType, bool] | None:
    """(kind, check character right) for an 18-character code with a known prefix and a birth date."""
    if not (code[:17].isdigit() and (code[17].isdigit() or code[17] == "X")):
        return None
    kind = gb11643_kind(code)
    if kind is None or not _real_date(int(code[6:10]), int(code[10:12]), int(code[12:14])):
        return None
    return kind, compute_check_char(code[:17]) == code[17]


def taiwan_id_check_ok(code: str) -> bool:
    """True when the Taiwan national ID ``code`` (letter, 1/2, 8 digits) has a right check digit.

    The letter's two-digit value weighs 1 and 9, the next eight digits 8 down to 1, the check digit 1;
    the sum is a multiple of 10 (內政部 國民身分證統一編號).
    """
    value = _TAIWAN_LETTERS[code[0]]
    total = (
        value // 10
        + (value % 10) * 9
        + sum(int(d) * w for d, w in zip(code[1:9], range(8, 0, -1), strict=True))
    )
    return (total + int(code[9])) % 10 == 0


def hkid_check_ok(code: str) -> bool:
    """True when the HKID ``code`` (1 or 2 letters, 6 digits, check character) has a right check.

    Letters count 10 (A) to 35 (Z), a missing second letter 36; the 8 positions weigh 9 down to 2 and the
    check character (``A`` = 10) makes the sum a multiple of 11.
    """
    body = code[:-1].rjust(8)
    total = sum((36 if ch == " " else int(ch, 36)) * w for ch, w in zip(body, range(9, 1, -1), strict=True))
    check = 10 if code[-1] == "A" else int(code[-1])
    return (total + check) % 11 == 0


def _classify_region_id(text: str, start: int, code: str) -> tuple[IdType, bool, str] | None:
    """A Taiwan, Hong Kong or Macao identity card number after an identity-card cue, or None."""
    if not _cued(text, start, _REGION_ID_CUE):
        return None
    if _TAIWAN_ID.fullmatch(code):
        return IdType.RESIDENT_ID, True, "taiwan_id" if taiwan_id_check_ok(code) else "taiwan_id.typo"
    if _HKID.fullmatch(code) and not code.isdigit():
        return IdType.RESIDENT_ID, True, "hkid" if hkid_check_ok(code) else "hkid.typo"
    if _MACAU_ID.fullmatch(code) and _cued(text, start, _MACAU_ID_CUE):
        return IdType.RESIDENT_ID, True, "macau_id"
    return None


def _classify(
    text: str, start: int, code: str, gate: bool, short_cued: bool
) -> tuple[IdType, bool, str] | None:
    """What the compact, upper-case ``code`` found at ``start`` is: (kind, cued, rule), or None.

    ``short_cued`` says whether the text holds a passport or travel permit cue anywhere; without one
    only the shapes that stand alone can match, and their cue (never there) is not looked for.
    """
    length = len(code)
    if length == 18:
        found = _gb11643(code)
        if found is not None:
            kind, check_ok = found
            if check_ok:
                return kind, False, "gb11643"  # stands alone; whether it was cued does not matter
            if gate or _cued(text, start, _ID_CUE):
                return kind, not gate, "gb11643.typo"
        if uscc_problem(code) is None:
            cued = _cued(text, start, _USCC_CUE)
            if cued or not code.isdigit():
                return IdType.USCC, cued, "uscc"
        return None
    if length == 15:
        dated = code.isdigit() and _real_date(1900 + int(code[6:8]), int(code[8:10]), int(code[10:12]))
        if dated and legacy_kind(code) is not None:
            return IdType.RESIDENT_ID, _cued(text, start, _ID_CUE), "gb11643.legacy"
        return None
    if not short_cued:
        return (IdType.PASSPORT, False, "passport.cn") if CHINESE_PASSPORT.fullmatch(code) else None
    if code[0] in "HM" and HK_MACAU_TRAVEL.fullmatch(code) and _cued(text, start, _HK_MACAU_CUE):
        return IdType.HK_MACAU_TRAVEL, True, "travel.hk_macau"
    if code.isdigit() and TAIWAN_TRAVEL.fullmatch(code) and _cued(text, start, _TAIWAN_CUE):
        return IdType.TAIWAN_TRAVEL, True, "travel.taiwan"
    if code[0] == "C" and _EXIT_PERMIT.fullmatch(code) and _cued(text, start, _EXIT_PERMIT_CUE):
        return IdType.PASSPORT, True, "travel.exit_hk_macau"
    if length in (8, 9, 10):
        region = _classify_region_id(text, start, code)
        if region is not None:
            return region
    if CHINESE_PASSPORT.fullmatch(code):
        return IdType.PASSPORT, _cued(text, start, _PASSPORT_CUE), "passport.cn"
    if document_problem(IdType.PASSPORT, code) is None and _cued(text, start, _PASSPORT_CUE):
        return IdType.PASSPORT, True, "passport.cued"
    return None


def _classify_masked(text: str, start: int, code: str, cuts: list[int]) -> IdType | None:
    """The kind of a partly masked number (``*`` slots) that shows more than two characters, or None."""
    length = len(code)
    if length - code.count("*") <= _MAX_VISIBLE:
        return None
    if length in _ID_GROUPS and all(c in _ID_GROUPS[length] for c in cuts):
        slots = _SLOTS_18 if length == 18 else frozenset("0123456789*")
        if all(ch in slots for ch in code):
            return (
                IdType.USCC
                if length == 18 and any(ch in "ABCDEFGHJKLMNPQRTUWY" for ch in code)
                else (IdType.RESIDENT_ID)
            )
        return None
    plain = code.replace("*", "0")
    if length == 9 and CHINESE_PASSPORT.fullmatch(plain):
        return IdType.PASSPORT
    if code[0] in "HM" and HK_MACAU_TRAVEL.fullmatch(plain):
        return IdType.HK_MACAU_TRAVEL if _cued(text, start, _HK_MACAU_CUE) else None
    if TAIWAN_TRAVEL.fullmatch(plain):
        return IdType.TAIWAN_TRAVEL if _cued(text, start, _TAIWAN_CUE) else None
    return None


def _boundaries(text: str, tokens: list[tuple[int, int]]) -> tuple[dict[int, int], set[int], list[int]]:
    """For a run's tokens: allowed start offsets (compact index -> text index), allowed end offsets
    (compact), and the compact index of every token boundary."""
    if len(tokens) == 1:
        a, b = tokens[0]
        letters = _LEADING_LETTERS.match(text, a, b)
        starts = {0: a}
        if letters is not None and letters.end() < b and letters.group().upper() in _LABEL_WORDS:
            starts[letters.end() - a] = letters.end()
        return starts, {b - a}, []
    starts = {}
    ends: set[int] = set()
    cuts: list[int] = []
    length = 0
    for index, (a, b) in enumerate(tokens):
        token = text[a:b]
        gap_before = text[tokens[index - 1][1] : a] if index else ""
        previous = text[tokens[index - 1][0] : tokens[index - 1][1]] if index else ""
        if not index or _SPACE.search(gap_before) or previous.isalpha():
            starts[length] = a
        letters = _LEADING_LETTERS.match(token)
        if letters is not None and letters.end() < len(token) and letters.group().upper() in _LABEL_WORDS:
            starts[length + letters.end()] = a + letters.end()
        if index:
            cuts.append(length)
        length += b - a
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if (
            following is None
            or _SPACE.search(text[b : following[0]])
            or text[following[0] : following[1]].isalpha()
        ):
            ends.add(length)
    return starts, ends, cuts


def _add(
    text: str, begin: int, finish: int, judged: tuple[IdType, bool, str], found: list[IdentityMatch]
) -> None:
    if judged[2].startswith(_BRACKETED_CHECK) and text.startswith(")", finish):
        finish += 1  # the bracket around the check character belongs to the number
    found.append(IdentityMatch(begin, finish, *judged))


def _judge_run(
    text: str, tokens: list[tuple[int, int]], gate: bool, short_cued: bool, found: list[IdentityMatch]
) -> None:
    """Every document number in one run (its tokens' spans), longest first at each allowed start.

    ``short_cued``: the text holds a passport or travel permit cue (see :func:`_classify`); without one
    only the lengths of the shapes that stand alone are tried.
    """
    starts, ends, cuts = _boundaries(text, tokens)
    if len(tokens) == 1:
        compact = text[tokens[0][0] : tokens[0][1]].upper()
        positions: list[int] | None = None
    else:
        compact = "".join(text[a:b] for a, b in tokens).upper()
        positions = [i for a, b in tokens for i in range(a, b)]
    lengths = _LENGTH_SET if short_cued else _UNCUED_LENGTHS
    done = 0
    for s in sorted(starts):
        if s < done:
            continue
        for e in sorted((e for e in ends if e - s in lengths), reverse=True):
            code = compact[s:e]
            begin = starts[s]
            finish = tokens[0][0] + e if positions is None else positions[e - 1] + 1
            if "*" in code:
                kind = _classify_masked(text, begin, code, [c - s for c in cuts if s < c < e])
                if kind is None:
                    continue
                found.append(IdentityMatch(begin, finish, kind, False, "masked"))
            else:
                judged = _classify(text, begin, code, gate, short_cued)
                if judged is None:
                    continue
                _add(text, begin, finish, judged, found)
            done = e
            break


def _useful_tokens(text: str, tokens: list[tuple[int, int]], slots: str) -> list[tuple[int, int]]:
    """The tokens of a run that a document could span: a run of words (an English sentence) only matters
    around its numbers. A document starts with digits or at most 2 letters, and holds digits in its first
    8 characters, so it ends at most 10 characters after its last digit."""
    numeric = [i for i, (a, b) in enumerate(tokens) if any(ch in slots for ch in text[a:b])]
    first, last = numeric[0], numeric[-1]
    lead = 0
    while first and lead + tokens[first - 1][1] - tokens[first - 1][0] <= _MAX_LEAD:
        lead += tokens[first - 1][1] - tokens[first - 1][0]
        first -= 1
    stop, room = last + 1, _MAX_TAIL
    while stop < len(tokens) and room > 0:
        room -= tokens[stop][1] - tokens[stop][0]
        stop += 1
    return tokens[first:stop]


def _scan(text: str, gate: bool) -> list[IdentityMatch]:
    found: list[IdentityMatch] = []
    slots = _SLOT_CHARS if gate else _DIGIT_CHARS
    if sum(map(text.count, slots)) < _MIN_DIGITS:
        return found
    # Without a passport or travel permit cue in the text only the shapes that stand alone can match: 15
    # or 18 digits, or letters and at least 6 digits (a Chinese passport, a credit code). Most runs
    # (phones, dates, amounts) are ruled out here at the cost of one count.
    short_cued: bool | None = None
    enough = _ENOUGH_SLOTS if gate else _ENOUGH_DIGITS
    for run in (_SLOT_RUN if gate else _RUN).finditer(text):
        a, b = run.span()
        if b - a < _MIN_LENGTH:
            continue
        value = run.group()
        if enough[0].match(value) is None:
            continue
        if enough[1].match(value) is None and (
            enough[2].match(value) is None or _LETTER.search(value) is None
        ):
            if short_cued is None:
                short_cued = _SHORT_CUE.search(text.lower()) is not None
            if not short_cued:
                continue
        if short_cued is None:
            short_cued = _SHORT_CUE.search(text.lower()) is not None
        if _GAP_RE.search(value) is None:
            if value.isdigit() and b - a not in _DIGIT_LENGTHS:
                continue  # an 11-digit phone, a 12-digit order number: no document is all digits this long
            if value[0] in _DIGIT_CHARS and "*" not in value:
                # One token that starts with a digit has no label in front: the whole token is the only
                # number it can be (what _judge_run would find, without its bookkeeping).
                if b - a in (_LENGTH_SET if short_cued else _UNCUED_LENGTHS):
                    judged = _classify(text, a, value.upper(), gate, short_cued)
                    if judged is not None:
                        _add(text, a, b, judged, found)
                continue
            tokens = [(a, b)]
        else:
            tokens = _useful_tokens(text, [t.span() for t in _TOKEN.finditer(text, a, b)], slots)
        _judge_run(text, tokens, gate, short_cued, found)
    return found


def find_identity_numbers(text: str) -> list[IdentityMatch]:
    """Every identity document number in folded ``text`` (offsets into it), for the detector.

    Masked slots (``*``) end a number here: a masked number is no longer personal data to redact.
    """
    return _scan(text, gate=False)


def identity_leaks(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, rule)`` for every document number folded label ``text`` would show, for the gate.

    Finds what :func:`find_identity_numbers` finds, plus 18-digit GB 11643 numbers with a wrong check
    character, and partly masked numbers (``*``, ``●`` or ``×`` slots) that show more than two
    characters. ``rule`` is the document's ``id_type`` value (see :data:`IDENTITY_RULES`). Tracking
    numbers (letters glued to digits), dates, weights and routing codes are never document numbers: they
    are too short, glued to letters that are no label, or fail the shape and check rules.
    """
    return [(m.start, m.end, m.kind.value) for m in _scan(text.translate(_MASKS), gate=True)]
