"""An order's own personal values, found and masked wherever its free text repeats them.

Customers write the recipient into the parcel description (``给13912345678林晓彤的生日礼物``). The detector
guesses at unknown people; here nothing is guessed: the order itself says who its parties are, so every
occurrence of their names, mobiles, ID number and house number, building, unit and room in the description
or remarks is masked, however it is spelled (separators between digits, full-width or circled digits,
Chinese numerals 一三九 / 壹叁玖 / 幺, traditional characters, a minority name with or without its dot).
A Latin name is looked for part by part (Hannah, WHITFIELD, Mary-Jane's Jane, O'Neil as ONeil), in any case
and spelled out letter by letter (H a n n a h), as a word of its own; the address's building, unit, floor
and room in every spelling the address grammar (`address_grammar.HOUSEHOLD`, the parser of the order's own
address) reads: 21F, 21楼, 21层 and 二十一楼 are one floor, A栋 and a座 one building.

Masks keep the text's length and follow each value's own mask: a mobile keeps its first three and last two
digits (GB/T 41833-2022 hides at least six), a name keeps what `PersonName.masked` keeps, an ID number its
first and last characters, a Latin name part its first letter, and address numbers lose every digit (and a
building's letter).
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache, partial

from parcelguard.domain.order import Order, Party
from parcelguard.domain.pii.address import Household
from parcelguard.domain.pii.address_grammar import HOUSEHOLD
from parcelguard.domain.pii.fold import fold
from parcelguard.domain.pii.mobile import HIDDEN_DIGITS

_Readings = Callable[[list[str]], list[str]]
_AllReadings = Callable[[list[str]], list[list[str]]]
_pypinyin_lock = threading.Lock()


@cache
def _pypinyin() -> tuple[_Readings, _AllReadings]:
    """pypinyin's ``lazy_pinyin`` (each character's first reading) and its ``pinyin`` giving every reading
    (toneless, ``heteronym=True``), imported when a name's pinyin is first needed, not with this module:
    only a text holding a Latin letter can spell a name in pinyin (`may_hold_pinyin`), and a process whose
    texts hold none (most: 82 of the benchmark's 20,000 orders hold one) never pays pypinyin's 9 to 13 MiB
    (issue 9).

    Imported without its phrase dictionary (57 MiB of a process's memory; it reads words, and names are
    read a character at a time here, with `_SURNAME_READINGS` for surnames, every reading of a given name's
    characters looked for) and without the copy of its character dictionary (we never customise it):
    pypinyin's documented PYPINYIN_NO_PHRASES and PYPINYIN_NO_DICT_COPY, set for the import only and
    restored after it, under a lock (threads of a server may ask at once), so the environment children
    inherit is as it was. A process that imported pypinyin before keeps its copy."""
    names = ("PYPINYIN_NO_PHRASES", "PYPINYIN_NO_DICT_COPY")
    with _pypinyin_lock:
        saved = {name: os.environ.get(name) for name in names}
        try:
            for name in names:
                os.environ[name] = "1"
            from pypinyin import Style, lazy_pinyin, pinyin

            return lazy_pinyin, partial(pinyin, style=Style.NORMAL, heteronym=True)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _lazy_pinyin(chars: list[str]) -> list[str]:
    """pypinyin's first reading of each character."""
    return _pypinyin()[0](chars)


def _all_readings(chars: list[str]) -> list[list[str]]:
    """Every reading of each character (toneless, heteronyms)."""
    return _pypinyin()[1](chars)


__all__ = ["OwnValues", "mask_own_values", "may_hold_own_values", "may_hold_pinyin"]

# Characters that stand for a digit when people spell numbers out (phones are read digit by digit).
_CHINESE_DIGITS = {
    **dict.fromkeys("〇零", "0"),
    **dict.fromkeys("一壹幺", "1"),
    **dict.fromkeys("二贰两貳兩", "2"),
    **dict.fromkeys("三叁參", "3"),
    **dict.fromkeys("四肆", "4"),
    **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆陸", "6"),
    **dict.fromkeys("七柒", "7"),
    **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖", "9"),
}
# What may stand between two digits of one number: spaces, dots, dashes, slashes, brackets, underscores.
_SEPARATORS = frozenset(" \t.-_/\\()[]{}（）【】「」·\u3000\u00a0\u2010\u2011\u2012\u2013\u2014\u2212～~")
_MAX_GAP = 4
# Separators a minority name may be written with, or without.
_NAME_DOTS = "·.•・‧ ．"
_NAME_DOT_CHARS = frozenset(_NAME_DOTS)
# A room or house number of three digits or more is masked even without its suffix (501, 1203);
# a shorter one only with it (7栋, 3单元), since "2 件" and "5 kg" are not addresses.
_MIN_BARE_NUMBER = 3
# A run of 4 or more digits of an own mobile or ID number written as a number of its own (尾号5678 beside
# the masked 139******78) is masked whole; a document's letter prefix (H, E) is read apart from its digits.
_MIN_PIECE = 4
_MIN_CORE_DIGITS = 6
_PINYIN_FIRST = frozenset("abcdefghijklmnopqrstuvwxyz")
_BARE_NUMBER = re.compile(r"(?<![0-9])[0-9]+(?![0-9])")


@dataclass(frozen=True, slots=True)
class OwnValues:
    """What to look for: digit strings with the positions their mask hides, and name spellings with theirs.

    ``digits`` maps a folded digit string (``13912345678``) to the indexes (within it) that are masked;
    ``names`` maps a folded name spelling to the indexes masked.
    """

    digits: tuple[tuple[str, frozenset[int]], ...]
    names: tuple[tuple[str, frozenset[int]], ...]
    numbers: frozenset[str] = frozenset()
    tokens: tuple[str, ...] = ()
    pieces: tuple[tuple[str, int], ...] = ()
    """Where runs of 4+ digits of an own mobile or ID number come from: each digit run of those values with
    the length of its whole value (:meth:`is_piece`)."""
    pinyin: tuple[tuple[tuple[str, ...], int], ...] = ()
    """Han names as pinyin syllables, with how many (the surname's) stay visible: zhang wei, ZHANGWEI."""
    household: frozenset[tuple[str, str]] = frozenset()
    """The addresses' building, unit, floor and room as (kind, number): ``("floor", "21")`` for 21F, 21楼
    and 21层 alike, ``("building", "A")`` for A栋 and a座 (`_household_key`)."""
    latin: tuple[str, ...] = ()
    """The letters of each part of a Latin name (`_latin_parts`): hannah, whitfield; mary, jane."""

    def is_piece(self, run: str) -> bool:
        """Whether ``run`` is 4+ digits of an own mobile or ID number, short of the whole value (which keeps
        its own mask): masked whole where a digit run of the text is exactly one."""
        return len(run) >= _MIN_PIECE and any(
            len(run) < whole and run in digits for digits, whole in self.pieces
        )

    @classmethod
    def of(cls, order: Order, *, pinyin: bool = True) -> OwnValues:
        """The order's values; ``pinyin=False`` leaves out the pinyin spellings of Han names, which only a
        text holding a Latin letter can contain (see :func:`may_hold_pinyin`)."""
        sender, recipient = _party_values(order.sender), _party_values(order.recipient)
        number = order.sender_id.number.value.upper()
        digits = {**dict(sender.digits), **dict(recipient.digits)}
        digits[number] = frozenset(range(1, len(number) - 1))
        core = number.lstrip(_LETTERS)
        if core != number and len(core) >= _MIN_CORE_DIGITS and core.isdigit():
            # h12345678, H1234 5678: runs hold digits only, so the letter (any case) is read around it
            digits.setdefault(core, frozenset(range(len(core) - 1)))
        pieces = tuple(
            (run, len(whole))
            for whole in (number, order.sender.mobile.value, order.recipient.mobile.value)
            for run in _digit_only_runs(whole)
            if len(run) >= _MIN_PIECE
        )
        return cls(
            tuple(digits.items()),
            tuple({**dict(sender.names), **dict(recipient.names)}.items()),
            sender.numbers | recipient.numbers,
            tuple(sorted({*sender.tokens, *recipient.tokens})),
            pieces,
            _party_pinyin(order.sender) + _party_pinyin(order.recipient) if pinyin else (),
            sender.household | recipient.household,
            tuple(dict.fromkeys((*sender.latin, *recipient.latin))),
        )


def _digit_only_runs(value: str) -> list[str]:
    """The maximal runs of ``value`` whose characters are all digits (``str.isdigit``)."""
    runs: list[str] = []
    start = None
    for i, ch in enumerate(value):
        if ch.isdigit():
            if start is None:
                start = i
        elif start is not None:
            runs.append(value[start:i])
            start = None
    if start is not None:
        runs.append(value[start:])
    return runs


_PARTY_VALUES_CACHED = 256
"""Parties whose values are remembered: the repeats are a merchant's sender. Replaying the calls of 200,000
orders (merchant batches, benchmarks/bench_cli_issue.py's corpus): 43.2% hits at 256, as at 1,024, whose
entries held 1.1 MiB (issue 9)."""


@lru_cache(maxsize=_PARTY_VALUES_CACHED)
def _party_values(party: Party) -> OwnValues:
    """One party's values; cached, as a merchant's batch repeats its sender on every order."""
    digits = {party.mobile.value: frozenset(range(3, 3 + HIDDEN_DIGITS))}
    names: dict[str, frozenset[int]] = {}
    numbers: set[str] = set()
    tokens: set[str] = set()
    for token in _address_tokens(party):
        number = "".join(ch for ch in token if ch.isdigit())
        if not number:
            continue
        tokens.add(token)
        if len(number) >= _MIN_BARE_NUMBER:
            numbers.add(number)
    for spelling, hidden in _name_spellings(party):
        names.setdefault(spelling, hidden)
    return OwnValues(
        tuple(digits.items()),
        tuple(names.items()),
        frozenset(numbers),
        tuple(tokens),
        household=_household_keys(party.address.household),
        latin=_latin_parts(party.name.value) if party.name.script == "latin" else (),
    )


_HOUSEHOLD_KINDS = ("building", "unit", "floor", "room")
_HOUSEHOLD_NUMBER = re.compile(r"[A-Za-z]?[0-9]+[A-Za-z]?|[A-Za-z]")
_FLOOR_NUMBER = re.compile(r"[0-9]+")


@lru_cache(maxsize=256)
def _household_keys(household: Household) -> frozenset[tuple[str, str]]:
    """An address's building, unit, floor and room as `_household_key` reads them; cached, as a merchant's
    batch repeats its sender's address."""
    keys = (_household_key(kind, getattr(household, kind)) for kind in _HOUSEHOLD_KINDS)
    return frozenset(key for key in keys if key is not None)


def _household_key(kind: str, written: str | None) -> tuple[str, str] | None:
    """(kind, number) of a household part as `HOUSEHOLD` matched it, the same for every spelling the
    grammar accepts: the number without its word (A栋 and A座 are building ``A``; 21F, 21楼, 21层 and
    二十一楼 are floor ``21``), letters upper case, Chinese numerals as digits (`chinese_quantity`)."""
    if not written:
        return None
    numeral = _CHINESE_NUMBER.match(written)
    if numeral is not None:
        return kind, chinese_quantity(numeral.group())
    number = (_FLOOR_NUMBER if kind == "floor" else _HOUSEHOLD_NUMBER).match(written)
    return None if number is None else (kind, number.group().upper())


def _household_positions(text: str, household: frozenset[tuple[str, str]]) -> Iterator[int]:
    """Positions in ``text`` (folded) of the number of each building, unit, floor or room `HOUSEHOLD`
    finds there that is one of ``household`` (same kind, same number), however it is spelled."""
    for match in HOUSEHOLD.finditer(text):
        kind = match.lastgroup
        parts: list[tuple[str, tuple[int, int]]]
        if kind == "dash":  # 5-2-1201: building, unit, room; 12-301: building, room
            kinds = ("building", "unit", "room") if match.group("d3") else ("building", "room")
            parts = [
                (part, match.span(group)) for part, group in zip(kinds, ("d1", "d2", "d3"), strict=False)
            ]
        elif kind is not None:
            parts = [(kind, match.span(kind))]
        else:
            continue
        for part, (start, end) in parts:
            key = _household_key(part, text[start:end])
            if key is None or key not in household:
                continue
            numeral = _CHINESE_NUMBER.match(text, start, end)
            if numeral is None:
                numeral = (_FLOOR_NUMBER if part == "floor" else _HOUSEHOLD_NUMBER).match(text, start, end)
            if numeral is not None:
                yield from range(numeral.start(), numeral.end())


_MIN_LATIN_PART = 2
"""Letters a part of a Latin name needs to be looked for alone (Li, Wu, Ng are whole surnames; an initial
J. is not a name)."""
_LATIN_PARTICLES = frozenset(
    ("al", "bin", "bint", "da", "das", "de", "del", "della", "der", "di", "do", "dos", "du", "el", "ibn",
     "la", "le", "los", "mac", "san", "st", "van", "von", "y")
)  # fmt: skip
"""Parts looked for only within the whole name: particles that number among a language's common words (de,
la, van, do) and identify nobody alone."""
_LATIN_LETTER = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"


def _unmarked_table() -> dict[int, str]:
    """Latin letters with marks (é, ë, ü, å; U+00C0-U+024F) -> their base letter, one character for one, so
    positions in a text read through it are positions in the text."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        decomposed = unicodedata.normalize("NFD", chr(code))
        if len(decomposed) > 1 and all(unicodedata.combining(ch) for ch in decomposed[1:]):
            table[code] = decomposed[0]
    return table


_UNMARKED = _unmarked_table()
"""Zoë Müller is written Zoe Muller as often as not (and the other way round): Latin name parts are looked
for with the marks of both the name and the text set aside (`_latin_parts`, `_masked_positions`)."""


def _latin_parts(value: str) -> tuple[str, ...]:
    """The letters (casefolded, marks set aside: `_UNMARKED`) of each part of a Latin name to look for
    alone: each word, each part of a hyphenated word (Mary-Jane: mary-jane's letters, mary, jane), an
    apostrophe's sides (O'Neil: oneil, neil), at least `_MIN_LATIN_PART` letters, particles left out; and a
    name of several words written together in either order (hannahwhitfield, as in an e-mail address)."""
    parts: dict[str, None] = {}
    words = value.casefold().translate(_UNMARKED).split()
    for word in words:
        for piece in (word, *re.split(r"[-'.]", word)):
            letters = "".join(ch for ch in piece if ch not in "-'.")
            if len(letters) >= _MIN_LATIN_PART and letters not in _LATIN_PARTICLES:
                parts[letters] = None
    if len(words) > 1:
        for order in (words, words[::-1]):
            joined = "".join(ch for word in order for ch in word if ch not in "-'.")
            if len(joined) >= _MIN_LATIN_PART:
                parts[joined] = None
    return tuple(parts)


@lru_cache(maxsize=1024)
def _latin_part(letters: str) -> re.Pattern[str]:
    """``letters`` in any case as a word of its own (no Latin letter right before or after); a part of
    three letters or more also spelled out, with up to two blanks or marks between its letters (H a n n a h,
    O'Neil, O Neil). A two-letter part is looked for written together only: spaced out (S M, L i) two letters
    are sizes and initials as often as a name."""
    gap = r"(?:[^\w*]|_){0,2}" if len(letters) >= 3 else ""
    body = gap.join(f"({re.escape(ch)})" for ch in letters)
    return re.compile(rf"(?<![{_LATIN_LETTER}]){body}(?![{_LATIN_LETTER}])", re.IGNORECASE)


_Pinyin = tuple[tuple[tuple[str, ...], int], ...]


# Surnames whose reading as a surname is not their characters' first reading (曾 is ceng in 曾经, zeng as a
# surname), and compound surnames: pypinyin without its phrase dictionary reads a character at a time.
_SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    **{
        ch: (reading,)
        for ch, reading in (
            ("曾", "zeng"), ("单", "shan"), ("区", "ou"), ("仇", "qiu"), ("解", "xie"), ("查", "zha"),
            ("朴", "piao"), ("盖", "ge"), ("覃", "qin"), ("乐", "yue"), ("缪", "miao"), ("翟", "zhai"),
            ("种", "chong"), ("重", "chong"), ("秘", "bi"), ("繁", "po"), ("折", "she"), ("佴", "nai"),
            ("粘", "nian"), ("藏", "zang"), ("扎", "za"), ("都", "du"), ("六", "lu"), ("薄", "bo"),
            ("阚", "kan"), ("乜", "nie"), ("卜", "bu"), ("员", "yun"), ("句", "gou"), ("召", "shao"),
            ("隗", "wei"), ("能", "nai"), ("祭", "zhai"), ("蕃", "pi"), ("么", "yao"), ("尉", "wei"),
            ("华", "hua"), ("柏", "bai"), ("宿", "su"), ("沈", "shen"), ("叶", "ye"), ("陆", "lu"),
        )
    },
    # the compound surnames whose characters read otherwise (one character surnames 单, 乐 start names too)
    "尉迟": ("yu", "chi"), "万俟": ("mo", "qi"), "澹台": ("tan", "tai"),
}  # fmt: skip


_PARTY_PINYIN_CACHED = 64
"""Parties whose pinyin is remembered (asked only for texts holding a Latin letter): replaying the calls of
200,000 orders, 27.5% hits at 64, as at 1,024, whose entries held 1.1 MiB (issue 9)."""


@lru_cache(maxsize=_PARTY_PINYIN_CACHED)
def _party_pinyin(party: Party) -> _Pinyin:
    """A Han name's pinyin syllables and how many stay visible; apart from `_party_values` because it costs
    tens of microseconds a name and only a text holding a Latin letter needs it.

    Read a character at a time, the surname as a surname (`_SURNAME_READINGS`: 曾 zeng, 尉迟 yu chi); where
    that differs from its characters' first readings, both spellings are looked for. The given name is
    looked for in every reading of its characters (长江: zhang jiang and chang jiang), at most
    `_MAX_GIVEN_SPELLINGS` spellings, the first readings' one first."""
    name = party.name
    if name.script == "latin":
        return ()
    value = fold(name.value).text
    surname = value[:2] if value[:2] in _SURNAME_READINGS else value[:1]
    rests = _given_name_spellings(value[len(surname) :])
    readings = [_SURNAME_READINGS.get(surname), _syllables(surname)]
    spellings = dict.fromkeys(r + rest for r in readings if r is not None for rest in rests)
    visible = len(name.surname or "") or 1
    return tuple((syllables, visible) for syllables in spellings if len(syllables) >= 2)


_MAX_GIVEN_SPELLINGS = 16
"""Spellings of a given name looked for at most (most name characters have one reading, a few three)."""


def _given_name_spellings(text: str) -> list[tuple[str, ...]]:
    """The syllables of ``text`` in every combination of its characters' readings, the first readings'
    spelling (`_syllables`) first; characters without a reading left out."""
    chars = list(text)
    spellings: list[tuple[str, ...]] = [()]
    for first, every in zip(_lazy_pinyin(chars), _all_readings(chars), strict=True):
        readings = [r.casefold() for r in (first, *every) if r.isascii() and r.isalpha()]
        if readings:
            spellings = [(*s, r) for s in spellings for r in dict.fromkeys(readings)]
            del spellings[_MAX_GIVEN_SPELLINGS:]
    return spellings


def _syllables(text: str) -> tuple[str, ...]:
    """Each character's first reading (pypinyin's, casefolded), characters without one left out."""
    return tuple(s.casefold() for s in _lazy_pinyin(list(text)) if s.isascii() and s.isalpha())


def _address_tokens(party: Party) -> Iterator[str]:
    """The house number and each building, unit, floor and room number of the address, as parsed."""
    for part in party.address.household.values():
        if not part.isdigit() or len(part) >= _MIN_BARE_NUMBER:  # a bare 5 of 5-2-1201 would match anything
            yield part


def _name_spellings(party: Party) -> Iterator[tuple[str, frozenset[int]]]:
    name = party.name
    value = fold(name.value).text
    masked = name.masked()
    if len(masked) != len(name.value):
        hidden_full = frozenset(range(1, len(value)))
    else:
        hidden_full = frozenset(i for i, ch in enumerate(masked) if ch == "*")
    if name.script == "latin":
        yield value.casefold(), frozenset(i for i in hidden_full if value[i] != " ")
        return
    yield value, hidden_full
    if any(ch in _NAME_DOT_CHARS for ch in value):
        parts = [p for p in re.split(f"[{re.escape(_NAME_DOTS)}]", value) if p]
        for dot in ("·", ".", "•", "・", ""):
            spelling = dot.join(parts)
            yield (
                spelling,
                frozenset(i for i, ch in enumerate(spelling) if i > 0 and ch not in _NAME_DOT_CHARS),
            )
        # each part of at least two characters alone (the given name people use: 阿依努尔)
        for part in parts:
            if len(part) >= 2:
                yield part, frozenset(range(1, len(part)))
    elif name.surname and len(value) - len(name.surname) >= 2:
        given = value[len(name.surname) :]  # 晓彤 alone, as friends write it
        yield given, frozenset(range(len(given)))


def _digit(ch: str) -> str | None:
    if "0" <= ch <= "9":
        return ch
    value = _CHINESE_DIGITS.get(ch)
    if value is not None:
        return value
    if ch in "Xx":
        return "X"
    if ch.isdigit():
        return str(unicodedata.digit(ch, 0))
    return None


@lru_cache(maxsize=512)
def _symbol(ch: str) -> bool:
    """Punctuation, a symbol or a blank (，、:;|*+#=' ○): what else people put between digit groups."""
    return unicodedata.category(ch)[0] in "PSZ"


def _digit_runs(text: str) -> Iterator[tuple[str, list[int]]]:
    """Each run of digits (any script, separators allowed between them) and the index of every digit."""
    run: list[str] = []
    where: list[int] = []
    gap = 0
    for i, ch in enumerate(text):
        d = _digit(ch)
        if d is not None:
            run.append(d)
            where.append(i)
            gap = 0
        elif run and gap < _MAX_GAP and (ch in _SEPARATORS or _symbol(ch)):
            gap += 1
        elif run:
            yield "".join(run), where
            run, where, gap = [], [], 0
    if run:
        yield "".join(run), where


def _find_all(haystack: str, needle: str) -> Iterator[int]:
    start = haystack.find(needle)
    while start >= 0:
        yield start
        start = haystack.find(needle, start + 1)


def _masked_positions(text: str, values: OwnValues) -> set[int]:
    hidden: set[int] = set()
    folded = fold(text)
    if values.digits and any(_digit(ch) is not None for ch in folded.text):
        for run, where in _digit_runs(folded.text):
            if values.is_piece(run):  # 尾号5678 beside 139******78
                hidden.update(folded.origin(i) for i in where)
            for number, masked in values.digits:
                for start in _find_all(run, number):
                    hidden.update(folded.origin(where[start + i]) for i in masked)
    if values.numbers:
        for match in _BARE_NUMBER.finditer(folded.text):
            if match.group() in values.numbers:
                hidden.update(folded.origin(i) for i in range(match.start(), match.end()))
    for token in values.tokens:
        for start in _find_all(folded.text, token):
            before = folded.text[start - 1] if start else ""
            if not before.isdigit():
                hidden.update(folded.origin(start + i) for i, ch in enumerate(token) if ch.isdigit())
    if values.household:
        hidden.update(folded.origin(i) for i in _household_positions(folded.text, values.household))
    if values.tokens or values.numbers:
        for match in _CHINESE_NUMBER.finditer(folded.text):  # 八十八号, 三号楼, 一二〇一
            number = chinese_quantity(match.group())
            end = match.end()
            if number in values.numbers or any(
                token == number + folded.text[end : end + len(token) - len(number)]
                and len(token) > len(number)
                and token.startswith(number)
                for token in values.tokens
            ):
                hidden.update(folded.origin(i) for i in range(match.start(), end))
    lowered = folded.text.casefold()
    for spelling, masked in values.names:
        haystack = lowered if spelling.isascii() else folded.text
        for start in _find_all(haystack, spelling):
            hidden.update(folded.origin(start + i) for i in masked)
        if not spelling.isascii() and len(spelling) > 1 and _all_in(spelling, haystack):
            for match in _spaced_name(spelling).finditer(haystack):  # 张 伟, 张-伟, 欧.阳.娜.娜
                hidden.update(folded.origin(match.start(i + 1)) for i in masked)
    unmarked = folded.text.translate(_UNMARKED) if values.latin else ""  # Zoe for Zoë; same positions
    plain = unmarked.casefold() if values.latin else ""
    for letters in values.latin:  # Hannah, HANNAH, H a n n a h, Whitfield先生: all but the first letter
        if letters[0] in plain and letters[-1] in plain:
            for match in _latin_part(letters).finditer(unmarked):
                hidden.update(folded.origin(match.start(i)) for i in range(2, len(letters) + 1))
    if values.pinyin:
        for syllables, visible in values.pinyin:
            if not _syllables_present(syllables, lowered):
                continue
            for match in _pinyin_name(syllables).finditer(lowered):  # zhang wei, ZHANGWEI, ouyang nana
                for group in range(visible + 1, len(syllables) + 1):
                    hidden.update(folded.origin(i) for i in range(match.start(group), match.end(group)))
    return hidden


_CHINESE_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CHINESE_NUMBER = re.compile(f"[{''.join(_CHINESE_DIGITS)}{''.join(_CHINESE_UNITS)}]+")


def chinese_quantity(numeral: str) -> str:
    """A Chinese numeral as ASCII digits: read as a quantity when it has units (八十八 -> 88, 一百零五 ->
    105, 捌拾捌 -> 88, 十二 -> 12), else digit by digit (一二〇一 -> 1201)."""
    if not any(ch in _CHINESE_UNITS for ch in numeral):
        return "".join(_CHINESE_DIGITS[ch] for ch in numeral)
    total = current = 0
    for ch in numeral:
        unit = _CHINESE_UNITS.get(ch)
        if unit is None:
            current = int(_CHINESE_DIGITS[ch])
        else:
            total += (current or 1) * unit
            current = 0
    return str(total + current)


@lru_cache(maxsize=1024)
def _pinyin_name(syllables: tuple[str, ...]) -> re.Pattern[str]:
    """The syllables in order, each pair with up to two blanks or marks between, not inside a longer word."""
    gap = r"(?:[^\w]|_){0,2}"
    body = gap.join(f"({re.escape(s)})" for s in syllables)
    return re.compile(rf"(?<![a-z]){body}(?![a-z])")


def _all_in(spelling: str, haystack: str) -> bool:
    """Whether every character of ``spelling`` occurs in ``haystack``: without that `_spaced_name` cannot
    match, and is neither compiled nor run."""
    return all(ch in haystack for ch in spelling)


def _syllables_present(syllables: tuple[str, ...], lowered: str) -> bool:
    """Whether every syllable occurs in ``lowered``: without that `_pinyin_name` cannot match, and is
    neither compiled nor run."""
    return all(syllable in lowered for syllable in syllables)


@lru_cache(maxsize=1024)
def _spaced_name(spelling: str) -> re.Pattern[str]:
    """``spelling`` with up to two blanks or punctuation marks between any two of its characters."""
    gap = r"(?:[^\w*]|_){0,2}"
    return re.compile(gap.join(f"({re.escape(ch)})" for ch in spelling))


def may_hold_own_values(text: str, order: Order) -> bool:
    """False when no own value can occur in ``text``, which then skips building `OwnValues` at all.

    Exact, not a guess: a name needs one of its characters in the text; a mobile, an ID number and a bare
    house or room number must occur in a run of digits (any script, separators allowed, as
    `_masked_positions` reads runs), or a run be a piece of 4+ digits of one; what is left, a short
    household part (2层, 5栋), must occur as written.
    A Han name may also be written in pinyin: its first syllable must then occur. An own building, unit,
    floor or room in another spelling (21楼 for 21F) must be read there by the address grammar, asked only
    of texts holding a digit, a numeral or a Latin letter. Most descriptions (服装,
    衣服 2件, 2层蛋糕) fail all of these.
    """
    folded, chars, runs = _text_facts(text)
    longest_run = max((len(run) for run in runs), default=0)
    parties = (order.sender, order.recipient)
    if any(not chars.isdisjoint(_name_letters(party.name.value)) for party in parties):
        return True
    if not chars.isdisjoint(_PINYIN_FIRST) and any(
        syllables[0] in folded.casefold() for party in parties for syllables, _ in _party_pinyin(party)
    ):
        return True  # a Han name written in pinyin (zhang wei)
    numeral = _CHINESE_NUMBER.search(folded) is not None
    if numeral:  # 八十八号 for 88号: compare the numbers read
        own = {"".join(ch for ch in t if ch.isdigit()) for party in parties for t in _address_tokens(party)}
        if any(chinese_quantity(m.group()) in own for m in _CHINESE_NUMBER.finditer(folded)):
            return True
    if not chars.isdisjoint(_HOUSEHOLD_WORD_CHARS) and _holds_own_household(folded, order):
        return True  # an own building, unit, floor or room in any spelling (21楼 for 21F, a座 for A栋)
    if not longest_run:
        return False
    shortest = min(
        _MIN_BARE_NUMBER,
        len(order.sender_id.number.value),
        *(len(party.mobile.value) for party in parties),
    )
    if longest_run >= shortest and _holds_own_number(folded, runs, order):
        return True
    return any(token in folded for party in parties for token in _address_tokens(party))


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


_HOUSEHOLD_WORD_CHARS = frozenset("栋幢撞懂座馆#元层楼室房户f-")
"""A character every match of `HOUSEHOLD` holds (its words 号楼, 单元, 房间 included, a dash form's dash,
12F's f casefolded): a text without one (most remarks: 到了打电话, 放门口) holds no own household part."""


def _holds_own_household(folded: str, order: Order) -> bool:
    """Whether `HOUSEHOLD` finds in ``folded`` a building, unit, floor or room of the order's addresses:
    exactly what `_masked_positions` masks of them, asked only of texts holding one of
    `_HOUSEHOLD_WORD_CHARS`."""
    keys = _household_keys(order.sender.address.household) | _household_keys(
        order.recipient.address.household
    )
    return bool(keys) and next(_household_positions(folded, keys), None) is not None


def _holds_own_number(folded: str, runs: tuple[str, ...], order: Order) -> bool:
    """Whether a digit run of ``folded`` (``runs``, as `_digit_runs` reads them) holds a mobile of the order
    or its ID number (or the digits after a passport's letter), or is a piece of 4+ digits of one, or a
    bare number of the text is a house or room number of the addresses: what `_masked_positions` masks
    among digits, asked without building `OwnValues`. Most runs of a remark (another phone, an order
    number, 14号) are none of these."""
    number = order.sender_id.number.value.upper()
    whole = (number, order.sender.mobile.value, order.recipient.mobile.value)
    wanted = list(whole)
    core = number.lstrip(_LETTERS)
    if core != number and len(core) >= _MIN_CORE_DIGITS and core.isdigit():
        wanted.append(core)
    pieces = [
        (run, len(value)) for value in whole for run in _digit_only_runs(value) if len(run) >= _MIN_PIECE
    ]
    for run in runs:
        if any(value in run for value in wanted):
            return True
        if len(run) >= _MIN_PIECE and any(len(run) < length and run in piece for piece, length in pieces):
            return True
    numbers = {
        digits
        for party in (order.sender, order.recipient)
        for token in _address_tokens(party)
        if len(digits := "".join(ch for ch in token if ch.isdigit())) >= _MIN_BARE_NUMBER
    }
    return bool(numbers) and any(match.group() in numbers for match in _BARE_NUMBER.finditer(folded))


def may_hold_pinyin(text: str) -> bool:
    """False when ``text`` holds no Latin letter once folded and casefolded: no pinyin spelling of a name can
    occur in it, so `OwnValues.of` may leave the pinyin out (``pinyin=False``)."""
    return not _text_facts(text)[1].isdisjoint(_PINYIN_FIRST)


_TEXT_FACTS_CACHED = 256
"""Texts whose facts are remembered. An entry holds about 2.7 KB (the set of a text's characters, each a
string of its own), so 4,096 held 11 MiB for the life of a `waybill issue`; replaying the calls of 100,000
orders (merchant batches), 256 hit 85.8% of them against 88.0% at 4,096 for the same CPU (the repeats are
a batch's descriptions, which recur within a few orders), 10.5 MiB less (issue 9)."""


@lru_cache(maxsize=_TEXT_FACTS_CACHED)
def _text_facts(text: str) -> tuple[str, frozenset[str], tuple[str, ...]]:
    """Folded text, its casefolded characters but name separators, its digit runs (`_digit_runs`).

    Cached: a batch repeats its descriptions (食品, 2层蛋糕) from order to order.
    """
    folded = fold(text).text
    runs = tuple(run for run, _ in _digit_runs(folded))
    return folded, frozenset(folded.casefold()) - _NAME_DOT_CHARS, runs


_NAME_LETTERS_CACHED = 512
"""Names whose letters are remembered: the repeats are a merchant's sender, met again within a few orders
(replaying 100,000 orders: 59.3% hits at 512, 63.7% at 4,096, the same CPU; about 2 MiB less, issue 9)."""


@lru_cache(maxsize=_NAME_LETTERS_CACHED)
def _name_letters(name: str) -> frozenset[str]:
    """The characters any spelling of ``name`` holds besides its separators (every spelling has one)."""
    letters = fold(name).text.casefold()
    return frozenset(letters + letters.translate(_UNMARKED)) - _NAME_DOT_CHARS


def mask_own_values(text: str, values: OwnValues) -> str:
    """``text`` with every occurrence of the order's own values masked in place (same length)."""
    hidden = _masked_positions(text, values)
    if not hidden:
        return text
    return "".join("*" if i in hidden else ch for i, ch in enumerate(text))
