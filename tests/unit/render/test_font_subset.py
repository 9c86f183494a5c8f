"""The fast font subsetter writes exactly the TrueType subsets reportlab's own method writes (issue 9)."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfdoc, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from parcelguard.adapters.render.font_subset import FastSubsetter
from parcelguard.adapters.render.fonts import default_chain

CHAIN_PATHS = default_chain().paths


@cache
def _face(index: int) -> Any:
    """A face of its own (not the chain's, whose makeSubset is already the fast one)."""
    return TTFont(f"SubsetTest{index}", str(CHAIN_PATHS[index])).face


@cache
def _codes(index: int) -> list[int]:
    return sorted(_face(index).charToGlyph)


def _reportlab(face: Any, subset: list[int]) -> bytes:
    result: bytes = ttfonts.TTFontFile.makeSubset(face, subset)
    return result


@st.composite
def subsets(draw: st.DrawFn) -> tuple[int, list[int]]:
    """A font of the chain and up to 256 distinct code points, mostly ones it has, some it has not."""
    index = draw(st.integers(0, len(CHAIN_PATHS) - 1))
    codes = _codes(index)
    picked = draw(st.lists(st.integers(0, len(codes) - 1), min_size=1, max_size=256, unique=True))
    subset = [codes[i] for i in picked]
    subset += draw(st.lists(st.sampled_from([0x3134A, 0xE000, 0x10FFFD]), max_size=2, unique=True))
    return index, subset


@settings(max_examples=60, deadline=None)
@given(subsets())
def test_every_subset_is_byte_for_byte_reportlabs(case: tuple[int, list[int]]) -> None:
    index, subset = case
    face = _face(index)
    assert FastSubsetter(face).make_subset(subset) == _reportlab(face, subset)


def test_glyphs_read_once_are_reused_and_composites_are_renumbered_per_subset() -> None:
    face = _face(0)  # the bundled Droid Sans Fallback: thousands of composite glyphs
    subsetter = FastSubsetter(face)
    composite = [code for code in _codes(0)[:4000] if _is_composite(face, face.charToGlyph[code])][:40]
    assert composite, "the bundled font has composite glyphs"
    first = composite[:20] + [ord(c) for c in "收寄件人地址电话0123456789*"]
    second = composite[20:] + first[::-1]
    for subset in (first, second, first):  # the second and third reuse glyphs the first read
        assert subsetter.make_subset(subset) == _reportlab(face, subset)


def test_the_chain_fonts_subset_with_the_fast_subsetter() -> None:
    font = default_chain()._fonts[0].reportlab_font
    assert getattr(font.face.makeSubset, "__self__", None).__class__ is FastSubsetter


def test_a_glyph_shorter_than_its_header_goes_to_reportlabs_method(monkeypatch: pytest.MonkeyPatch) -> None:
    face = _face(0)
    subsetter = FastSubsetter(face)
    code = ord("收")
    glyph = face.charToGlyph[code]
    positions = list(face.glyphPos)
    positions[glyph + 1] = positions[glyph] + 2  # a 2-byte glyph: no real font has one
    monkeypatch.setattr(face, "glyphPos", positions)
    called: list[list[int]] = []
    original = ttfonts.TTFontFile.makeSubset

    def spy(self: Any, subset: list[int]) -> bytes:
        called.append(list(subset))
        result: bytes = original(self, subset)
        return result

    monkeypatch.setattr(ttfonts.TTFontFile, "makeSubset", spy)
    subsetter.make_subset([code])
    assert called == [[code]]


def _is_composite(face: Any, glyph: int) -> bool:
    start = face.get_table_pos("glyf")[0]
    position = face.glyphPos[glyph]
    size = face.glyphPos[glyph + 1] - position
    return size > 2 and face._ttf_data[start + position] & 0x80 != 0


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(CHAIN_PATHS) - 1), st.data())
def test_widths_are_handed_over_as_reportlabs_formatter_writes_them(index: int, data: st.DataObject) -> None:
    face = _face(index)
    code = data.draw(st.sampled_from(_codes(index)) | st.integers(0, 0x10FFFF))
    number = face.charWidths.get(code, face.defaultWidth)
    document = pdfdoc.PDFDocument(invariant=True)
    formatted = FastSubsetter(face).formatted_width(code)
    assert formatted == pdfdoc.format(number, document)
    assert pdfdoc.format(formatted, document) == formatted  # passes through the formatter unchanged
