"""The fonts a label is drawn with, located once and loaded once per process.

The bundled Droid Sans Fallback carries the CJK glyphs but, being a fallback font, no Latin letters or
digits at all; those come from Bitstream Vera, which reportlab ships in its own package. Every string is
therefore drawn as runs, each in the font that has its glyphs (`text_runs`).

Parsing a 4 MB CJK font is by far the slowest step of a first render, so each toolkit (reportlab, Pillow)
gets each font exactly once and every later label reuses it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
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

_LATIN_END = 0x250  # Basic Latin, Latin-1 and Latin Extended-A/B: what Vera draws
_register_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class PdfFonts:
    """reportlab names of the registered fonts."""

    cjk: str
    latin: str
    latin_bold: str


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
def pdf_fonts() -> PdfFonts:
    """Register the fonts with reportlab, embedded and subset so every PDF reader (and pdftotext) gets the
    same glyphs and real text. Vera is embedded rather than using Helvetica so PDF and PNG look alike."""
    names = PdfFonts(cjk="ParcelGuardCJK", latin="ParcelGuardLatin", latin_bold="ParcelGuardLatinBold")
    files = {names.cjk: CJK_FONT_FILE, names.latin: LATIN_FONT_FILE, names.latin_bold: LATIN_BOLD_FONT_FILE}
    with _register_lock:
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, path in files.items():
            if name not in registered:
                # asciiReadable=False: ASCII glyphs go through the same ToUnicode map as the rest
                pdfmetrics.registerFont(TTFont(name, str(path), asciiReadable=False))
    return names


@lru_cache(maxsize=64)
def pil_cjk_font(size_px: int) -> ImageFont.FreeTypeFont:
    """The CJK font at one pixel size; a label uses a handful of sizes, so this cache stays small."""
    return ImageFont.truetype(str(CJK_FONT_FILE), size_px)


@lru_cache(maxsize=64)
def pil_latin_font(size_px: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(LATIN_BOLD_FONT_FILE if bold else LATIN_FONT_FILE), size_px)
