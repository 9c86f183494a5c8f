"""Latin-script person names in running text: English and pinyin names in mixed Chinese/English texts.

Capitalised words are everywhere in English (street names, brands, the first word of a sentence), so a
name needs a reason: a title before it (Mr., Ms., Dr.), a salutation or a field label (Dear, Hi, Name:,
收件人), a common English given name followed by a capitalised family name, or a pinyin surname next to a
capitalised word that is itself pinyin (Zhang Wei, Yuting He, ZHAO Lei). The title is not part of the span.

For speed the text is scanned once for runs of capitalised words (one cheap pattern); each run is then
judged with set lookups and a look at the few characters before it, instead of running one large
alternation of names over every position.
"""

from __future__ import annotations

import re

from parcelguard.domain.pii._name_lexicon import (
    ENGLISH_GIVEN,
    ENGLISH_NOT_NAMES,
    LEFT_STRONG,
    PINYIN_GIVEN_SYLLABLES,
    PINYIN_SURNAMES,
)
from parcelguard.domain.pii._name_lexicon import ENGLISH_ROLES as _ROLES
from parcelguard.domain.pii._name_lexicon import ENGLISH_STREET_WORDS as _STREET_WORDS
from parcelguard.domain.pii._name_span import NameSpan

__all__ = ["find_latin_names"]

_RUN = re.compile(r"[A-Z][A-Za-z'\-]*\.?(?: [A-Z][A-Za-z'\-]*\.?)*")
_WORD = re.compile(r"[A-Z][A-Za-z'\-]*")
_TITLES = frozenset({"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Mister", "Madam", "Madame"})
_SALUTATIONS = frozenset({"Dear", "Hi", "Hello", "Hey", "Thanks", "Regards", "Cheers", "Sincerely", "Attn"})
_NOT_PINYIN_NAMES = frozenset({("Hong", "Kong"), ("Xi", "An"), ("Ma", "On")})
_UPPER_SURNAMES = frozenset(w.upper() for w in PINYIN_SURNAMES)
_LEADING = (
    {w: "title" for w in _TITLES} | {w: "salutation" for w in _SALUTATIONS} | dict.fromkeys(_ROLES, "strong")
)
_MAX_TOKENS = 4
_CONTEXT = 24


_LABEL_WORDS = (
    "name",
    "full name",
    "recipient",
    "receiver",
    "consignee",
    "sender",
    "shipper",
    "contact person",
    "contact",
    "customer",
    "courier",
    "driver",
    "attn",
    "attention",
    "signed by",
    "received by",
    "signature",
    "passenger",
    "cardholder",
    "account name",
    "addressee",
    "name is",
)
_WEAK_WORDS = (
    "from",
    "to",
    "by",
    "with",
    "for",
    "ask",
    "call",
    "tell",
    "told",
    "contact",
    "cc",
    "i am",
    "i'm",
    "this is",
    "my name is",
    "and",
    "或",
    "和",
    "与",
    "找",
    "给",
    "联系",
)
_CHINESE_LABEL_END = re.compile(r"\s*[:(]?\s*$")
_CHINESE_LABELS = LEFT_STRONG | {"姓名", "名字", "英文名", "英文名字", "拼音"}
_LONGEST_LABEL = max(len(w) for w in _CHINESE_LABELS)
_WEAK_BEFORE = re.compile(
    r"(?<![A-Za-z])(?:from|to|by|with|for|ask|call|tell|told|contact|cc|I am|I'm|this is|my name is|"
    r"and|或|和|与|找|给|联系)\s*$"
)
_INITIALS = "b|p|m|f|d|t|n|l|g|k|h|j|q|x|zh|ch|sh|r|z|c|s|y|w"
_FINALS = (
    "iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|er|ia|ie|iu|in|ua|uo|ui|un|"
    "ue|ve|vn|a|o|e|i|u|v"
)
_SYLLABLE = re.compile(rf"(?:{_INITIALS})?(?:{_FINALS})")
_PINYIN_WORD = re.compile(rf"(?:(?:{_INITIALS})?(?:{_FINALS})){{1,3}}")


def _pinyin(word: str, syllables: int = 1) -> bool:
    """True when ``word`` reads as pinyin of at least ``syllables`` syllables (Wei, Xiaoming, Zhi-qiang)."""
    lower = word.lower().replace("-", "")
    return _PINYIN_WORD.fullmatch(lower) is not None and len(_SYLLABLE.findall(lower)) >= syllables


