"""The one name recogniser (find_names): the names the issues reported, and every name the parser accepts.

The property tests generate names the way PersonName.parse accepts them (common, rare and compound
surnames; given names with Extension A/B characters; minority names joined by every separator the parser
accepts, or by nothing; traditional spellings) and require the recogniser to find each one whole inside
sentences shaped like real delivery texts, and its masked form to pass the label gate.
"""

from __future__ import annotations

import opencc
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from parcelguard.domain.pii import assert_label_compliant
from parcelguard.domain.pii._lexicon import COMPOUND_SURNAME_LIST, MINORITY_NAME_PARTS
from parcelguard.domain.pii._name_lexicon import (
    FOLLOW_WORDS,
    GIVEN_CHARS,
    LEFT_WEAK,
    LEFT_WEAK_PERSONAL,
    NOT_NAMES,
    STOP_CHARS,
    SURNAMES,
    SURNAMES_FREQUENT,
)
from parcelguard.domain.pii._name_reading import given_char
from parcelguard.domain.pii.fold import fold
from parcelguard.domain.pii.name import NAME_SEPARATORS, PersonName, find_names
from parcelguard.errors import LabelComplianceError


def names_in(text: str) -> list[str]:
    """The names found in ``text``, read from the text as given (fold keeps the length of Han text)."""
    folded = fold(text)
    return [
        text[folded.span(s.start, s.end)[0] : folded.span(s.start, s.end)[1]] for s in find_names(folded.text)
    ]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("收件人：斯琴巴雅尔", "斯琴巴雅尔"),
        ("古丽米拉.买合木提", "古丽米拉.买合木提"),
        ("米热古丽.艾则孜", "米热古丽.艾则孜"),
        ("收件人阿依努尔·买合木提", "阿依努尔·买合木提"),
        ("送欧阳娜娜", "欧阳娜娜"),
        ("收件张伟", "张伟"),
        ("给13912345678林晓彤的生日礼物", "林晓彤"),
        ("收件人：𠮷祥云", "𠮷祥云"),
        ("𠮷祥云收", "𠮷祥云"),
        ("收件人：張偉", "張偉"),
        ("收件人阿依努尔买合木提，电话没变", "阿依努尔买合木提"),
        ("联系人：米热古丽–艾则孜 电话13812345678", "米热古丽–艾则孜"),
    ],
)
def test_the_reported_names_are_found_whole_and_without_their_cue(text: str, name: str) -> None:
    assert names_in(text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "买了3张明信片",
        "北京.上海两地发货",
        "收件人扎西多吉不在家",
        "版本1.2-测试",
        "货到付款-先验货",
    ],
)
def test_numbers_and_separators_between_ordinary_words_make_no_name(text: str) -> None:
    found = names_in(text)
    assert found in ([], ["扎西多吉"])


# --- the parser's input space ---------------------------------------------------------------------
_GIVEN = sorted(GIVEN_CHARS - STOP_CHARS)
_EXTENSION_A = st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF)
_EXTENSION_B = st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF)
given_chars = st.sampled_from(_GIVEN) | _EXTENSION_A | _EXTENSION_B
frequent_surnames = st.sampled_from(sorted(SURNAMES_FREQUENT)) | _EXTENSION_B
any_surnames = st.sampled_from(sorted(SURNAMES)) | frequent_surnames
compound_surnames = st.sampled_from(COMPOUND_SURNAME_LIST)
_MINORITY_PARTS = (
    *MINORITY_NAME_PARTS,
    "斯琴",
    "巴雅尔",
    "米热",
    "艾则孜",
    "古丽米拉",
    "买合木提",
    "阿依努尔",
    "其木格",
)
minority_parts = st.sampled_from(_MINORITY_PARTS)
separators = st.sampled_from(sorted(NAME_SEPARATORS))
_S2T = opencc.OpenCC("s2t")


_LINKING = frozenset("是为叫")  # 收件人是张三: after a label these read as "is", even though 是 is a surname


def _readable(name: str) -> bool:
    """A name is read up to the first word that follows names (张东西 reads as 张 + 东西, 周末 is a word)."""
    pairs = {name[i : i + 2] for i in range(len(name) - 1)}
    return not (pairs & FOLLOW_WORDS) and name[:2] not in NOT_NAMES and name[0] not in _LINKING


@st.composite
def han_names(draw: st.DrawFn, surnames: st.SearchStrategy[str]) -> str:
    surname = draw(surnames | compound_surnames)
    name = surname + "".join(draw(st.lists(given_chars, min_size=1, max_size=2)))
    if draw(st.booleans()):
        name = _S2T.convert(name)
    return name


