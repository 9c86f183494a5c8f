"""Text folding: the one normalisation every PII parser, the detector and the label gate match against.

People (and people hiding data from filters) write the same number or name in many spellings: full-width
digits (１３８), traditional characters (張偉, 廣東省), compatibility ideographs and radical look-alikes
(⻢ for 马), circled or other Unicode digits (①③⑧, ❶, ١), Chinese numerals (一三八, 壹叁捌, 幺三八, 〇),
and any separator between the digits (138.0013.8000, 138_0013_8000, (138)0013-8000, 138·0013·8000).
Patterns in this package are written once, for the folded form; :func:`fold` produces that form and
keeps a map back to the text as given, so findings can be reported and masked in the original.

API (stable; other modules build on it)::

    fold(text: str) -> Folded       (a NamedTuple)
    fold_text(text: str) -> str      fold(text).text, cheaper when no offsets are needed
    Folded.text                      the folded string
    Folded.original                  the text as given
    Folded.offsets                   None when folded index i is original index i (same length), else a
                                     list: offsets[i] = index in ``original`` of the character that
                                     produced folded character i (non-decreasing)
    Folded.origin(i) -> int          original index of folded index i
    Folded.span(start, end)          original [start, end) covering folded [start, end)
    to_halfwidth(text) -> str        the cheap length-keeping part alone (full-width ASCII, ideographic
                                     space, dashes), for parsers of single form fields
    DIGIT_SEPARATORS                 the separators that may stand between digits in folded text:
                                     ``" \\t._-/()[]"``; recognisers accept them, fold never deletes them
                                     (a dot in "1.2kg" stays a dot), it only maps look-alikes to them
    SEP                              the regex class of DIGIT_SEPARATORS
    DIGIT_GAP                        regex of what may stand between two digits of one number: a closing
                                     bracket, up to three separators, an opening bracket ("(138) - 0013")

What folding does, in order:

1. Characters outside ASCII and the common CJK/punctuation blocks go one by one through: drop format
   characters (zero-width spaces, soft hyphens, bidi controls, BOM) and variation selectors; NFKC
   (compatibility ideographs, Kangxi radicals, circled and full-width digits, ㎏ -> kg); other decimal digits
   (Arabic-Indic, dingbat circles) to ASCII through ``unicodedata``; CJK Radicals Supplement look-alikes of
   whole characters (⻢ -> 马, ⻄ -> 西: Unicode's EquivalentUnifiedIdeograph.txt) to the ideograph.
   Only this step may change the length (expansions, drops): ``offsets`` then records it.
2. Full-width ASCII, the ideographic space and dash variants to ASCII (one to one).
3. Traditional to simplified with OpenCC's t2s conversion (the ``opencc`` package, BYVoid's official
   binding, which ships OpenCC's dictionaries): phrase-aware, so 乾隆 stays 乾隆 while 乾燥 becomes 干燥.
   If a phrase conversion ever changed the length, OpenCC's single-character table (t2s applied to each
   character alone) is used instead, so positions always stay aligned.
4. Chinese numerals (一二三, 壹贰叁, 〇零, 幺, Hangzhou 〡〢〣) become ASCII digits, only inside digit runs:
   digit-like characters (numerals or ASCII digits) joined by DIGIT_GAP or its look-alikes, holding at least
   three digit-like characters if some are ASCII digits, seven if all are numerals (五一一路, 八一二路 and
   七七八八 are names and idioms); the radio numerals of spoken digits (洞 0, 两 2, 拐 7, 勾 9; 幺 1
   above) and the white circle ○ typed for 〇 count as numerals too, but the radio ones fold only in runs
   of seven or more (拐角, 两个, 1洞2 stay words); a numeral alone in its group (no digit-like neighbour)
   is folded only when the run holds seven or more, as numbers read digit by digit do. So 一起, 三楼,
   十二三 and 第一 stay words; 1三8〇〇1三8〇〇〇 and 幺三八 零零幺三 八零零零 become numbers. 十/百/千
   never fold: they are quantities, not digits. Separator look-alikes inside a run (·, •, ‧, 【】,
   〔〕) become . [ ].
   Two cases are read as words or dashes instead, unless the run has the shape of a mobile number
   (eleven digit-like characters, the first a 1, maybe after 86 or 0086), which always folds whole:
   一 or ○ standing alone between groups of two or more ASCII digits, with no other numeral in the run, is
   the dash people type on a Chinese keyboard (0371一3338一9767 -> 0371-3338-9767; 1391○234○5678 where the
   digits without the ○ have a mobile's shape, else ○ is a zero); and a
   run whose only numeral is at its edge keeps it unless it is 〇 or ○ (12一起, 陆13800138000, 史娜一0371: a
   word or a name beside a number).

5. A Latin O typed for a zero inside a digit run (138OO138OOO) becomes 0, in ASCII text too, when the run
   has the shape of a mobile or holds seven or more digit-like characters, one of them a digit or
   numeral, and no letter is glued to it (a code such as PO1234567 or 1O2B keeps its letters; a run of
   a mobile's shape folds even so, and an ID's check character X may follow). This runs before step 4,
   so 一三〇〇O〇... is one run there.

Folding is idempotent and never moves a character of the original out of order. Simplified text with
nothing to fold (what order forms nearly always hold) costs one class scan and step 4's guard; other
text costs one regex scan per step.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import NamedTuple

import opencc

__all__ = ["DIGIT_GAP", "DIGIT_SEPARATORS", "NUMERALS", "SEP", "Folded", "fold", "fold_text", "to_halfwidth"]

DIGIT_SEPARATORS = " \t._-/()[]"
SEP = r"[ \t._\-/()\[\]]"
# What may stand between two digits of one number: at most a closing bracket, three separators and an
# opening bracket, "(138) - 0013". Recognisers build their patterns with it, so all agree on one shape.
DIGIT_GAP = r"(?:[)\]]?[ \t._\-/]{0,3}[(\[]?)"

_FULLWIDTH_FIRST = 0xFF01  # ！
_FULLWIDTH_LAST = 0xFF5E  # ～
_FULLWIDTH_SHIFT = 0xFEE0
_IDEOGRAPHIC_SPACE = 0x3000
# Dashes people paste into phone numbers ("138—1234—5678", "010–12345678").
_DASHES = (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63)
_NEEDS_HALFWIDTH = re.compile("[\uff01-\uff5e\u3000\u2010-\u2015\u2212\ufe58\ufe63]+")

# Characters that fold to themselves or through the one-to-one halfwidth table (steps 2-4 handle them);
# anything else takes the per-character path of step 1.
_SAFE = (
    "\x00-\x7f\u00b7\u00d7\u00f7\u2010-\u2016\u2018-\u2023\u2027\u2030-\u2032\u2035-\u203b"
    "\u3000-\u3035\u3037\u303b-\u303f\u4e00-\u9fff\uff01-\uff5e"
)
_UNSAFE = re.compile(f"[^{_SAFE}]")

# CJK Radicals Supplement characters that stand for a whole character, with that character (the
# EquivalentUnifiedIdeograph.txt entries of the Unicode Character Database for these code points).
# Kangxi radicals (U+2F00-U+2FD5) need no table: NFKC maps them.
_RADICALS = dict(
    zip(
        "⺁⺄⺊⺎⺐⺒⺓⺜⺝⺠⺧⺩⺬⺮⺷⺼⺽⻁⻄⻅⻆⻉⻋⻑⻓⻔⻗⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻱⻲",
        "厂乙卜兀尢巳幺日月民牛王示竹羊肉臼虎西见角贝车長长门雨青韦页风飞食马骨鬼鱼鸟卤麦黄黾齐齿龙龜亀",
        strict=True,
    )
)
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")

_NUMERALS = "〇零一二三四五六七八九幺壹贰叁参叄肆伍陆柒捌玖〡〢〣〤〥〦〧〨〩○洞两拐勾"
# Every character fold may read as a digit inside a digit run (the label gate's pre-check uses it).
NUMERALS = _NUMERALS
_NUMERAL_DIGITS = {
    ord(ch): digit for ch, digit in zip(_NUMERALS, "0012345678911233345678912345678900279", strict=True)
}
# Radio (spoken) digits that are everyday words too: folded only in runs of _MIN_SPELLED_RUN or more.
_RADIO_NUMERALS = frozenset("洞两拐勾")
# Single numerals typed for a dash or a bullet between digit groups (see _dashes_not_digits).
_DASH_NUMERALS = frozenset("一○")
# Step 5: a Latin O for a zero inside a run of digits, no letter glued to the run.
_LATIN_O_RUN = re.compile(
    f"[0-9Oo{_NUMERALS}]"
    r"(?:[)\]】〕〗]?[ \t._\-/·•‧∙⋅・]{0,3}[(\[【〔〖]?"
    f"[0-9Oo{_NUMERALS}])+"
)
_SEPARATOR_LOOKALIKES = {
    ord(ch): ord(to) for ch, to in zip("·•‧∙⋅・【〔〖】〕〗", "......[[[]]]", strict=True)
}
_DIGITISH = "0-9" + _NUMERALS
_DIGIT_CODES = frozenset(map(ord, "0123456789" + _NUMERALS))
_RUN_GAP = r"[)\]】〕〗]?[ \t._\-/·•‧∙⋅・]{0,3}[(\[【〔〖]?"
_RUN = re.compile(f"[{_DIGITISH}](?:{_RUN_GAP}[{_DIGITISH}])+")
_OPENING = "([【〔〖"
_CLOSING = re.compile(r"[)\]】〕〗]")
# Step 4 has work only where a numeral or a look-alike stands within a gap's reach of a digit-like
# character; finding the few such characters with one class scan is cheaper than a pattern with gaps.
_WORK_CHARS = re.compile(f"[{_NUMERALS}·•‧∙⋅・【〔〖】〕〗]")
_DIGITISH_CHARS = frozenset("0123456789" + _NUMERALS)
_GAP_REACH = 6
_O_GAP_CHARS = frozenset(" \t._-/·•‧∙⋅・()[]【】〔〕〖〗")
_MAX_O_GAP = 5
_GROUP = re.compile(f"[{_DIGITISH}]+")
_MIN_RUN = 3
_MIN_SPELLED_RUN = 7
_MOBILE_LENGTH = 11


@cache
def _halfwidth_table() -> dict[int, int]:
    table = {cp: cp - _FULLWIDTH_SHIFT for cp in range(_FULLWIDTH_FIRST, _FULLWIDTH_LAST + 1)}
    table[_IDEOGRAPHIC_SPACE] = ord(" ")
    for cp in _DASHES:
        table[cp] = ord("-")
    return table


def to_halfwidth(s: str) -> str:
    """Map full-width ASCII look-alikes, the ideographic space and dash variants to plain ASCII.

    One character in, one out, Han characters untouched: for parsers of a single form field that only
    need ASCII digits and punctuation. Matching free text against patterns needs :func:`fold`.
    """
    if s.isascii():
        return s
    # Translating only the runs that need it beats str.translate over the whole (mostly Han) text.
    return _NEEDS_HALFWIDTH.sub(_halfwidth_run, s)


def _halfwidth_run(match: re.Match[str]) -> str:
    return match.group().translate(_halfwidth_table())


class Folded(NamedTuple):
    """Folded text and where each of its characters came from (see the module docstring).

    A NamedTuple, not a dataclass: the detector and order parsing build one per text on hot paths.
    """

    text: str
    original: str
    offsets: list[int] | None = None

    def origin(self, index: int) -> int:
        """Index in ``original`` of the character that produced folded character ``index``."""
        return index if self.offsets is None else self.offsets[index]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The ``[start, end)`` of ``original`` that folded ``[start, end)`` came from.

        A folded span that starts or ends inside the expansion of one original character (⑩ -> 10)
        covers that whole character; characters dropped inside the span (zero-width spaces) are covered.
        """
        if self.offsets is None:
            return start, end
        if start >= end:
            position = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return position, position
        return self.offsets[start], self.offsets[end - 1] + 1


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    """Step 1 for one character outside the safe blocks: what it folds to (maybe nothing, maybe several)."""
    if unicodedata.category(ch) == "Cf" or _VARIATION_SELECTORS.match(ch):
        return ""
    radical = _RADICALS.get(ch)
    if radical is not None:
        return radical
    normal = unicodedata.normalize("NFKC", ch)
    if normal == ch:
        digit = unicodedata.digit(ch, None)
        if digit is not None:
            return str(digit)
        value = unicodedata.numeric(ch, None)
        if value is not None and unicodedata.category(ch) == "No" and value.is_integer() and 0 <= value <= 50:
            return str(int(value))
        return ch
    return "".join(_RADICALS.get(piece, piece) for piece in normal).translate(_halfwidth_table())


