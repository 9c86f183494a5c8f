"""Labels as PDF: vector text, bars and QR modules sized in whole 203 dpi dots.

A PDF is what a browser shows and an office printer prints; a batch is one document with a page per label so
a warehouse prints a whole wave in one job. CJK text uses the bundled font, registered once per process and
subset into each document, so the file stays small and its text stays extractable (search, copy, pdftotext).
Latin text uses the standard Helvetica faces, which every PDF reader has built in: embedding a Latin font as
well would double the per-document cost of a single label for no visible gain.

reportlab formats every coordinate through a pure-Python number formatter when its optional C accelerator is
absent, which made rules, bars and QR modules the bulk of the work. They are therefore written as one path
in whole units under a scaling transform (`Canvas.addLiteral`), and the rules, which are the same on every
label, are formatted once and cached.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterable
from functools import lru_cache

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from parcelguard.adapters.render.fonts import LATIN, FontChain, default_chain
from parcelguard.adapters.render.symbols import code128_modules, qr_matrix
from parcelguard.adapters.render.units import (
    CODE128_MAX_MODULE_DOTS,
    CODE128_QUIET_MODULES,
    POINTS_PER_DOT,
    POINTS_PER_MM,
    QR_MAX_MODULE_DOTS,
    QR_QUIET_MODULES,
    dots,
    module_dots,
)
from parcelguard.domain.label import (
    LABEL_HEIGHT_MM,
    LABEL_WIDTH_MM,
    Box,
    Code128,
    LabelData,
    LabelGate,
    LabelLayout,
    Line,
    QrCode,
    Text,
    layout_label,
)

PAGE_SIZE = (LABEL_WIDTH_MM * POINTS_PER_MM, LABEL_HEIGHT_MM * POINTS_PER_MM)
LATIN_FONT = "Helvetica"
LATIN_BOLD_FONT = "Helvetica-Bold"
_LATIN_FONTS = frozenset({LATIN_FONT, LATIN_BOLD_FONT})
_BOLD_STROKE_PT = 0.5

# reportlab keeps per-document subsetting state on the shared font object and reads its stream filters from
# a global setting; one document at a time keeps concurrent requests apart. ASCII85 is off while we build:
# binary streams are a quarter smaller and skip a slow pure-Python encoder.
_document_lock = threading.Lock()


class PdfLabelRenderer:
    """Draws label layouts onto PDF pages, after the gate has passed every label."""

    def __init__(self, gate: LabelGate, chain: FontChain | None = None) -> None:
        self._gate = gate
        self._chain = chain or default_chain()

    def render(self, data: LabelData) -> bytes:
        """One label as a one-page PDF."""
        return self.render_batch((data,))

    def render_batch(self, datas: Iterable[LabelData]) -> bytes:
        """Many labels as one PDF, one page each.

        Every label passes the gate before any page is drawn, so a batch holding one non-compliant label
        produces nothing at all rather than a partial wave that looks complete.
        """
        labels = list(datas)
        for data in labels:
            self._gate(data)
        buffer = io.BytesIO()
        with _document_lock:
            use_a85, rl_config.useA85 = rl_config.useA85, 0
            try:
                canvas = Canvas(
                    buffer,
                    pagesize=PAGE_SIZE,
                    invariant=True,
                    pageCompression=int(len(labels) > 1),
                    initialFontName=LATIN_FONT,
                )
                canvas.setCreator("ParcelGuard")
                canvas.setTitle("ParcelGuard labels")
                for data in labels:
                    _draw_layout(canvas, layout_label(data), self._chain)
                    canvas.showPage()
                canvas.save()
            finally:
                rl_config.useA85 = use_a85
        return buffer.getvalue()


def _draw_layout(canvas: Canvas, layout: LabelLayout, chain: FontChain) -> None:
    rules: list[str] = []
    texts = canvas.beginText()
    for element in layout.elements:
        if isinstance(element, Text):
            _add_text(canvas, texts, element, chain)
        elif isinstance(element, Line | Box):
            rules.append(_rule_ops(element))
        elif isinstance(element, Code128):
            _draw_code128(canvas, element)
        else:
            _draw_qr(canvas, element)
    _fill_in_units(canvas, POINTS_PER_MM, 0.0, 0.0, rules)
    # stroke width for the faked bold CJK glyphs (text render mode 2): the bundled font has no bold face
    canvas.setLineWidth(_BOLD_STROKE_PT)
    canvas.drawText(texts)


def _add_text(canvas: Canvas, texts: PDFTextObject, text: Text, chain: FontChain) -> None:
    """Append one line to the page's single text object (one BT/ET per page, not one per line)."""
    size = text.size_pt
    pieces = _pieces(text.text, text.bold, size, chain)
    width = sum(piece[2] for piece in pieces)
    scale = 1.0
    if text.max_width is not None and width > text.max_width * POINTS_PER_MM:
        scale = text.max_width * POINTS_PER_MM / width
    x = text.x * POINTS_PER_MM
    if text.align == "center":
        x -= width * scale / 2
    elif text.align == "right":
        x -= width * scale
    texts.setTextOrigin(x, PAGE_SIZE[1] - text.y * POINTS_PER_MM)
    for font, run, _ in pieces:
        texts.setFont(font, size * scale)
        texts.setTextRenderMode(2 if text.bold and font not in _LATIN_FONTS else 0)
        texts.textOut(run)


