from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.pii.name import COMPOUND_SURNAMES, NAME_SEPARATORS, PersonName
from parcelguard.errors import ErrorCode, ValidationError

from .strategies import han_chars


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("张三", "张*"),
        ("李小龙", "李**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马相如", "司马**"),
        ("诸葛亮", "诸葛*"),
        ("张先生", "张**"),
    ],
)
def test_a_han_name_keeps_the_surname_and_hides_every_other_character(raw: str, masked: str) -> None:
    assert PersonName.parse(raw).masked() == masked


def test_a_compound_surname_is_recognised() -> None:
    name = PersonName.parse("欧阳娜娜")
    assert (name.value, name.script, name.surname) == ("欧阳娜娜", "han", "欧阳")


def test_a_name_that_is_only_a_surname_hides_its_last_character() -> None:
    assert PersonName.parse("欧阳").masked() == "欧*"
    assert PersonName.parse("王").masked() == "*"


def test_spaces_inside_a_han_name_are_dropped() -> None:
    assert PersonName.parse(" 张\u3000三 ").value == "张三"


def test_a_minority_name_keeps_its_middle_dot_and_only_the_first_character() -> None:
    name = PersonName.parse("阿卜杜·热合曼")
    assert name.surname is None
    assert name.masked() == "阿**·***"


@pytest.mark.parametrize("dot", sorted(NAME_SEPARATORS | {"．", "–", "—", "-"}))
def test_every_separator_between_the_parts_of_a_minority_name_becomes_a_middle_dot(dot: str) -> None:
    assert PersonName.parse(f"买买提{dot}艾力").value == "买买提·艾力"


@pytest.mark.parametrize(
    ("raw", "value", "masked"),
    [
        ("古丽米拉.买合木提", "古丽米拉·买合木提", "古***·****"),
        ("米热古丽.艾则孜", "米热古丽·艾则孜", "米***·***"),
        ("斯琴巴雅尔", "斯琴巴雅尔", "斯****"),
        ("𠮷祥云", "𠮷祥云", "𠮷**"),
        ("王𠮷", "王𠮷", "王*"),
        ("張偉", "張偉", "張*"),
        ("歐陽娜娜", "歐陽娜娜", "歐陽**"),
        ("司馬相如", "司馬相如", "司馬**"),
        ("㛃莹", "㛃莹", "㛃*"),
    ],
)
def test_minority_rare_character_and_traditional_names_parse_and_mask(
    raw: str, value: str, masked: str
) -> None:
    name = PersonName.parse(raw)
    assert (name.value, name.masked()) == (value, masked)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("John Smith", "J*** S****"),
        ("Mary-Jane O'Neil", "M******** O*****"),
        ("  Anna   Lee ", "A*** L**"),
        ("José Ñúñez", "J*** Ñ****"),
    ],
)
def test_a_latin_name_keeps_the_first_letter_of_each_word(raw: str, masked: str) -> None:
    name = PersonName.parse(raw)
    assert name.script == "latin"
    assert name.masked() == masked


def test_a_latin_name_of_single_letters_still_hides_one() -> None:
    assert PersonName.parse("A B").masked() == "A *"


def test_the_typographic_apostrophe_is_normalised() -> None:
    assert PersonName.parse("Mary O’Neil").value == "Mary O'Neil"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "张3",
        "John2",
        "张\x00三",
        "张\n三",
        "张Mary",
        "·张三",
        "张··三",
        "-John",
        "a" * 31,
        "张" * 11,
    ],
)
def test_invalid_names_are_rejected_with_the_name_code(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PersonName.parse(raw)
    assert caught.value.code is ErrorCode.INVALID_NAME
    assert caught.value.field == "name"


def test_the_repr_shows_only_the_masked_name() -> None:
    assert "小龙" not in repr(PersonName.parse("李小龙"))


han_names = st.builds(
    lambda surname, given: surname + given,
    st.sampled_from(sorted(COMPOUND_SURNAMES)) | han_chars,
    st.text(han_chars, min_size=0, max_size=4),
)


@given(han_names)
def test_a_masked_han_name_hides_at_least_one_character_and_keeps_its_length(raw: str) -> None:
    name = PersonName.parse(raw)
    masked = name.masked()
    assert "*" in masked
    assert len(masked) == len(name.value)
    assert masked.replace("*", "") == name.value[: len(masked.replace("*", ""))]


latin_words = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=1, max_size=8
)


@given(st.lists(latin_words, min_size=1, max_size=3))
def test_a_masked_latin_name_hides_at_least_one_letter(words: list[str]) -> None:
    masked = PersonName.parse(" ".join(words)).masked()
    assert "*" in masked
    if any(len(w) > 1 for w in words):
        assert [w[0] for w in masked.split(" ")] == [w[0] for w in words]


@given(han_names)
def test_parsing_a_parsed_name_gives_the_same_name(raw: str) -> None:
    name = PersonName.parse(raw)
    assert PersonName.parse(name.value) == name
