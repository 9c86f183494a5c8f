"""The glyph check's compact character maps answer exactly as the sets of code points did (issue 9)."""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.ttfonts import TTFontFile

from parcelguard.adapters.render import fonts as fonts_module
from parcelguard.adapters.render.fonts import LATIN, CodePointRanges, FontChain

CHAIN_FILES = [
    fonts_module.CJK_FONT_FILE,
    *(path for path in fonts_module.SYSTEM_FALLBACK_FONTS if path.is_file()),
    fonts_module.LATIN_FONT_FILE,  # a font with a different cmap layout, as an extra font of the chain
]
ANY_CODE_POINT = st.integers(min_value=0, max_value=0x10FFFF)
ASTRAL = st.integers(min_value=0x10000, max_value=0x10FFFF)
CODE_SETS = st.frozensets(st.one_of(st.integers(0, 300), ANY_CODE_POINT), max_size=200)


@cache
def plain_characters(path: Path) -> frozenset[int]:
    """The set the glyph check held before: the keys of reportlab's own parse of the whole file."""
    return frozenset(TTFontFile(str(path)).charToGlyph)


@cache
def compact_characters(path: Path) -> CodePointRanges:
    return FontChain(extra=[path])._fonts[-1].characters


def near_members(path: Path) -> st.SearchStrategy[int]:
    """A code point the font has, or one beside it: the edges of its ranges."""
    members = sorted(plain_characters(path))
    return st.tuples(st.sampled_from(members), st.integers(-2, 2)).map(lambda pair: max(0, pair[0] + pair[1]))


@pytest.mark.parametrize("path", CHAIN_FILES, ids=lambda path: path.name)
def test_the_compact_map_of_each_font_holds_exactly_the_code_points_of_its_set(path: Path) -> None:
    compact = compact_characters(path)

    assert frozenset(compact) == plain_characters(path)
    assert len(compact) == len(plain_characters(path))


@pytest.mark.parametrize("path", CHAIN_FILES, ids=lambda path: path.name)
@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_the_compact_map_answers_as_the_set_for_every_code_point_sampled(
    path: Path, data: st.DataObject
) -> None:
    code = data.draw(st.one_of(ANY_CODE_POINT, ASTRAL, near_members(path)))

    assert (code in compact_characters(path)) == (code in plain_characters(path))


@given(codes=CODE_SETS, probe=st.one_of(ANY_CODE_POINT, st.integers(-5, 305)))
def test_ranges_hold_the_code_points_they_were_given_and_no_other(codes: frozenset[int], probe: int) -> None:
    ranges = CodePointRanges(codes)

    assert (probe in ranges) == (probe in codes)
    assert list(ranges) == sorted(codes)
    assert len(ranges) == len(codes)


@given(codes=CODE_SETS)
def test_ranges_are_disjoint_and_never_touch(codes: frozenset[int]) -> None:
    pairs = list(CodePointRanges(codes).ranges())

    assert all(start <= end for start, end in pairs)
    assert all(end + 1 < start for (_, end), (start, _) in pairwise(pairs))


@given(first=CODE_SETS, second=CODE_SETS)
def test_the_union_of_two_range_sets_is_the_union_of_their_code_points(
    first: frozenset[int], second: frozenset[int]
) -> None:
    union = CodePointRanges(first) | CodePointRanges(second)

    assert list(union) == sorted(first | second)
    assert list(union.ranges()) == list(CodePointRanges(first | second).ranges())


def test_only_integers_are_members() -> None:
    assert "a" not in CodePointRanges([ord("a")])


class _SetChain:
    """The chain's answers as they were, from sets of code points: the plain path the ranges must match."""

    def __init__(self, paths: list[Path]) -> None:
        self.sets = [plain_characters(path) for path in paths]

    def font_for(self, ch: str) -> int | None:
        code = ord(ch)
        if code < 0x100 or ch in fonts_module._WINANSI_EXTRAS:
            return LATIN
        return next((index for index, codes in enumerate(self.sets) if code in codes), None)

    def missing_glyphs(self, text: str) -> list[str]:
        return [ch for ch in dict.fromkeys(text) if self.font_for(ch) is None]


CHAIN = FontChain()
SET_CHAIN = _SetChain(list(CHAIN.paths))
CHAIN_CHARACTERS = st.one_of(
    st.characters(codec="utf-8"),
    st.characters(min_codepoint=0x3400, max_codepoint=0x9FFF),  # Extension A and the main block
    st.characters(min_codepoint=0x20000, max_codepoint=0x3134F),  # Extensions B to G
    st.sampled_from(sorted(plain_characters(fonts_module.CJK_FONT_FILE))).map(chr),
)


@settings(max_examples=300, deadline=None)
@given(text=st.text(CHAIN_CHARACTERS, max_size=40))
def test_the_chain_draws_and_refuses_every_character_as_the_sets_did(text: str) -> None:
    assert CHAIN.missing_glyphs(text) == SET_CHAIN.missing_glyphs(text)
    assert [CHAIN.font_for(ch) for ch in text] == [SET_CHAIN.font_for(ch) for ch in text]