@st.composite
def minority_names(draw: st.DrawFn) -> str:
    parts = draw(st.lists(minority_parts, min_size=2, max_size=3, unique=True))
    separator = draw(st.sampled_from(["", *sorted(NAME_SEPARATORS)]))
    name = separator.join(parts)
    if len(name.replace(separator, "")) > 8 and not separator:
        name = "".join(parts[:2])
    return name


_STRONG_SENTENCES = (
    "收件人{}",
    "收件人：{}，电话13812345678",
    "联系人：{} 电话13812345678",
    "寄件人{}已寄出",
)
_ANY_SENTENCES = (*_STRONG_SENTENCES, "{}收", "给{}", "{}，13812345678，已签收")


def _found_whole(sentence: str, name: str) -> None:
    text = sentence.format(name)
    assert name in names_in(text), text


@settings(max_examples=300, deadline=None)
@given(name=han_names(any_surnames), sentence=st.sampled_from(_STRONG_SENTENCES))
def test_any_han_name_is_found_after_a_field_label(name: str, sentence: str) -> None:
    PersonName.parse(name)
    if _readable(fold(name).text):
        _found_whole(sentence, name)


@settings(max_examples=300, deadline=None)
@given(name=han_names(frequent_surnames), sentence=st.sampled_from(_ANY_SENTENCES))
def test_a_han_name_with_a_common_or_rare_surname_is_found_in_any_typical_sentence(
    name: str, sentence: str
) -> None:
    """Without a field label the given name must be name-like once folded (㓨 folds to 刺, 劃 to 划)."""
    PersonName.parse(name)
    folded = fold(name).text
    given_part = folded[2:] if folded[:2] in COMPOUND_SURNAME_LIST else folded[1:]
    assume(all(given_char(ch) for ch in given_part))
    if _readable(folded):
        _found_whole(sentence, name)


@settings(max_examples=200, deadline=None)
@given(name=minority_names(), sentence=st.sampled_from(_ANY_SENTENCES))
def test_any_minority_name_with_any_separator_or_none_is_found_whole(name: str, sentence: str) -> None:
    PersonName.parse(name)
    _found_whole(sentence, name)


@settings(max_examples=200, deadline=None)
@given(name=han_names(any_surnames) | minority_names())
def test_a_masked_name_passes_the_label_gate_and_the_name_itself_does_not(name: str) -> None:
    parsed = PersonName.parse(name)
    assert_label_compliant(name=parsed.masked())
    with pytest.raises(LabelComplianceError):
        assert_label_compliant(name=parsed.value)


# --- a name that is also a bare place name (白朗 county, 唐山) -------------------------------------------
def _name_shaped_place_names() -> list[str]:
    """Every division name or short name a frequent surname and name-like given characters make up."""
    from parcelguard.domain.pii.divisions import division_table

    names = {
        name
        for division in division_table()
        for name in (division.name, division.short_name)
        if name
        and name[0] in SURNAMES_FREQUENT
        and 2 <= len(name) <= 3
        and all(given_char(ch) and ch not in STOP_CHARS for ch in name[1:])
        and _readable(name)
        and name not in COMPOUND_SURNAME_LIST  # 濮阳 alone is a surname without a given name
    }
    return sorted(names)


_PLACE_NAMES = _name_shaped_place_names()


def test_the_personal_cues_are_weak_cues() -> None:
    assert LEFT_WEAK_PERSONAL <= LEFT_WEAK
    assert len(_PLACE_NAMES) > 400  # counties, prefectures and provinces (白朗, 唐山, 江西)


@settings(max_examples=200, deadline=None)
@given(
    place=st.sampled_from(_PLACE_NAMES),
    sentence=st.sampled_from(("给{}", "找{}。", "联系{} 谢谢", "给{}打电话")),
)
def test_after_a_cue_whose_object_is_a_person_a_place_name_with_nothing_of_a_place_after_it_is_a_name(
    place: str, sentence: str
) -> None:
    _found_whole(sentence, place)


@settings(max_examples=200, deadline=None)
@given(
    place=st.sampled_from(_PLACE_NAMES),
    sentence=st.sampled_from(("送{}", "地址是{}", "给{}分公司", "寄往{}", "{}，")),
)
def test_a_place_name_where_a_place_may_stand_is_no_name(place: str, sentence: str) -> None:
    assert place not in names_in(sentence.format(place))