def _not_name(word: str) -> bool:
    return word in ENGLISH_NOT_NAMES or word.capitalize() in ENGLISH_NOT_NAMES


def _tokens(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """The words of a run, a possessive 's left out (Zhang Wei's parcel)."""
    words = []
    for match in _WORD.finditer(text, start, end):
        word = match.group()
        if word.endswith("'s") and len(word) > 2:
            words.append((match.start(), match.end() - 2, word[:-2]))
        else:
            words.append((match.start(), match.end(), word))
    return words


def _judge(text: str, words: list[tuple[int, int, str]], cue: str | None) -> tuple[int, float, str] | None:
    """How many of ``words`` form a name, with score and rule, or None."""
    names: list[str] = []
    for _, end, word in words[:_MAX_TOKENS]:
        if _not_name(word) or word in _STREET_WORDS:
            break
        names.append(word)
        if text[end : end + 1] == "." and (len(word) > 1 or not names[:-1]):
            break  # a sentence or an abbreviation ends here; a middle initial (Olivia T. Bennett) does not
    following = words[len(names)][2] if len(names) < len(words) else ""
    if not names or following in _STREET_WORDS:
        return None
    first = names[0]
    if cue == "title":
        return len(names), 0.9, "person.en.title"
    if cue == "salutation":
        return len(names), 0.85, "person.en.salutation"
    if cue == "strong":
        return len(names), 0.85, "person.en.cue"
    known = first in ENGLISH_GIVEN or first in PINYIN_SURNAMES
    if cue == "weak" and known:
        return len(names), 0.75, "person.en.cue"
    if len(names) < 2:
        return None
    second = names[1]
    if first in ENGLISH_GIVEN:
        return len(names), 0.85, "person.en.given"
    if (first, second) in _NOT_PINYIN_NAMES:
        return None
    if (first in PINYIN_SURNAMES or first in _UPPER_SURNAMES) and (_pinyin(second) or second.isupper()):
        return 2, 0.8, "person.en.pinyin"
    if second in PINYIN_SURNAMES and (first in PINYIN_GIVEN_SYLLABLES or _pinyin(first, 2)):
        return 2, 0.75, "person.en.pinyin"
    return None


def _chinese_label_before(text: str, start: int) -> bool:
    """收件人：John Smith — a Chinese field label right before the name (set lookups, no big pattern)."""
    gap = _CHINESE_LABEL_END.search(text, max(0, start - 4), start)
    end = gap.start() if gap is not None else start
    return any(text[end - n : end] in _CHINESE_LABELS for n in range(1, _LONGEST_LABEL + 1) if n <= end)


def _reversed_words(words: tuple[str, ...]) -> re.Pattern[str]:
    """Words reversed, matched at the start of the reversed text before a name: one ``match``, no scan."""
    alternation = "|".join(re.escape(w[::-1]) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"[\s:(]*(?:{alternation})(?![a-z])")


_LABEL_REVERSED = _reversed_words(_LABEL_WORDS)
_WEAK_REVERSED = _reversed_words(_WEAK_WORDS)


def _cue_before(text: str, start: int) -> str | None:
    """ "strong" after a field label (Name:, 收件人), "weak" after from/to/by ..., else None."""
    if _chinese_label_before(text, start):
        return "strong"
    before = text[max(0, start - _CONTEXT) : start].lower()[::-1]
    if _LABEL_REVERSED.match(before):
        return "strong"
    if _WEAK_REVERSED.match(before):
        return "weak"
    return None


def find_latin_names(text: str) -> list[NameSpan]:
    """English and pinyin person names in normalised text."""
    found: list[NameSpan] = []
    for run in _RUN.finditer(text):
        start = run.start()
        if start and text[start - 1].isascii() and text[start - 1].isalnum():
            continue  # the middle of a code such as SF123ABC
        if text[run.end() : run.end() + 1].isdigit() and " " not in run.group():
            continue  # a code such as SF1234567890123 or E12345678
        words = _tokens(text, start, run.end())
        cue = None
        while words and words[0][2] in _LEADING:
            cue = _LEADING[words[0][2]]
            words = words[1:]
        if not words or _not_name(words[0][2]) or words[0][2] in _STREET_WORDS:
            continue
        if cue is None:
            cue = _cue_before(text, start)
        judged = _judge(text, words, cue)
        if judged is not None:
            count, score, rule = judged
            found.append(NameSpan(words[0][0], words[count - 1][1], score, rule))
    return found
