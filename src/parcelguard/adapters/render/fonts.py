"""The fonts a label is drawn with, located once and loaded once per process.

The bundled Droid Sans Fallback carries the CJK glyphs but, being a fallback font, no Latin letters or
digits at all. Latin text is drawn in Helvetica in PDFs (built into every reader) and in Bitstream Vera,
which reportlab ships in its own package, in PNGs. Every string is therefore drawn as runs, each in the font
that has its glyphs (`text_runs`).

Parsing a 4 MB CJK font is by far the slowest step of a first render, so each toolkit (reportlab, Pillow)
gets each font exactly once and every later label reuses it.
"""

from __future__ import annotations

import threading
from functools import cache, lru_cache
from pathlib import Path

import reportlab
from PIL import ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

CJK_FONT_FILE = Path(__file__).with_name("fonts") / "DroidSansFallbackFull.ttf"
_VERA_DIR = Path(reportlab.__file__).with_name("fonts")
LATIN_FONT_FILE = _VERA_DIR / "Vera.ttf"
LATIN_BOLD_FONT_FILE = _VERA_DIR / "VeraBd.ttf"

PDF_CJK_FONT_NAME = "ParcelGuardCJK"
_LATIN_END = 0x100  # Basic Latin and Latin-1: what both Helvetica (WinAnsi) and Vera draw
_register_lock = threading.Lock()


def text_runs(text: str) -> list[tuple[bool, str]]:
    """Split ``text`` into ``(is_latin, run)`` pieces so each is drawn in a font that has its glyphs."""
    runs: list[tuple[bool, str]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or (ord(text[i]) < _LATIN_END) != (ord(text[start]) < _LATIN_END):
            runs.append((ord(text[start]) < _LATIN_END, text[start:i]))
            start = i
    return runs


@cache
def pdf_cjk_font() -> str:
    """Register the CJK font with reportlab, embedded and subset so every PDF reader (and pdftotext) gets
    the same glyphs and real text, and return its reportlab name."""
    with _register_lock:
        if PDF_CJK_FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(PDF_CJK_FONT_NAME, str(CJK_FONT_FILE)))
    return PDF_CJK_FONT_NAME


@lru_cache(maxsize=64)
def pil_cjk_font(size_px: int) -> ImageFont.FreeTypeFont:
    """The CJK font at one pixel size; a label uses a handful of sizes, so this cache stays small."""
    return ImageFont.truetype(str(CJK_FONT_FILE), size_px)


@lru_cache(maxsize=64)
def pil_latin_font(size_px: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(LATIN_BOLD_FONT_FILE if bold else LATIN_FONT_FILE), size_px)
