from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.pii.fold import fold, to_halfwidth


def normalize_with_offsets(s: str) -> tuple[str, list[int]]:
    """fold(s) as (text, the original index of every folded character)."""
    folded = fold(s)
    return folded.text, [folded.origin(i) for i in range(len(folded.text))]


def test_fullwidth_digits_letters_and_punctuation_become_ascii() -> None:
    assert to_halfwidth("１３８（０１０）ＡＢｃ，＋８６") == "138(010)ABc,+86"


def test_the_ideographic_space_becomes_a_plain_space() -> None:
    assert to_halfwidth("张\u3000三") == "张 三"


def test_dash_variants_become_hyphens() -> None:
    assert to_halfwidth("138—1234–5678") == "138-1234-5678"


def test_han_characters_and_chinese_punctuation_are_left_alone() -> None:
    assert to_halfwidth("北京市、朝阳区。") == "北京市、朝阳区。"


@given(st.text())
def test_to_halfwidth_never_changes_the_length(s: str) -> None:
    assert len(to_halfwidth(s)) == len(s)


def test_normalize_with_offsets_drops_invisible_characters_and_maps_back() -> None:
    text, offsets = normalize_with_offsets("１３８\u200b１２")
    assert text == "13812"
    assert offsets == [0, 1, 2, 4, 5]


def test_normalize_with_offsets_expands_compatibility_characters_onto_one_offset() -> None:
    text, offsets = normalize_with_offsets("a㎏b")
    assert text == "akgb"
    assert offsets == [0, 1, 1, 2]


@given(st.text())
def test_every_output_character_points_into_the_input_in_order(s: str) -> None:
    text, offsets = normalize_with_offsets(s)
    assert len(text) == len(offsets)
    assert all(0 <= o < len(s) for o in offsets)
    assert offsets == sorted(offsets)


@given(st.text(alphabet=st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)))
def test_fullwidth_text_normalises_like_to_halfwidth(s: str) -> None:
    assert normalize_with_offsets(s)[0] == to_halfwidth(s)