def _fold_rare(text: str, first: re.Match[str]) -> tuple[str, list[int] | None]:
    pieces: list[str] = []
    offsets: list[int] = []
    length_kept = True
    pos = 0
    match: re.Match[str] | None = first
    while match is not None:
        start = match.start()
        if start > pos:
            pieces.append(text[pos:start])
            offsets.extend(range(pos, start))
        piece = _fold_char(match.group())
        pieces.append(piece)
        if len(piece) != 1:
            length_kept = False
        offsets.extend([start] * len(piece))
        pos = match.end()
        match = _UNSAFE.search(text, pos)
    if pos < len(text):
        pieces.append(text[pos:])
        offsets.extend(range(pos, len(text)))
    return "".join(pieces), (None if length_kept else offsets)


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")  # loads OpenCC's dictionaries once, on first use


def _convert(text: str) -> str:
    result: str = _converter().convert(text)
    return result


@cache
def _t2s_chars() -> dict[int, str]:
    """OpenCC t2s applied to every CJK character alone, where that changes it to one character."""
    ranges = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0x20000, 0x2A6E0), (0x2A700, 0x2EBF0))
    chars = [chr(cp) for low, high in ranges for cp in range(low, high)]
    converted = _convert("\n".join(chars)).split("\n")
    return {ord(ch): to for ch, to in zip(chars, converted, strict=True) if to != ch and len(to) == 1}


