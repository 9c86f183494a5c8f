"""Labels draw every character they print (issue 6, item 7): a fallback font chain, refusal of the rest."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from parcelguard.adapters.render import LabelRenderer
from parcelguard.adapters.render import fonts as fonts_module
from parcelguard.adapters.render.fonts import LATIN, FontChain, default_chain
from parcelguard.adapters.render.raster_text import draw_text
from parcelguard.adapters.render.zpl import printer_can_draw
from parcelguard.domain.label import LabelParty
from parcelguard.errors import ErrorCode, LabelComplianceError
from tests.unit.render.conftest import make_label, strict_test_gate

EXT_B_NAME = "𠮷**"  # 𠮷祥云 as the label shows it; 𠮷 is U+20BB7, CJK Extension B
NO_FONT_HAS = "\U0003134a"  # CJK Extension G (Unicode 13): in no font of the chain
needs_hanazono = pytest.mark.skipif(
    not all(p.is_file() for p in fonts_module.SYSTEM_FALLBACK_FONTS),
    reason="fonts-hanazono is not installed (scripts/setup installs it)",
)
needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdffonts")), reason="poppler-utils is not installed"
)


def ext_b_label() -> object:
    return make_label(recipient=LabelParty(EXT_B_NAME, "138******78", "北京市朝阳区建国路**号****"))


@needs_hanazono
def test_an_extension_b_character_is_drawn_by_a_fallback_font_not_the_bundled_one() -> None:
    chain = default_chain()

    assert chain.font_for("𠮷") not in (None, 0, LATIN)
    assert chain.font_for("祥") == 0
    assert chain.missing_glyphs("𠮷祥云") == []


def test_windows_1252_punctuation_is_drawn_in_the_latin_faces() -> None:
    assert {default_chain().font_for(ch) for ch in "“”‘’—…•"} == {LATIN}


@needs_hanazono
@needs_poppler
def test_the_pdf_embeds_the_fallback_font_and_its_text_holds_the_extension_b_character(
    tmp_path: Path,
) -> None:
    path = tmp_path / "label.pdf"
    path.write_bytes(LabelRenderer(strict_test_gate).render_pdf(ext_b_label()))  # type: ignore[arg-type]

    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout

    assert EXT_B_NAME in text
    embedded = [line for line in fonts.splitlines() if re.search(r"\byes\s+yes\s+yes\b", line)]
    assert any("DroidSansFallback" in line for line in embedded)
    assert any("HanaMin" in line for line in embedded)


@needs_hanazono
def test_the_png_draws_the_extension_b_glyph_of_the_fallback_font_not_a_box() -> None:
    chain = default_chain()
    index = chain.font_for("𠮷")
    assert index is not None
    drawn = Image.new("1", (60, 60), 1)
    draw_text(drawn, 5, 45, "𠮷", 40, False, chain=chain)
    expected = Image.new("1", (60, 60), 1)
    font = ImageFont.truetype(str(chain.paths[index]), 40)
    ImageDraw.Draw(expected).text((5, 45), "𠮷", font=font, fill=0, anchor="ls")
    notdef = Image.new("1", (60, 60), 1)
    ImageDraw.Draw(notdef).text((5, 45), "𠮷", font=chain.pil_font(0, 40), fill=0, anchor="ls")

    assert ImageChops.difference(drawn, expected).getbbox() is None
    assert ImageChops.difference(drawn, notdef).getbbox() is not None
    assert LabelRenderer(strict_test_gate).render_png(ext_b_label()).startswith(b"\x89PNG")  # type: ignore[arg-type]


@needs_hanazono
def test_zpl_sends_a_line_the_printer_font_may_lack_as_a_graphic_field() -> None:
    zpl = LabelRenderer(strict_test_gate).render_zpl(ext_b_label())  # type: ignore[arg-type]

    assert "𠮷" not in zpl
    assert re.search(r"\^GFA,\d+,\d+,\d+,[0-9A-F]+\^FS", zpl)
    assert "北京市朝阳区建国路**号****" in zpl  # the other lines stay printer text
    assert not printer_can_draw("𠮷**") and printer_can_draw("张*  138******78")


@pytest.mark.parametrize("fmt", ["pdf", "png", "zpl"])
def test_a_label_with_a_character_no_font_has_is_refused_with_its_own_code(fmt: str) -> None:
    label = make_label(recipient=LabelParty(NO_FONT_HAS + "*", "138******78", "北京市朝阳区建国路**号****"))

    with pytest.raises(LabelComplianceError) as raised:
        LabelRenderer(strict_test_gate).render_label(label, fmt)

    assert raised.value.code is ErrorCode.LABEL_GLYPH_MISSING
    assert raised.value.field == "recipient.name"
    assert NO_FONT_HAS not in str(raised.value)


def test_without_the_fallback_fonts_an_extension_b_name_is_refused_not_boxed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fonts_module, "SYSTEM_FALLBACK_FONTS", ())
    renderer = LabelRenderer(strict_test_gate, fonts=FontChain())

    with pytest.raises(LabelComplianceError) as raised:
        renderer.render_label(ext_b_label(), "png")  # type: ignore[arg-type]

    assert raised.value.code is ErrorCode.LABEL_GLYPH_MISSING
