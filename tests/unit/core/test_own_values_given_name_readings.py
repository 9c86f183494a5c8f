"""A given name in pinyin is looked for in every reading of its characters (长江: chang jiang as well as
zhang jiang), since names are read a character at a time without pypinyin's phrase dictionary; every
spelling looked for before still is, the first readings' one first."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from parcelguard.domain.own_values import (
    _MAX_GIVEN_SPELLINGS,
    _SURNAME_READINGS,
    OwnValues,
    _party_pinyin,
    _syllables,
    mask_own_values,
)
from parcelguard.domain.pii.fold import fold
from parcelguard.errors import ValidationError
from tests.unit.core.test_own_values import order_with


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("张长江", "请交给zhang chang jiang", "请交给zhang ***** *****"),
        ("张长江", "请交给Zhang Changjiang本人", "请交给Zhang **********本人"),
        ("张长江", "zhang zhang jiang", "zhang ***** *****"),  # the first readings, as before
        ("王重阳", "wang chongyang", "wang *********"),
        ("李行", "li hang", "li ****"),
        ("曾乐", "zeng yue", "zeng ***"),
        ("张伟", "zhang wei", "zhang ***"),
    ],
)
def test_a_given_name_is_masked_in_any_reading_of_its_characters(name: str, text: str, expected: str) -> None:
    assert mask_own_values(text, OwnValues.of(order_with(name=name))) == expected


def _first_readings_spellings(name: str) -> list[tuple[str, ...]]:
    """What `_party_pinyin` looked for before every reading was: the first readings of the given name."""
    value = fold(name).text
    surname = value[:2] if value[:2] in _SURNAME_READINGS else value[:1]
    rest = _syllables(value[len(surname) :])
    readings = [_SURNAME_READINGS.get(surname), _syllables(surname)]
    return [s for s in dict.fromkeys(r + rest for r in readings if r is not None) if len(s) >= 2]


_NAME_CHARACTERS = "张王李曾单尉迟长江重阳行乐调都伟娜欧阳晓彤区朴和会说省参差"


@settings(max_examples=200, deadline=None)
@given(name=st.text(alphabet=_NAME_CHARACTERS, min_size=2, max_size=4))
def test_every_spelling_looked_for_before_still_is_and_the_first_readings_come_first(name: str) -> None:
    try:
        order = order_with(name=name)
    except ValidationError:
        assume(False)
        return
    spellings = [syllables for syllables, _ in _party_pinyin(order.recipient)]
    before = _first_readings_spellings(order.recipient.name.value)
    assert set(before) <= set(spellings)
    assert not before or spellings[0] == before[0]
    assert len(spellings) <= 2 * _MAX_GIVEN_SPELLINGS
