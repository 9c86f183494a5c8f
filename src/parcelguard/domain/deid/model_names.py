"""The ``accurate`` mode's names: a sequence model's person words, completed and checked by the name rules.

Rules find names by evidence around them (a cue word, a title, separators) and do well on delivery text
written like our forms; on running text (news, posts, résumés) most names have no such evidence and rules
either miss them or fire on ordinary words (司 in 有限公司, 尤其, 暴力). A character-level sequence model
(Baidu LAC, see :mod:`parcelguard.adapters.ner`) reads the whole sentence and tags person names from
context. This module combines the two, in folded text (positions are indexes into it):

1. Every ``PER`` word of the model's reading is a person (rule ``person.model``).
2. A ``PER`` word of the recall-biased reading (names the model hesitated on) is a person only where its
   shape agrees (a known surname and one to three more Han characters, a middle dot, or three or more
   characters of transliterated names) and a name rule proposes a name there too (rule
   ``person.model.recall``). A Latin spelling in brackets right after a name is that name
   (``person.model.spelling``).
3. Each is extended over the pieces the model cut off: the other parts of a foreign name joined by a dot or
   dash (索尔-坎贝尔), a surname the model left as a word of its own (周 + 清来), and the whole handle when
   the name follows an ``@``.
4. A rule's name is kept only where the model does not contradict it: dropped when it starts or ends inside
   a model word (司 of 有限公司), or when the model reads a common word in it (尤其, 暴力, 景致); a name
   found by a strong cue or title may be what the model read as a place or organisation, one found by
   weaker evidence (separators, a middle dot) only a name or proper noun (not 桑德兰, 龙湖·花墅香醍). Latin
   names (the model reads Chinese) are kept as the rules find them, and a rule's name overlapping a model
   name widens it.

Model words the name lexicon knows are brands or not names (张小泉, 马应龙) are not persons.

Places and organisations are given to address resolution: a model ``ORG`` word (江苏省高级人民法院) is
not an address however it starts, and a ``LOC`` word right before an address (龙港镇 + 泰和小区...) is the
start of it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid._spans import SpanIndex
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.deid.words import TaggedWord, Tagging
from parcelguard.domain.pii._name_lexicon import (
    BRAND_NAMES,
    COMPOUND_SURNAMES,
    GIVEN_CHARS,
    NAME_DOTS,
    NAME_DOTS_WEAK,
    NOT_NAMES,
    SURNAMES,
    SURNAMES_FREQUENT,
    TRANSLITERATION_CHARS,
)
from parcelguard.domain.pii.han import is_han

__all__ = ["ModelView", "model_persons", "vet_rule_persons"]

_PERSON = EntityType.PERSON
MODEL_SCORE = 0.8
RECALL_SCORE = 0.7
_PER = "PER"
_JOINERS = frozenset(NAME_DOTS + NAME_DOTS_WEAK) - {".", "\uff0e", "\ufe52"}
# Tags of a word that may be the other part of a foreign name joined by a dot or dash.
_NAME_PART_TAGS = frozenset({_PER, "nz"})
# Rules whose evidence is strong (a cue word such as 收件人, a title after a surname, 某): their name may be
# one the model took for a place or organisation (收件人：韩阳丹 read as ORG), not for a common word.
_STRONG_RULES = frozenset({"person.zh.cue", "person.zh.title", "person.zh.mou"})
_STRONG_RULE_TAGS = frozenset({_PER, "nz", "O", "LOC", "ORG"})
# Other rules (a weak cue, separators, a middle dot, transliteration characters) only where the model reads
# a name or a proper noun: on news and posts they mostly fire on clubs, places, titles and words.
_WEAK_RULE_TAGS = frozenset({_PER, "nz", "O"})
_COMMON_WORD_TAGS = frozenset({"n", "v", "vn", "nw", "w", "m", "q", "xc"})
_POLITE_TITLES = frozenset({"先生", "女士", "小姐", "师傅", "太太", "夫人", "阿姨", "大爷"})
_FUNCTION_TAGS = frozenset({"d", "p", "c", "u", "xc", "w", "m", "q", "t", "TIME"})
# Tags of function words, adjectives, numbers and times: a hesitant model name there (任上) is not a name.
_NOT_NAME_TAGS = frozenset({"d", "p", "c", "u", "r", "xc", "w", "a", "ad", "an", "m", "q", "f", "t", "TIME"})
_NOT_PERSONS = BRAND_NAMES | NOT_NAMES
_HANDLE_END = frozenset(" \t\r\n@:：,，。.!！?？;；、/\\()（）[]【】\"“”'#<>《》…~～|")
_MAX_HANDLE = 30
_RECALL_RULE = "person.model.recall"
_PROPER_TAGS = frozenset({"LOC", "ORG", "nw", "nz"})
_MAX_JOINS = 3


class ModelView:
    """One text's tagging, indexed for the questions the combination asks (word at a position)."""

    __slots__ = ("_ends", "_starts", "tagging", "words")

    def __init__(self, tagging: Tagging, text: str) -> None:
        self.tagging = tagging
        self.words = _split_blanks(tagging.words, text) if " " in text else tagging.words
        self._starts = [w.start for w in self.words]
        self._ends = {w.end for w in self.words}

    def word_at(self, pos: int) -> TaggedWord | None:
        i = bisect_right(self._starts, pos) - 1
        if i < 0:
            return None
        word = self.words[i]
        return word if word.start <= pos < word.end else None

    def aligned(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` starts and ends on word boundaries."""
        first = self.word_at(start)
        return first is not None and first.start == start and end in self._ends

    def covering(self, start: int, end: int) -> list[TaggedWord]:
        i = max(0, bisect_right(self._starts, start) - 1)
        out: list[TaggedWord] = []
        while i < len(self.words) and self.words[i].start < end:
            if self.words[i].end > start:
                out.append(self.words[i])
            i += 1
        return out

    def spans(self, tag: str) -> list[tuple[int, int]]:
        return [(w.start, w.end) for w in self.words if w.tag == tag]


def _split_blanks(words: list[TaggedWord], text: str) -> list[TaggedWord]:
    """The words with leading and trailing spaces as words of their own: the model sometimes glues a space
    to the next word (Hi + " 龙恒"), which would make a name after it look cut across."""
    out: list[TaggedWord] = []
    for word in words:
        start, end = word.start, word.end
        while start < end and text[start] == " ":
            start += 1
        while end > start and text[end - 1] == " ":
            end -= 1
        if start == end:
            out.append(word)
            continue
        if start > word.start:
            # the tag was the space's; what follows it has no reading of its own
            out.append(TaggedWord(word.start, start, "w"))
            out.append(TaggedWord(start, end, "O"))
        else:
            out.append(TaggedWord(start, end, word.tag))
        if end < word.end:
            out.append(TaggedWord(end, word.end, "w"))
    return out


def _is_han_word(text: str) -> bool:
    return bool(text) and all(is_han(ch) for ch in text)


def _name_shaped(word: str) -> bool:
    """Whether a hesitant ``PER`` word looks like a name on its own (the lexicon's surnames and
    transliteration characters; no corpus entries)."""
    if any(ch in _JOINERS for ch in word):
        return True
    if not _is_han_word(word):
        return False
    if 2 <= len(word) <= 4 and (word[0] in SURNAMES or word[:2] in COMPOUND_SURNAMES):
        return True
    return len(word) >= 3 and all(ch in TRANSLITERATION_CHARS for ch in word)


def _plausible(text: str, start: int, end: int) -> bool:
    """Whether a model ``PER`` word may be a person: not a brand or word the name lexicon knows is no name
    (张小泉, 马应龙); a word without Han characters only inside Chinese text (the model reads Chinese: in
    English text it takes street and district names for persons)."""
    word = text[start:end]
    if word in _NOT_PERSONS:
        return False
    if any(is_han(ch) for ch in word):
        return True
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    return any(is_han(ch) for ch in before + after)


def _handle(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The ``@handle`` around ``[start, end)``, if the name sits in one."""
    pos = start
    while pos > 0 and start - pos < _MAX_HANDLE and text[pos - 1] not in _HANDLE_END:
        pos -= 1
    if pos == 0 or text[pos - 1] != "@":
        return None
    stop = end
    while stop < len(text) and stop - pos < _MAX_HANDLE and text[stop] not in _HANDLE_END:
        stop += 1
    return pos, stop


def _name_part(text: str, word: TaggedWord | None, edge: int, *, at_start: bool) -> TaggedWord | None:
    """``word`` when it is another part of a foreign name starting (or ending) at ``edge``, else None."""
    if word is None or (word.start if at_start else word.end) != edge:
        return None
    if word.tag in _NAME_PART_TAGS and _is_han_word(text[word.start : word.end]):
        return word
    return None


def _extend(text: str, view: ModelView, start: int, end: int) -> tuple[int, int]:
    # foreign names: other parts joined by a dot or dash, each a name-like Han word
    for _ in range(_MAX_JOINS):
        if end + 1 < len(text) and text[end] in _JOINERS:
            nxt = _name_part(text, view.word_at(end + 1), end + 1, at_start=True)
            if nxt is not None:
                end = nxt.end
                continue
        break
    for _ in range(_MAX_JOINS):
        if start >= 2 and text[start - 1] in _JOINERS:
            prev = _name_part(text, view.word_at(start - 2), start - 1, at_start=False)
            if prev is not None:
                start = prev.start
                continue
        break
    # a surname the model left as a word of its own before a short given name (周 + 清来)
    if start > 0 and end - start <= 2:
        prev = view.word_at(start - 1)
        if prev is not None and prev.tag != _PER:
            piece = text[prev.start : prev.end]
            if (len(piece) == 1 and piece in SURNAMES) or piece in COMPOUND_SURNAMES:
                start = prev.start
    # a lone surname the model tagged, with the given name cut off as another word (王 + 小明)
    word = text[start:end]
    if word in SURNAMES or word in COMPOUND_SURNAMES:
        nxt = view.word_at(end)
        if nxt is not None and nxt.start == end and nxt.end - nxt.start <= 2:
            given = text[nxt.start : nxt.end]
            if all(ch in GIVEN_CHARS for ch in given):
                end = nxt.end
    handle = _handle(text, start, end)
    if handle is not None:
        start, end = min(start, handle[0]), max(end, handle[1])
    return start, end


def _letter(ch: str) -> bool:
    """A letter, or a Han character of a block newer than Python's Unicode tables (Extension H, I)."""
    return ch.isalpha() or is_han(ch)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """A model word without what cannot be part of a name at its edges, cut at its first digit.

    LAC reads characters outside its vocabulary (controls such as NUL, emoji, combining marks) as one
    unknown character and may tag them, or glue them to a name, as a person; a name starts and ends with a
    letter (or a Han character). It may also glue a number to a name (李志启18519397416). Empty when
    nothing is left.
    """
    while start < end and not _letter(text[start]):
        start += 1
    while end > start and not _letter(text[end - 1]):
        end -= 1
    for i in range(start, end):
        if text[i].isdigit():
            return start, i
    return start, end


def _original_spellings(text: str, view: ModelView, found: list[Candidate]) -> list[Candidate]:
    """A Latin spelling in brackets right after a name (巴里·穆尼兹（barrymunitz）): the same person."""
    out: list[Candidate] = []
    for person in found:
        pos = person.end
        if pos < len(text) and text[pos] in "(（":
            close = pos + 1
            while close < len(text) and close - pos <= _MAX_HANDLE and text[close] not in ")）":
                close += 1
            inner = text[pos + 1 : close]
            latin = all(ch.isascii() and (ch.isalpha() or ch in " .-'") for ch in inner)
            if close < len(text) and latin and any(ch.isalpha() for ch in inner):
                out.append(Candidate(pos + 1, close, _PERSON, RECALL_SCORE, "person.model.spelling"))
    return out


def model_persons(text: str, view: ModelView) -> list[Candidate]:
    """PERSON candidates from the model's words (steps 1-3 of the module docstring)."""
    out: list[Candidate] = []
    confident: list[tuple[int, int]] = []
    for word in view.words:
        if word.tag == _PER:
            start, end = _trim(text, word.start, word.end)
            if end > start and _plausible(text, start, end):
                confident.append((word.start, word.end))
                start, end = _extend(text, view, start, end)
                out.append(Candidate(start, end, _PERSON, MODEL_SCORE, "person.model"))
    out.extend(_original_spellings(text, view, out))
    taken = SpanIndex(confident)
    for word in view.tagging.recall_persons:
        if taken.any_overlapping(word.start, word.end):
            continue
        start, end = _trim(text, word.start, word.end)
        if end <= start or not _plausible(text, start, end) or not _name_shaped(text[start:end]):
            continue
        # the plain reading must not have read a function word, adjective, number or time there (任上)
        if not any(w.tag in _NOT_NAME_TAGS for w in view.covering(start, end)):
            start, end = _extend(text, view, start, end)
            out.append(Candidate(start, end, _PERSON, RECALL_SCORE, _RECALL_RULE))
    return out


def _after_colon(text: str, start: int) -> bool:
    """Whether a field label's colon stands right before ``start`` (姓名：曾秋): a form's value."""
    pos = start
    while pos > 0 and text[pos - 1] == " ":
        pos -= 1
    return pos > 0 and text[pos - 1] in ":："


def _title_agrees(text: str, rule: Candidate, words: list[TaggedWord]) -> bool:
    """A surname before a title: before a polite one (万女士, 向先生) always; before a job title only where
    the model reads a name (not 任 + 会计, took the post of accountant; 司 + 处长; 武汉大学 + 博士)."""
    if text[rule.end : rule.end + 2] in _POLITE_TITLES:
        return True
    return all(w.tag in _WEAK_RULE_TAGS for w in words)


def _strong_rule_agrees(text: str, words: list[TaggedWord]) -> bool:
    """Whether the model's reading leaves room for a name found by a cue or title: one word read as a name,
    proper noun, place or organisation; or a surname read as a word of its own (not a verb: 盖 + 房子)
    followed by words that are not function words (时 + 强天)."""
    if len(words) == 1:
        word = words[0]
        if word.tag in _STRONG_RULE_TAGS:
            return True
        # a frequent surname and a given name the model misread as a time, adjective or adverb (曾秋, 荣静)
        return text[word.start] in SURNAMES_FREQUENT and word.tag not in _COMMON_WORD_TAGS
    span = text[words[0].start : words[-1].end]
    if all(ch in TRANSLITERATION_CHARS for ch in span):
        return True  # a Tibetan, Uyghur or Mongolian name LAC cut in pieces (其 + 木格)
    first = text[words[0].start : words[0].end]
    if (first not in SURNAMES and first not in COMPOUND_SURNAMES) or words[0].tag == "v":
        return False
    return not any(w.tag in _FUNCTION_TAGS for w in words)


def _agreed(view: ModelView, hesitant: Candidate, rules: list[Candidate], index: SpanIndex) -> bool:
    """Whether a rule's name overlaps a hesitant model name: any rule where the model's own reading was a
    common word, only a strong one (a cue, a title) where it read a place, organisation or title (桑普,
    哈利·波特). ``index`` holds the spans of ``rules``."""
    overlapping = [rules[i] for i in index.overlapping(hesitant.start, hesitant.end)]
    if not overlapping:
        return False
    words = view.covering(hesitant.start, hesitant.end)
    if any(r.rule in _STRONG_RULES for r in overlapping):
        return True
    return not any(w.tag in _PROPER_TAGS for w in words)


def vet_rule_persons(
    text: str, view: ModelView, rules: Iterable[Candidate], model: Sequence[Candidate]
) -> list[Candidate]:
    """The rules' PERSON candidates that the model does not contradict (step 4); the model's candidates
    that a rule's aligned name overlaps are widened to cover it, and those of the recall-biased reading
    are kept only where a rule's name overlaps them (two weak signals agreeing)."""
    kept: list[Candidate] = []
    rules = list(rules)
    han_rules = [r for r in rules if not r.rule.startswith("person.en.")]
    # a name the model only hesitated on stands where a rule proposes a name there too (联系 + 谢勇逸)
    rule_index = SpanIndex([(r.start, r.end) for r in han_rules])
    widened = [m for m in model if m.rule != _RECALL_RULE or _agreed(view, m, han_rules, rule_index)]
    index = SpanIndex([(m.start, m.end) for m in widened])
    for rule in rules:
        if rule.rule.startswith("person.en."):
            kept.append(rule)
            continue
        overlapping = index.overlapping(rule.start, rule.end)
        if overlapping:
            if view.aligned(rule.start, rule.end):
                for i in overlapping:
                    m = widened[i]
                    widened[i] = m._replace(start=min(m.start, rule.start), end=max(m.end, rule.end))
                    index.move(i, widened[i].start, widened[i].end)
            continue
        if not view.aligned(rule.start, rule.end):
            continue
        words = [w for w in view.covering(rule.start, rule.end) if text[w.start : w.end] not in _JOINERS]
        if rule.rule == "person.zh.title":
            if _title_agrees(text, rule, words):
                kept.append(rule)
        elif rule.rule in _STRONG_RULES:
            if (
                _after_colon(text, rule.start)
                or text[rule.end : rule.end + 2] in _POLITE_TITLES
                or _strong_rule_agrees(text, words)
            ):
                kept.append(rule)
        elif rule.rule == "person.zh.bounded" and _after_colon(text, rule.start):
            kept.append(rule)  # a form's value after its label (收件信息：时军)
        elif all(w.tag in _WEAK_RULE_TAGS for w in words):
            kept.append(rule)
    return widened + kept
