"""The glyph check reads each font's character map alone (issue 9: memory); the TTFont waits for a PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from parcelguard.adapters.render import fonts as fonts_module
from parcelguard.adapters.render.fonts import FontChain

CHAIN_FILES = [
    fonts_module.CJK_FONT_FILE,
    *(path for path in fonts_module.SYSTEM_FALLBACK_FONTS if path.is_file()),
    fonts_module.LATIN_FONT_FILE,  # a font with a different cmap layout, as an extra font of the chain
]


@pytest.mark.parametrize("path", CHAIN_FILES, ids=lambda path: path.name)
def test_the_characters_of_every_chain_font_are_those_of_its_reportlab_font(path: Path) -> None:
    read_alone = FontChain(extra=[path])._fonts[-1]
    from_ttfont = FontChain(extra=[path])._fonts[-1]
    _ = from_ttfont.reportlab_font  # built first: the set then comes from it
    expected = frozenset(TTFont("ParcelGuardTestFont", str(path)).face.charToGlyph)

    assert frozenset(read_alone.characters) == expected
    assert frozenset(from_ttfont.characters) == expected


def test_the_glyph_check_builds_no_reportlab_font() -> None:
    chain = FontChain()

    assert "\U0003134a" in chain.missing_glyphs("收件人张三 \U00020bb7 \U0003134a")
    assert all("reportlab_font" not in vars(font) for font in chain._fonts)


def test_a_pdf_font_is_still_registered_when_a_pdf_needs_it() -> None:
    chain = FontChain()
    chain.missing_glyphs("收件人张三")

    name = chain.pdf_font(0)

    assert name == chain._fonts[0].pdf_name
    assert frozenset(pdfmetrics.getFont(name).face.charToGlyph) == frozenset(chain._fonts[0].characters)
