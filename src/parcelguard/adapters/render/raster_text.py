"""Text on 1-bit images from cached glyph bitmaps.

Pillow rasterises every glyph again on every call; a label's sixteen lines cost about 6 ms that way, more
than the whole label may take. Labels reuse a small alphabet (digits, '*', the common hanzi of addresses and
the fixed captions), so each glyph is rasterised once per size and then only pasted. Glyphs are placed by
their advance widths without kerning, which Latin capitals and digits on a label do not need.

A label pastes about 150 glyphs through Pillow's public `Image.paste` (its core image and private helpers
were faster by about 1.6 us a glyph, not worth tying the renderer to Pillow's internals), and a line's glyphs
are looked up once for both its width and its drawing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal

from PIL import Image, ImageDraw

from parcelguard.adapters.render.fonts import LATIN, FontChain, default_chain, pil_latin_font

_BLACK = 0
_freetype_lock = threading.Lock()

GLYPH_CACHE_SIZE = 16384
"""Glyphs kept (one character at one pixel size, bold or not; a few hundred bytes each). Names and addresses
draw on a few thousand hanzi at a dozen sizes; 4,096 filled up within a day's labels and then evicted glyphs
that came straight back."""

Glyph = tuple[Any, int, int, float]
"""``(mask, left, top, advance)``: the mask is a mode "1" image (None for a blank glyph)."""


@lru_cache(maxsize=GLYPH_CACHE_SIZE)
def _glyph(ch: str, size_px: int, bold: bool, chain: FontChain) -> Glyph:
    """``(mask, left, top, advance)`` of one character; ``left``/``top`` place the mask from the pen
    position on the baseline. The CJK fonts have no bold face, so bold CJK gets a one-pixel outline."""
    index = chain.font_for(ch)
    latin = index == LATIN
    stroke = 1 if bold and not latin else 0
    with _freetype_lock:  # a cached font is one FreeType face, unsafe to use from two threads at once
        font = pil_latin_font(size_px, bold) if latin else chain.pil_font(index or 0, size_px)
        advance = font.getlength(ch)
        left, top, right, bottom = (int(v) for v in font.getbbox(ch, anchor="ls", stroke_width=stroke))
        if right <= left or bottom <= top:
            return None, 0, 0, advance
        mask = Image.new("1", (right - left, bottom - top), 0)
        ImageDraw.Draw(mask).text((-left, -top), ch, fill=1, font=font, anchor="ls", stroke_width=stroke)
    return mask, left, top, advance


def glyphs(text: str, size_px: int, bold: bool, chain: FontChain | None = None) -> list[Glyph]:
    """The cached glyph of every character of ``text``, in order (for `glyphs_width` and `draw_glyphs`)."""
    chain = chain or default_chain()
    return [_glyph(ch, size_px, bold, chain) for ch in text]


def glyphs_width(line: Sequence[Glyph]) -> float:
    """Advance width in pixels of a line of `glyphs`."""
    return sum(glyph[3] for glyph in line)


def text_width(text: str, size_px: int, bold: bool, chain: FontChain | None = None) -> float:
    """Advance width of ``text`` in pixels, as `draw_text` will lay it out."""
    return glyphs_width(glyphs(text, size_px, bold, chain))


def draw_text(
    image: Image.Image,
    x: float,
    baseline: int,
    text: str,
    size_px: int,
    bold: bool,
    align: Literal["left", "center", "right"] = "left",
    chain: FontChain | None = None,
) -> None:
    """Draw ``text`` in black with its baseline at ``baseline``; ``x`` is its left, centre or right edge."""
    draw_glyphs(image, x, baseline, glyphs(text, size_px, bold, chain), align)


def draw_glyphs(
    image: Image.Image,
    x: float,
    baseline: int,
    line: Sequence[Glyph],
    align: Literal["left", "center", "right"] = "left",
) -> None:
    """Draw a line of `glyphs` in black as `draw_text` does (``x`` its left, centre or right edge)."""
    if align != "left":
        width = glyphs_width(line)
        x -= width / 2 if align == "center" else width
    paste = image.paste
    for mask, left, top, advance in line:
        if mask is not None:
            x0, y0 = round(x) + left, baseline + top
            width, height = mask.size
            paste(_BLACK, (x0, y0, x0 + width, y0 + height), mask)
        x += advance
