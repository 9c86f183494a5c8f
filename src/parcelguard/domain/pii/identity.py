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
* Unified social credit codes (GB 32100) stand alone when they hold a letter (one random 18-character
  code in 31 passes the check); an all-digit one needs its cue (统一社会信用代码, 税号 ...).

Numbers are matched in folded text (:mod:`parcelguard.domain.pii.fold`) as runs of letters and digits
joined by the separators of :data:`~parcelguard.domain.pii.id_type.GAP`, the same spellings the parser
accepts. A number must start and end on a token boundary: it may not continue a code glued to it by a
dash or a dot (``A12-110105...``), and letters glued in front must be a label (``ID``, ``No``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple, Self

from parcelguard.domain.pii._errors import invalid
from parcelguard.domain.pii.id_type import GAP, IdType, compact_document_number
from parcelguard.domain.pii.resident_id import (
    ResidentId,
    compute_check_char,
    gb11643_kind,
    legacy_kind,
)
from parcelguard.domain.pii.uscc import USCC_ALPHABET, uscc_problem
from parcelguard.errors import ErrorCode, ValidationError

__all__ = [
    "IDENTITY_RULES",
    "IdentityMatch",
    "IdentityNumber",
    "find_identity_numbers",
    "identity_leaks",
    "mask_document_number",
]

_FIELD = "id_number"
_GB11643_TYPES = frozenset(
    {IdType.RESIDENT_ID, IdType.FOREIGN_PERMANENT_ID, IdType.HK_MACAU_RESIDENCE, IdType.TAIWAN_RESIDENCE}
)
_KIND_NAMES = {
    IdType.RESIDENT_ID: "a resident ID number",
    IdType.FOREIGN_PERMANENT_ID: "a foreigner's permanent residence ID number",
    IdType.HK_MACAU_RESIDENCE: "a Hong Kong/Macao residents' residence permit number",
    IdType.TAIWAN_RESIDENCE: "a Taiwan residents' residence permit number",
    IdType.PASSPORT: "a passport number",
    IdType.HK_MACAU_TRAVEL: "a Hong Kong/Macao residents' travel permit number",
    IdType.TAIWAN_TRAVEL: "a Taiwan residents' travel permit number",
    IdType.USCC: "a unified social credit code",
}
IDENTITY_RULES: dict[str, str] = {kind.value: f"{name} is shown" for kind, name in _KIND_NAMES.items()}
"""The label gate's rule names (the ``id_type`` values) and their fixed messages."""

_CHINESE_PASSPORT = re.compile(r"E[0-9]{8}|G[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}")
_PASSPORT = re.compile(r"[A-Z0-9]{6,9}")
_MIN_PASSPORT_DIGITS = 5
_HK_MACAU_TRAVEL = re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?")
_TAIWAN_TRAVEL = re.compile(r"[0-9]{8}(?:[0-9]{2})?")


# -- one number of a known type ------------------------------------------------------------------------


def _document_problem(id_type: IdType, code: str) -> str | None:
    """Why ``code`` (compact, upper case) is not a number of ``id_type``; None when it is one."""
    if id_type is IdType.PASSPORT:
        if _PASSPORT.fullmatch(code) is None or sum(ch.isdigit() for ch in code) < _MIN_PASSPORT_DIGITS:
            return "must be 6 to 9 letters and digits, at least 5 of them digits"
        return None
    if id_type is IdType.HK_MACAU_TRAVEL:
        return None if _HK_MACAU_TRAVEL.fullmatch(code) else "must be H or M and 8 or 10 digits"
    if id_type is IdType.TAIWAN_TRAVEL:
        return None if _TAIWAN_TRAVEL.fullmatch(code) else "must be 8 or 10 digits"
    if id_type is IdType.USCC:
        return uscc_problem(code)
    return "is not a document number"  # pragma: no cover - GB 11643 types are parsed by ResidentId


@dataclass(frozen=True, slots=True)
class IdentityNumber:
    """A valid number of one identity document; ``value`` is compact and upper case.

    Never printed (快递暂行条例 Art. 22): screens show :meth:`masked`, storage holds ciphertext, lookups use
    a blind index of :attr:`index_value`.
    """

    id_type: IdType
    value: str

    @classmethod
    def parse(cls, id_type: str, raw: str, *, today: date | None = None) -> Self:
        """Validate ``raw`` as a number of ``id_type`` (one of ``ID_TYPES``).

        Separators, full-width characters and lower case are accepted (``compact_document_number``).
        GB 11643 numbers must also be of the document named: a Hong Kong residence permit number given as
        a ``resident_id`` is refused with a reason naming the right ``id_type``. Raises ValidationError:
        INVALID_ID_TYPE for an unknown type, INVALID_RESIDENT_ID for a bad ``resident_id`` number,
        INVALID_ID_NUMBER for any other bad number; messages never hold the value.
        """
        try:
            kind = IdType(id_type)
        except ValueError:
            raise invalid(
                ErrorCode.INVALID_ID_TYPE, "id_type", "is not a known identity document type"
            ) from None
        code = ErrorCode.INVALID_RESIDENT_ID if kind is IdType.RESIDENT_ID else ErrorCode.INVALID_ID_NUMBER
        if not raw.strip():
            raise invalid(code, _FIELD, "is empty")
        if kind in _GB11643_TYPES:
            try:
                number = ResidentId.parse(raw, today=today)
            except ValidationError as error:
                raise invalid(code, _FIELD, error.message.partition(": ")[2]) from None
            if number.kind is not kind:
                raise invalid(code, _FIELD, f"is {_KIND_NAMES[number.kind]}: use id_type {number.kind.value}")
            return cls(kind, number.value)
        compact = compact_document_number(raw)
        if compact is None:
            raise invalid(code, _FIELD, "may hold only letters, digits and separators")
        problem = _document_problem(kind, compact)
        if problem is not None:
            raise invalid(code, _FIELD, problem)
        return cls(kind, compact)

    @property
    def index_value(self) -> str:
        """The form the blind index hashes: the value, a legacy 15-digit ID upgraded to 18 characters."""
        if self.id_type is IdType.RESIDENT_ID and len(self.value) == 15:
            return ResidentId(self.value).upgraded
        return self.value

    def masked(self) -> str:
        """For screens only (never labels): see :func:`mask_document_number`."""
        return mask_document_number(self.value)

    def __repr__(self) -> str:
        return f"IdentityNumber({self.id_type.value}, {self.masked()!r})"


def mask_document_number(value: str) -> str:
    """The first and last characters, every other letter and digit a ``*``: at most 2 visible.

    The label gate treats more than two visible characters of a document number as a leak; separators
    are kept, so a grouped number stays readable (``1***** ******** ***X``).
    """
    positions = [i for i, ch in enumerate(value) if ch.isascii() and ch.isalnum()]
    if len(positions) <= 2:
        return "".join("*" if ch.isascii() and ch.isalnum() else ch for ch in value)
    keep = {positions[0], positions[-1]}
    return "".join(
        ch if i in keep or not (ch.isascii() and ch.isalnum()) else "*" for i, ch in enumerate(value)
    )


# -- free text -------------------------------------------------------------------------------------------


class IdentityMatch(NamedTuple):
    """A document number found in text: ``[start, end)``, its kind, whether its cue was in front, and the
    rule that found it (``gb11643``, ``gb11643.legacy``, ``gb11643.typo``, ``passport.cn``,
    ``passport.cued``, ``travel.hk_macau``, ``travel.taiwan``, ``uscc``; ``masked`` for the gate's
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
_MIN_LENGTH = min(_LENGTH_SET)
_MIN_DIGITS = _MIN_PASSPORT_DIGITS
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
}
_CUE = re.compile("|".join(f"(?P<{kind}>{words})" for kind, words in _CUE_WORDS.items()))
_ID_CUE, _PASSPORT_CUE, _USCC_CUE = "id", "passport", "uscc"
_SHORT_CUE = re.compile("|".join(_CUE_WORDS[kind] for kind in ("passport", "hk_macau", "taiwan", "travel")))
_HK_MACAU_CUE, _TAIWAN_CUE = frozenset({"hk_macau", "travel"}), frozenset({"taiwan", "travel"})
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


def _classify(text: str, start: int, code: str, gate: bool) -> tuple[IdType, bool, str] | None:
    """What the compact, upper-case ``code`` found at ``start`` is: (kind, cued, rule), or None."""
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
    if code[0] in "HM" and _HK_MACAU_TRAVEL.fullmatch(code) and _cued(text, start, _HK_MACAU_CUE):
        return IdType.HK_MACAU_TRAVEL, True, "travel.hk_macau"
    if code.isdigit() and _TAIWAN_TRAVEL.fullmatch(code) and _cued(text, start, _TAIWAN_CUE):
        return IdType.TAIWAN_TRAVEL, True, "travel.taiwan"
    if _CHINESE_PASSPORT.fullmatch(code):
        return IdType.PASSPORT, _cued(text, start, _PASSPORT_CUE), "passport.cn"
    if _document_problem(IdType.PASSPORT, code) is None and _cued(text, start, _PASSPORT_CUE):
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
    if length == 9 and _CHINESE_PASSPORT.fullmatch(plain):
        return IdType.PASSPORT
    if code[0] in "HM" and _HK_MACAU_TRAVEL.fullmatch(plain):
        return IdType.HK_MACAU_TRAVEL if _cued(text, start, _HK_MACAU_CUE) else None
    if _TAIWAN_TRAVEL.fullmatch(plain):
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


def _judge_run(text: str, tokens: list[tuple[int, int]], gate: bool, found: list[IdentityMatch]) -> None:
    """Every document number in one run (its tokens' spans), longest first at each allowed start."""
    starts, ends, cuts = _boundaries(text, tokens)
    if len(tokens) == 1:
        compact = text[tokens[0][0] : tokens[0][1]].upper()
        positions: list[int] | None = None
    else:
        compact = "".join(text[a:b] for a, b in tokens).upper()
        positions = [i for a, b in tokens for i in range(a, b)]
    done = 0
    for s in sorted(starts):
        if s < done:
            continue
        for e in sorted((e for e in ends if e - s in _LENGTH_SET), reverse=True):
            code = compact[s:e]
            begin = starts[s]
            finish = tokens[0][0] + e if positions is None else positions[e - 1] + 1
            if "*" in code:
                kind = _classify_masked(text, begin, code, [c - s for c in cuts if s < c < e])
                if kind is None:
                    continue
                found.append(IdentityMatch(begin, finish, kind, False, "masked"))
            else:
                judged = _classify(text, begin, code, gate)
                if judged is None:
                    continue
                found.append(IdentityMatch(begin, finish, *judged))
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
        if _GAP_RE.search(value) is None:
            if value.isdigit() and b - a not in _DIGIT_LENGTHS:
                continue  # an 11-digit phone, a 12-digit order number: no document is all digits this long
            tokens = [(a, b)]
        else:
            tokens = _useful_tokens(text, [t.span() for t in _TOKEN.finditer(text, a, b)], slots)
        _judge_run(text, tokens, gate, found)
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
