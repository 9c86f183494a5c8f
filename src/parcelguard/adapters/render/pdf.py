"""Labels as PDF: vector text in the embedded CJK font, bars and QR modules sized in whole 203 dpi dots.

A PDF is what a browser shows and an office printer prints; a batch is one document with a page per label
so a warehouse prints a whole wave in one job. The font is registered once per process and subset into each
document, so the PDF stays small and its text stays extractable (search, copy, pdftotext).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable

from reportlab.graphics.barcode.code128 import Code128 as _RlCode128
from reportlab.pdfgen.canvas import Canvas

from parcelguard.adapters.render.fonts import pdf_font_name
from parcelguard.adapters.render.symbols import qr_matrix
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

PAGE_SIZE = (100 * POINTS_PER_MM, 150 * POINTS_PER_MM)
_BOLD_STROKE_EM = 0.035  # outline width that fakes bold: the bundled font has no bold face

# reportlab keeps per-document font subsetting state on the shared font object; one document at a time
# keeps concurrent requests from interleaving their subsets.
_document_lock = threading.Lock()


class PdfLabelRenderer:
    """Draws label layouts onto PDF pages, after the gate has passed every label."""

    def __init__(self, gate: LabelGate) -> None:
        self._gate = gate

    def render(self, data: LabelData) -> bytes:
        """One label as a one-page PDF."""
        return self.render_batch((data,))

    def render_batch(self, datas: Iterable[LabelData]) -> bytes:
        """Many labels as one PDF, one page each. Every label passes the gate before any page is drawn,
        so a batch with one non-compliant label produces nothing at all."""
        labels = list(datas)
        for data in labels:
            self._gate(data)
        font = pdf_font_name()
        buffer = io.BytesIO()
        with _document_lock:
            canvas = Canvas(buffer, pagesize=PAGE_SIZE, invariant=True, pageCompression=1)
            canvas.setCreator("ParcelGuard")
            canvas.setTitle("ParcelGuard labels")
            for data in labels:
                _draw_layout(canvas, layout_label(data), font)
                canvas.showPage()
            canvas.save()
        return buffer.getvalue()


def _draw_layout(canvas: Canvas, layout: LabelLayout, font: str) -> None:
    height = layout.height_mm
    for element in layout.elements:
        if isinstance(element, Text):
            _draw_text(canvas, element, height, font)
        elif isinstance(element, Line):
            _draw_line(canvas, element, height)
        elif isinstance(element, Box):
            _draw_box(canvas, element, height)
        elif isinstance(element, Code128):
            _draw_code128(canvas, element, height)
        else:
            _draw_qr(canvas, element, height)


def _draw_text(canvas: Canvas, text: Text, height_mm: float, font: str) -> None:
    size = text.size_pt
    if text.max_width is not None:
        width = canvas.stringWidth(text.text, font, size)
        limit = text.max_width * POINTS_PER_MM
        if width > limit:
            size = size * limit / width
    x = text.x * POINTS_PER_MM
    y = (height_mm - text.y) * POINTS_PER_MM
    canvas.setFont(font, size)
    mode = 0
    if text.bold:
        canvas.setLineWidth(size * _BOLD_STROKE_EM)
        mode = 2  # fill and stroke the glyph outlines
    if text.align == "left":
        canvas.drawString(x, y, text.text, mode=mode)
    elif text.align == "center":
        canvas.drawCentredString(x, y, text.text, mode=mode)
    else:
        canvas.drawRightString(x, y, text.text, mode=mode)


def _draw_line(canvas: Canvas, line: Line, height_mm: float) -> None:
    half = line.thickness / 2
    left, right = min(line.x1, line.x2), max(line.x1, line.x2)
    top, bottom = min(line.y1, line.y2), max(line.y1, line.y2)
    if top == bottom:
        top, bottom = top - half, bottom + half
    else:
        left, right = left - half, right + half
    _fill_rect_mm(canvas, left, top, right - left, bottom - top, height_mm)


def _draw_box(canvas: Canvas, box: Box, height_mm: float) -> None:
    t = box.thickness
    _fill_rect_mm(canvas, box.x, box.y, box.width, t, height_mm)
    _fill_rect_mm(canvas, box.x, box.y + box.height - t, box.width, t, height_mm)
    _fill_rect_mm(canvas, box.x, box.y, t, box.height, height_mm)
    _fill_rect_mm(canvas, box.x + box.width - t, box.y, t, box.height, height_mm)


def _fill_rect_mm(canvas: Canvas, x: float, y: float, w: float, h: float, height_mm: float) -> None:
    canvas.rect(
        x * POINTS_PER_MM, (height_mm - y - h) * POINTS_PER_MM, w * POINTS_PER_MM, h * POINTS_PER_MM, 0, 1
    )


def _draw_code128(canvas: Canvas, code: Code128, height_mm: float) -> None:
    modules = _RlCode128(code.value, barWidth=1, quiet=False, humanReadable=False).width
    module = module_dots(dots(code.width), int(modules), CODE128_QUIET_MODULES, CODE128_MAX_MODULE_DOTS)
    bar_width = module * POINTS_PER_DOT
    quiet = CODE128_QUIET_MODULES * bar_width
    symbol = _RlCode128(
        code.value,
        barWidth=bar_width,
        barHeight=code.height * POINTS_PER_MM,
        humanReadable=False,
        quiet=True,
        lquiet=quiet,
        rquiet=quiet,
    )
    left = code.x * POINTS_PER_MM + (code.width * POINTS_PER_MM - symbol.width) / 2
    symbol.drawOn(canvas, left, (height_mm - code.y - code.height) * POINTS_PER_MM)


def _draw_qr(canvas: Canvas, qr: QrCode, height_mm: float) -> None:
    """QR modules as one vector path of horizontal runs: crisp at any zoom and a few hundred path ops."""
    matrix = qr_matrix(qr.payload)
    side = len(matrix)
    module = module_dots(dots(qr.size), side, QR_QUIET_MODULES, QR_MAX_MODULE_DOTS) * POINTS_PER_DOT
    offset = (qr.size * POINTS_PER_MM - side * module) / 2
    left = qr.x * POINTS_PER_MM + offset
    top = (height_mm - qr.y) * POINTS_PER_MM - offset
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        y = top - (r + 1) * module
        c = 0
        while c < side:
            if row[c]:
                start = c
                while c < side and row[c]:
                    c += 1
                path.rect(left + start * module, y, (c - start) * module, module)
            else:
                c += 1
    canvas.drawPath(path, stroke=0, fill=1)