@lru_cache(maxsize=8192)
def _pieces(text: str, bold: bool, size: float, chain: FontChain) -> tuple[tuple[str, str, float], ...]:
    """``(font, run, width in points)`` of each run of ``text`` drawn in one font. Cached: the captions and
    the notice are on every page, and carrier, date, routing and descriptions repeat from label to label."""
    latin_font = LATIN_BOLD_FONT if bold else LATIN_FONT
    fonts = [
        (latin_font if index == LATIN else chain.pdf_font(index), run) for index, run in chain.runs(text)
    ]
    return tuple((font, run, pdfmetrics.stringWidth(run, font, size)) for font, run in fonts)


@lru_cache(maxsize=128)
def _rule_ops(element: Line | Box) -> str:
    """PDF rectangle operators, in mm from the top-left, for a rule or a box outline (cached: static)."""
    if isinstance(element, Box):
        x, y, w, h, t = element.x, element.y, element.width, element.height, element.thickness
        rects = [(x, y, w, t), (x, y + h - t, w, t), (x, y, t, h), (x + w - t, y, t, h)]
    else:
        half = element.thickness / 2
        left, right = sorted((element.x1, element.x2))
        top, bottom = sorted((element.y1, element.y2))
        if top == bottom:
            rects = [(left, top - half, right - left, element.thickness)]
        else:
            rects = [(left - half, top, element.thickness, bottom - top)]
    return "\n".join(f"{x:.3f} {y:.3f} {w:.3f} {h:.3f} re" for x, y, w, h in rects)


def _fill_in_units(canvas: Canvas, unit_pt: float, left_pt: float, top_pt: float, ops: list[str]) -> None:
    """Fill ``ops`` (rectangles whose coordinates are in ``unit_pt`` units, y down from ``top_pt`` below the
    page top) as one path."""
    if not ops:
        return
    canvas.saveState()
    canvas.transform(unit_pt, 0, 0, -unit_pt, left_pt, PAGE_SIZE[1] - top_pt)
    canvas.addLiteral("\n".join(ops) + "\nf")
    canvas.restoreState()


def _draw_code128(canvas: Canvas, code: Code128) -> None:
    """The same module pattern the PNG renderer draws, one module per unit, bars at least two dots wide."""
    modules = code128_modules(code.value)
    module = module_dots(dots(code.width), len(modules), CODE128_QUIET_MODULES, CODE128_MAX_MODULE_DOTS)
    module_pt = module * POINTS_PER_DOT
    left = code.x * POINTS_PER_MM + (code.width * POINTS_PER_MM - len(modules) * module_pt) / 2
    height_modules = code.height * POINTS_PER_MM / module_pt
    height = f"{height_modules:.3f}"
    ops = [
        f"{start} 0 {end - start} {height} re" for start, end in map(_SPAN, _DARK_CODE128.finditer(modules))
    ]
    _fill_in_units(canvas, module_pt, left, code.y * POINTS_PER_MM, ops)


def _draw_qr(canvas: Canvas, qr: QrCode) -> None:
    """QR modules as horizontal runs of dark modules, one module per unit, centred in the QR's square."""
    matrix = qr_matrix(qr.payload)
    side = len(matrix)
    module_pt = module_dots(dots(qr.size), side, QR_QUIET_MODULES, QR_MAX_MODULE_DOTS) * POINTS_PER_DOT
    offset = (qr.size * POINTS_PER_MM - side * module_pt) / 2
    # all rows as one string, a light module between rows so no run crosses a row's end: one regex scan
    stride = side + 1
    dark = _DARK_QR.finditer(b"\x00".join(matrix))
    ops = [f"{start % stride} {start // stride} {end - start} 1 re" for start, end in map(_SPAN, dark)]
    _fill_in_units(canvas, module_pt, qr.x * POINTS_PER_MM + offset, qr.y * POINTS_PER_MM + offset, ops)


# Runs of dark modules, found by the regex engine: a Python loop over every module was a fifth of a PDF
# label's drawing. A Code 128 pattern is a string of '1' (bar) and '0', a QR row bytes 1 (dark) and 0.
_DARK_CODE128 = re.compile("1+")
_DARK_QR = re.compile(b"\x01+")
_SPAN = re.Match.span