@cache
def _traditional() -> re.Pattern[str]:
    """Characters t2s changes alone (BMP, one regex class) or any astral character: when to ask OpenCC."""
    bmp = "".join(re.escape(chr(cp)) for cp in sorted(_t2s_chars()) if cp < 0x10000)
    return re.compile(f"[{bmp}\U00010000-\U0010ffff]")


def _to_simplified(text: str) -> str:
    if _traditional().search(text) is None:
        return text
    converted = _convert(text)
    if len(converted) == len(text):
        return converted
    return text.translate(_t2s_chars())


def _arabic_around(run: str, index: int) -> tuple[int, int]:
    before = index
    while before > 0 and run[before - 1].isascii() and run[before - 1].isdigit():
        before -= 1
    after = index + 1
    while after < len(run) and run[after].isascii() and run[after].isdigit():
        after += 1
    return index - before, after - index - 1


def _dashes_not_digits(run: str, numerals: list[int]) -> bool:
    """一 typed for a dash: 0371一3338一9767 (only 一s, each between groups of two or more ASCII digits).

    A 一 before a number stays a character: in 史娜一0371 3338 9767 it ends the name 史娜一.
    """
    if any(run[i] not in _DASH_NUMERALS for i in numerals):
        return False
    for index in numerals:
        before, after = _arabic_around(run, index)
        if before < 2 or after < 2:
            return False
    # ○ is also typed for a zero (5402○21949...): a separator only where the digits without it are a mobile.
    return "○" not in run or _mobile_shaped(run.replace("○", ""))


