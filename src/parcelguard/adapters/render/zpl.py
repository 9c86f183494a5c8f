"""Labels as ZPL II, the command language of Zebra-compatible thermal printers (203 dpi).

Sending ZPL instead of an image lets the printer draw text and barcodes with its own fonts and encoders:
a label is a couple of kilobytes and the bars come out at the head's native resolution. Positions come from
the same layout as the PDF and PNG, converted from millimetres to dots.

Field data is escaped with ^FH: '^' and '~' inside a name or address would otherwise be read as commands
(a crafted address could reconfigure the printer), and '_' is the escape character itself.

Printer-resident CJK fonts cover GBK (the BMP's common characters) at best. A line holding anything beyond
that (𠮷 in a name: CJK Extension B) is drawn here with the PNG renderer's font chain and sent as a ^GF
graphic field, so the printer prints exactly the glyphs the PDF and PNG show instead of a box or nothing.
"""

from __future__ import annotations

import math
from functools import lru_cache

from PIL import Image

from parcelguard.adapters.render.fonts import FontChain, default_chain
from parcelguard.adapters.render.png import sized_glyphs
from parcelguard.adapters.render.raster_text import draw_glyphs, glyphs_width
from parcelguard.adapters.render.symbols import (
    QR_ERROR_LEVEL,
    QR_MASK,
    code128_modules,
    is_qr_alphanumeric,
    qr_side_modules,
)
from parcelguard.adapters.render.units import (
    CODE128_MAX_MODULE_DOTS,
    CODE128_QUIET_MODULES,
    QR_MAX_MODULE_DOTS,
    QR_QUIET_MODULES,
    dots,
    module_dots,
    pt_to_dots,
)
from parcelguard.domain.label import (
    LABEL_WIDTH_MM,
    Box,
    Code128,
    Element,
    LabelData,
    LabelGate,
    Line,
    QrCode,
    Text,
    estimate_text_width_mm,
    layout_label,
)

DEFAULT_CJK_FONT = "E:ANMDS.TTF"
"""Printer-resident Simplified Chinese TrueType font used for non-ASCII text (^A@). Zebra's Asian font kit
installs it under this name; printers with another CJK font take its name through the constructor."""

_ESCAPED = {ord("_"): "_5F", ord("^"): "_5E", ord("~"): "_7E"}
_ESCAPED.update({code: f"_{code:02X}" for code in range(0x20)})
_JUSTIFY = {"left": "L", "center": "C", "right": "R"}


def escape_field(value: str) -> str:
    """``value`` safe inside ^FH_^FD ... ^FS: command characters, '_' and control characters as _XX hex."""
    return value.translate(_ESCAPED)


class ZplLabelRenderer:
    """Writes label layouts as ZPL II, after the gate has passed the label."""

    def __init__(
        self, gate: LabelGate, *, cjk_font: str = DEFAULT_CJK_FONT, chain: FontChain | None = None
    ) -> None:
        self._gate = gate
        self._chain = chain or default_chain()
        self._cjk_font = cjk_font
        self._background: dict[tuple[Element, ...], str] = {}
        self._last_background: tuple[tuple[Element, ...] | None, str] = (None, "")
        self._label_width = dots(LABEL_WIDTH_MM)

    def render(self, data: LabelData) -> str:
        """One label, ^XA to ^XZ, UTF-8 field data (^CI28)."""
        self._gate(data)
        layout = layout_label(data)
        last_elements, background = self._last_background
        if layout.background is not last_elements:  # the layout hands out one tuple: no hashing of it
            found = self._background.get(layout.background)
            if found is None:
                # the frame and captions are the same on every label: format them once
                found = "".join(self._element(element) for element in layout.background)
                self._background[layout.background] = found
            background = found
            self._last_background = (layout.background, found)
        width, height = dots(layout.width_mm), dots(layout.height_mm)
        parts = [f"^XA\n^CI28\n^PW{width}\n^LL{height}\n^LH0,0\n", background]
        parts += [self._element(element) for element in layout.foreground]
        parts.append("^XZ\n")
        return "".join(parts)

    def _element(self, element: Element) -> str:
        if isinstance(element, Text):
            if not printer_can_draw(element.text):
                return _graphic_text(element, self._chain)
            return _text(element, self._cjk_font, self._label_width)
        if isinstance(element, Line):
            return _line(element)
        if isinstance(element, Box):
            return _box(element)
        if isinstance(element, Code128):
            return _code128(element)
        return _qr(element)


