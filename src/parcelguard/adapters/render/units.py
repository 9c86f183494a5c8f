"""Millimetres to printer dots at 203 dpi, the resolution of the thermal printers labels are made for.

The PNG and ZPL renderers work in whole dots and the PDF renderer sizes its barcodes in whole dots too, so a
PDF printed or rasterised at 203 dpi has bars exactly as wide as the PNG's.
"""

from __future__ import annotations

DPI = 203
DOTS_PER_MM = DPI / 25.4
POINTS_PER_MM = 72 / 25.4
POINTS_PER_DOT = 72 / DPI

CODE128_QUIET_MODULES = 10  # ISO/IEC 15417: at least ten module widths each side
CODE128_MAX_MODULE_DOTS = 3  # 0.375 mm: wider bars only make the symbol longer, not easier to scan
QR_QUIET_MODULES = 4  # ISO/IEC 18004
QR_MAX_MODULE_DOTS = 10  # ZPL's ^BQ magnification stops at 10


def dots(mm: float) -> int:
    """A length in millimetres as whole 203 dpi dots (100 x 150 mm -> 799 x 1199)."""
    return round(mm * DOTS_PER_MM)


def pt_to_dots(size_pt: float) -> int:
    return round(size_pt * DPI / 72)


def module_dots(available_dots: int, modules: int, quiet_modules: int, max_dots: int) -> int:
    """The widest whole-dot module that fits the symbol and both quiet zones (1 to ``max_dots`` dots).

    Whole dots keep every bar and space the same width on a thermal head; fractional modules print as
    bars of uneven width that scanners misread.
    """
    fit = available_dots // (modules + 2 * quiet_modules)
    return max(1, min(max_dots, fit))
