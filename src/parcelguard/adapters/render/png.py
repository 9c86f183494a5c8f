"""Labels as 1-bit PNG images at 203 dpi (799 x 1199 px), for previews and printers fed with raster images.

Thermal heads print black or nothing, so the image is 1-bit: what the screen shows is exactly what the head
burns. Bars and QR modules are whole pixels wide with their quiet zones, so the image scans as printed.
The part of the layout that is the same on every label is drawn once and copied.
"""

from __future__ import annotations

import re
from functools import lru_cache

from PIL import Image, ImageDraw
from PIL import _imaging as pillow_core

from parcelguard.adapters.render.fonts import FontChain, default_chain
from parcelguard.adapters.render.png_codec import encode_png_1bit
from parcelguard.adapters.render.raster_text import Glyph, draw_glyphs, glyphs, glyphs_width
from parcelguard.adapters.render.symbols import code128_modules, qr_matrix
from parcelguard.adapters.render.units import (
    CODE128_MAX_MODULE_DOTS,
    CODE128_QUIET_MODULES,
    DPI,
    QR_MAX_MODULE_DOTS,
    QR_QUIET_MODULES,
    dots,
    module_dots,
    pt_to_dots,
)
from parcelguard.domain.label import (
    Box,
    Code128,
    Element,
    LabelData,
    LabelGate,
    Line,
    QrCode,
    Text,
    layout_label,
)

_BLACK = 0
_WHITE = 1
PILLOW_BLOCKS_KEPT = 8
"""Freed image memory blocks Pillow keeps for reuse (its PILLOW_BLOCKS_MAX, 0 by default), when the deployment
has not set it: a PNG label allocates about 2 MB of images (the copied background, the framed copy the
encoder packs) and without the pool each allocation came back as fresh pages from the kernel, 550 page
faults and about 0.8 ms of a 2.5 ms label (issue 9). At most this many blocks are kept, each no larger than
Pillow's block size (16 MiB; a label's are about 1 MB)."""


class PngLabelRenderer:
    """Rasterises label layouts, after the gate has passed the label."""

    def __init__(self, gate: LabelGate, chain: FontChain | None = None) -> None:
        self._gate = gate
        self._chain = chain or default_chain()
        if pillow_core.get_blocks_max() == 0:
            pillow_core.set_blocks_max(PILLOW_BLOCKS_KEPT)
        self._last_background: tuple[tuple[Element, ...] | None, Image.Image] = (None, Image.new("1", (1, 1)))

    def render(self, data: LabelData) -> bytes:
        """One label as a 1-bit PNG with its resolution (203 dpi) recorded, so it prints at 100 x 150 mm."""
        return encode_png_1bit(self.render_image(data), DPI)

    def render_image(self, data: LabelData) -> Image.Image:
        """The label as a Pillow image (mode "1"), for callers that compose or print rasters themselves."""
        self._gate(data)
        layout = layout_label(data)
        width, height = dots(layout.width_mm), dots(layout.height_mm)
        last_elements, background = self._last_background
        # the layout hands out one background tuple: checked by identity, not by hashing its elements
        if layout.background is not last_elements or background.size != (width, height):
            background = _background_image(layout.background, width, height, self._chain)
            self._last_background = (layout.background, background)
        image = background.copy()
        _draw_elements(image, layout.foreground, self._chain)
        return image


@lru_cache(maxsize=4)
def _background_image(
    background: tuple[Element, ...], width: int, height: int, chain: FontChain
) -> Image.Image:
    """The frame, captions and notice, drawn once per process; callers copy it before drawing on it."""
    image = Image.new("1", (width, height), _WHITE)
    _draw_elements(image, background, chain)
    return image