def _mobile_shaped(run: str) -> bool:
    """Eleven digit-like characters starting with a 1, maybe after 86 or 0086: always a number."""
    digits = "".join(_NUMERAL_DIGITS.get(ord(ch), ch) for ch in run if ord(ch) in _DIGIT_CODES)
    for country_code in ("", "86", "0086"):
        if len(digits) == len(country_code) + _MOBILE_LENGTH and digits.startswith(country_code + "1"):
            return True
    return False


def _fold_run(run: str) -> str:
    groups = list(_GROUP.finditer(run))
    digitish = sum(len(g.group()) for g in groups)
    if digitish < _MIN_RUN:
        return run
    chars = list(run.translate(_SEPARATOR_LOOKALIKES))
    numerals = [i for i, ch in enumerate(run) if ord(ch) in _NUMERAL_DIGITS]
    if not numerals:
        return "".join(chars)
    if not _mobile_shaped(run):
        if _dashes_not_digits(run, numerals):
            for index in numerals:
                chars[index] = "-"
            return "".join(chars)
        edges = (groups[0].start(), groups[-1].end() - 1)
        if len(numerals) == 1 and numerals[0] in edges and run[numerals[0]] not in "〇○":
            return "".join(chars)  # 12一起, 陆13800138000: a word or surname beside a number
        if len(numerals) == digitish and digitish < _MIN_SPELLED_RUN:
            return "".join(chars)  # 五一一路, 八一二路, 七七八八: names and idioms, not numbers
    for group in groups:
        if len(group.group()) == 1 and digitish < _MIN_SPELLED_RUN:
            continue
        for index in range(group.start(), group.end()):
            if digitish < _MIN_SPELLED_RUN and chars[index] in _RADIO_NUMERALS:
                continue
            digit = _NUMERAL_DIGITS.get(ord(chars[index]))
            if digit is not None:
                chars[index] = digit
    return "".join(chars)