@lru_cache(maxsize=4096)
def _text(text: Text, cjk_font: str, label_width: int) -> str:
    """One ^FT text field. Cached: carrier, dates, routing and captions repeat from label to label."""
    height = pt_to_dots(text.size_pt)
    if text.max_width is not None:
        # the printer measures nothing for us: shrink by the layout's own generous estimate
        estimate = estimate_text_width_mm(text.text, text.size_pt)
        if estimate > text.max_width:
            height = max(10, int(height * text.max_width / estimate))
    font = f"^A0N,{height},{height}" if text.text.isascii() else f"^A@N,{height},{height},{cjk_font}"
    x, y = dots(text.x), dots(text.y)
    block = ""
    if text.align != "left":
        # ^FB justifies within a block; with ^FT the block's single line sits on the baseline y
        if text.max_width is not None:
            width = dots(text.max_width)
        else:  # as wide as the label allows on the justified side
            width = 2 * min(x, label_width - x) if text.align == "center" else x
        x = x - width // 2 if text.align == "center" else x - width
        block = f"^FB{width},1,0,{_JUSTIFY[text.align]}"
    return f"^FT{max(0, x)},{y}{font}{block}^FH_^FD{escape_field(text.text)}^FS\n"


@lru_cache(maxsize=8192)
def printer_can_draw(text: str) -> bool:
    """Whether a printer-resident font can be trusted with ``text``: ASCII, or characters GBK encodes."""
    if text.isascii():
        return True
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def _graphic_text(text: Text, chain: FontChain) -> str:
    """One text line as a ^GFA graphic field, drawn exactly as the PNG label draws it."""
    size, line = sized_glyphs(text, chain)
    width = math.ceil(glyphs_width(line)) + 2
    width += -width % 8  # whole bytes per row, so no padding bit turns black
    ascent, height = size, math.ceil(size * 1.3)
    image = Image.new("1", (width, height), 1)
    draw_glyphs(image, 1, ascent, line)
    x = dots(text.x)
    if text.align == "center":
        x -= width // 2
    elif text.align == "right":
        x -= width
    raw = image.tobytes()
    data = bytes(255 - b for b in raw).hex().upper()  # ZPL: 1 is a black dot, Pillow: 1 is white
    row_bytes = width // 8
    return f"^FO{max(0, x)},{max(0, dots(text.y) - ascent)}^GFA,{len(raw)},{len(raw)},{row_bytes},{data}^FS\n"


def _line(line: Line) -> str:
    thickness = max(1, dots(line.thickness))
    left, right = sorted((dots(line.x1), dots(line.x2)))
    top, bottom = sorted((dots(line.y1), dots(line.y2)))
    if top == bottom:
        return (
            f"^FO{left},{top - thickness // 2}^GB{max(right - left, thickness)},{thickness},{thickness}^FS\n"
        )
    return f"^FO{left - thickness // 2},{top}^GB{thickness},{max(bottom - top, thickness)},{thickness}^FS\n"


def _box(box: Box) -> str:
    thickness = max(1, dots(box.thickness))
    return f"^FO{dots(box.x)},{dots(box.y)}^GB{dots(box.width)},{dots(box.height)},{thickness}^FS\n"


def _code128(code: Code128) -> str:
    """^BC in automatic subset mode (A), without the printer's interpretation line: the layout prints the
    number itself. The module count centres the symbol like the PNG's."""
    modules = len(code128_modules(code.value))
    area = dots(code.width)
    module = module_dots(area, modules, CODE128_QUIET_MODULES, CODE128_MAX_MODULE_DOTS)
    left = dots(code.x) + (area - modules * module) // 2
    height = dots(code.height)
    return f"^FO{left},{dots(code.y)}^BY{module}^BCN,{height},N,N,N,A^FH_^FD{escape_field(code.value)}^FS\n"


def _qr(qr: QrCode) -> str:
    """^BQ model 2, error level Q, mask 7, like the PDF and PNG symbols.

    Field data ``QM,A<data>`` is manual input in alphanumeric mode, the compact mode upper-case base32 tokens
    fit; anything else goes as automatic input ``QA,<data>``, escaped.
    """
    side = qr_side_modules(qr.payload)
    area = dots(qr.size)
    module = module_dots(area, side, QR_QUIET_MODULES, QR_MAX_MODULE_DOTS)
    offset = (area - side * module) // 2
    origin = f"^FO{dots(qr.x) + offset},{dots(qr.y) + offset}^BQN,2,{module},{QR_ERROR_LEVEL},{QR_MASK}"
    if is_qr_alphanumeric(qr.payload):
        return f"{origin}^FD{QR_ERROR_LEVEL}M,A{qr.payload}^FS\n"
    return f"{origin}^FH_^FD{QR_ERROR_LEVEL}A,{escape_field(qr.payload)}^FS\n"