def _draw_elements(image: Image.Image, elements: tuple[Element, ...], chain: FontChain) -> None:
    draw = ImageDraw.Draw(image)
    for element in elements:
        if isinstance(element, Text):
            draw_text_element(image, element, chain)
        elif isinstance(element, Line):
            _draw_line(draw, element)
        elif isinstance(element, Box):
            _draw_box(draw, element)
        elif isinstance(element, Code128):
            _draw_code128(image, element)
        else:
            _draw_qr(image, element)


def text_size_px(text: Text, chain: FontChain) -> int:
    """The pixel size ``text`` is drawn at: its own, shrunk in whole pixels to fit ``max_width``."""
    return sized_glyphs(text, chain)[0]


def sized_glyphs(text: Text, chain: FontChain) -> tuple[int, list[Glyph]]:
    """`text_size_px` and the glyphs of ``text`` at that size (measured once, drawn with the same)."""
    size = pt_to_dots(text.size_pt)
    line = glyphs(text.text, size, text.bold, chain)
    if text.max_width is not None:
        width, limit = glyphs_width(line), dots(text.max_width)
        if width > limit:
            # shrink in whole pixel sizes, so the glyph cache stays bounded
            shrunk = max(1, int(size * limit / width))
            if shrunk != size:
                size, line = shrunk, glyphs(text.text, shrunk, text.bold, chain)
    return size, line


def draw_text_element(image: Image.Image, text: Text, chain: FontChain) -> None:
    """Draw one layout text on a 1-bit image at 203 dpi, as PNG labels (and ZPL graphic fields) show it."""
    draw_glyphs(image, dots(text.x), dots(text.y), sized_glyphs(text, chain)[1], text.align)


def _draw_line(draw: ImageDraw.ImageDraw, line: Line) -> None:
    thickness = max(1, dots(line.thickness))
    left, right = sorted((dots(line.x1), dots(line.x2)))
    top, bottom = sorted((dots(line.y1), dots(line.y2)))
    if top == bottom:
        top -= thickness // 2
        bottom = top + thickness - 1
    else:
        left -= thickness // 2
        right = left + thickness - 1
    draw.rectangle((left, top, right, bottom), fill=_BLACK)


def _draw_box(draw: ImageDraw.ImageDraw, box: Box) -> None:
    left, top = dots(box.x), dots(box.y)
    right, bottom = dots(box.x + box.width) - 1, dots(box.y + box.height) - 1
    draw.rectangle((left, top, right, bottom), outline=_BLACK, width=max(1, dots(box.thickness)))


def _draw_code128(image: Image.Image, code: Code128) -> None:
    """Each bar a filled box of whole modules (the pixels ImageDraw.rectangle fills; a label has about 40)."""
    modules = code128_modules(code.value)
    area = dots(code.width)
    module = module_dots(area, len(modules), CODE128_QUIET_MODULES, CODE128_MAX_MODULE_DOTS)
    left = dots(code.x) + (area - len(modules) * module) // 2
    top, bottom = dots(code.y), dots(code.y + code.height)
    for bar in _BARS.finditer(modules):
        image.paste(_BLACK, (left + bar.start() * module, top, left + bar.end() * module, bottom))


_BARS = re.compile("1+")


def _draw_qr(image: Image.Image, qr: QrCode) -> None:
    """Scale the module matrix by a whole number of pixels (nearest neighbour keeps modules square)."""
    matrix = qr_matrix(qr.payload)
    side = len(matrix)
    area = dots(qr.size)
    module = module_dots(area, side, QR_QUIET_MODULES, QR_MAX_MODULE_DOTS)
    # one byte per module, 0 (dark) or 255 (light), scaled up as a single image
    light = b"".join(matrix).translate(_MODULE_TO_GREY)
    symbol = Image.frombytes("L", (side, side), light)
    symbol = symbol.resize((side * module, side * module), Image.Resampling.NEAREST).convert("1")
    offset = (area - side * module) // 2
    image.paste(symbol, (dots(qr.x) + offset, dots(qr.y) + offset))


_MODULE_TO_GREY = bytes([255, 0]) + bytes(254)