def _has_number_work(text: str) -> bool:
    for match in _WORK_CHARS.finditer(text):
        index = match.start()
        near = text[max(0, index - _GAP_REACH) : index] + text[index + 1 : index + 1 + _GAP_REACH]
        if not _DIGITISH_CHARS.isdisjoint(near):
            return True
    return False


def _fold_numbers(text: str) -> str:
    if not _has_number_work(text):
        return text
    pieces: list[str] = []
    pos = 0
    for match in _RUN.finditer(text):
        start, end = match.span()
        if start > 0 and text[start - 1] in _OPENING and _CLOSING.search(text, start, end):
            start -= 1  # a run may open with a bracket that closes inside it: 【1】3800138000
        elif match.group().isascii():
            continue
        run = text[start:end]
        folded = _fold_run(run)
        if folded != run:
            pieces += (text[pos:start], folded)
            pos = end
    if not pieces:
        return text
    pieces.append(text[pos:])
    return "".join(pieces)


def _latin_o_run(match: re.Match[str]) -> str:
    run = match.group()
    zeros = run.replace("O", "0").replace("o", "0")
    if _mobile_shaped(zeros):
        return zeros  # a mobile's shape settles it, even glued to a code (SKU1380O138OOO)
    start, end = match.span()
    text = match.string
    if (start and text[start - 1].isascii() and text[start - 1].isalpha()) or (
        end < len(text) and text[end].isascii() and text[end].isalpha() and text[end] not in "Xx"
    ):  # an X after the run is a resident ID's check character, not a code's letter
        return run
    digits = sum(ord(ch) in _DIGIT_CODES for ch in run)
    if not digits or digits + run.count("O") + run.count("o") < _MIN_SPELLED_RUN:
        return run
    return zeros


