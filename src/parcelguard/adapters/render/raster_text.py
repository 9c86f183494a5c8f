"""Text on 1-bit images from cached glyph bitmaps.

Pillow rasterises every glyph again on every call; a label's sixteen lines cost about 6 ms that way, more
than the whole label may take. Labels reuse a small alphabet (digits, '*', the common hanzi of addresses and
the fixed captions), so each glyph is rasterised once per size and then only pasted. Glyphs are placed by
their advance widths without kerning, which Latin capitals and digits on a label do not need.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Literal

from PIL import Image, ImageDraw

from parcelguard.adapters.render.fonts import LATIN, FontChain, default_chain, pil_latin_font

_BLACK = 0
_freetype_lock = threading.Lock()


@lru_cache(maxsize=4096)
def _glyph(ch: str, size_px: int, bold: bool, chain: FontChain) -> tuple[Image.Image | None, int, int, float]:
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


def text_width(text: str, size_px: int, bold: bool, chain: FontChain | None = None) -> float:
    """Advance width of ``text`` in pixels, as `draw_text` will lay it out."""
    chain = chain or default_chain()
    return sum(_glyph(ch, size_px, bold, chain)[3] for ch in text)


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
    chain = chain or default_chain()
    if align != "left":
        width = text_width(text, size_px, bold, chain)
        x -= width / 2 if align == "center" else width
    for ch in text:
        mask, left, top, advance = _glyph(ch, size_px, bold, chain)
        if mask is not None:
            image.paste(_BLACK, (round(x) + left, baseline + top), mask)
        x += advance