def _o_near_digit(text: str) -> bool:
    """A cheap filter for step 5: some O or o has a digit-like character beside it, or a few separators
    away (the gaps step 5's run pattern allows)."""
    for letter in "Oo":
        index = text.find(letter)
        while index >= 0:
            for step in (-1, 1):
                at, skipped = index + step, 0
                while 0 <= at < len(text) and text[at] in _O_GAP_CHARS and skipped < _MAX_O_GAP:
                    at += step
                    skipped += 1
                if 0 <= at < len(text) and text[at] in _DIGITISH_CHARS:
                    return True
            index = text.find(letter, index + 1)
    return False


def _fold_latin_o(text: str) -> str:
    """Step 5 (see the module docstring); one class scan when no O touches a digit."""
    if not _o_near_digit(text):
        return text
    return _LATIN_O_RUN.sub(_latin_o_run, text)


def fold_text(text: str) -> str:
    """``fold(text).text``, for parsers of one form field that need no offsets."""
    if text.isascii():
        return _fold_latin_o(text)
    if _unchanged().fullmatch(text) is not None and not _has_number_work(text):
        return text  # simplified text with nothing to fold (see fold)
    half = to_halfwidth(text)  # full-width digits and punctuation alone: ASCII once mapped
    return _fold_latin_o(half) if half.isascii() else fold(text).text


def _class_of(codes: list[int]) -> str:
    """A regex character class body for the sorted code points ``codes``, as ranges."""
    parts: list[str] = []
    index = 0
    while index < len(codes):
        low = high = codes[index]
        while index + 1 < len(codes) and codes[index + 1] == high + 1:
            index += 1
            high = codes[index]
        parts.append(re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}")
        index += 1
    return "".join(parts)


@cache
def _unchanged() -> re.Pattern[str]:
    """Text that steps 1, 2, 3 and 5 leave as it is; ``fold`` returns it untouched when step 4 has no work
    in it either (``_has_number_work``, the step's own guard): two scans instead of five.

    Its characters: ASCII but the letter O (step 5), the main CJK block and the CJK punctuation block, less
    every character those steps change or look for: traditional characters that t2s changes alone (step 3:
    with none of them in the text OpenCC is never asked), full-width forms and the ideographic space (step
    2), and anything step 1 maps. Simplified Han text with ASCII digits and punctuation, what order forms
    nearly always hold, qualifies.
    """
    halfwidth = _halfwidth_table()
    traditional = _t2s_chars()
    work = {ord("O"), ord("o")}
    candidates = [*range(0x80), *range(0x3000, 0x3040), *range(0x4E00, 0xA000)]
    kept = [
        cp
        for cp in candidates
        if cp not in halfwidth and cp not in traditional and cp not in work and not _UNSAFE.match(chr(cp))
    ]
    return re.compile(f"[{_class_of(kept)}]*")


def fold(text: str) -> Folded:
    """Fold ``text`` for matching (see the module docstring); positions map back with ``span``."""
    if text.isascii():
        return Folded(_fold_latin_o(text), text)
    if _unchanged().fullmatch(text) is not None and not _has_number_work(text):
        return Folded(text, text)
    return _fold_steps(text)


def _fold_steps(text: str) -> Folded:
    """Steps 1 to 5 for text that is not ASCII, without the shortcut for text none of them changes."""
    offsets: list[int] | None = None
    first = _UNSAFE.search(text)
    folded = text
    if first is not None:
        folded, offsets = _fold_rare(text, first)
    folded = to_halfwidth(folded)
    folded = _to_simplified(folded)
    folded = _fold_numbers(_fold_latin_o(folded))
    return Folded(folded, text, offsets)
