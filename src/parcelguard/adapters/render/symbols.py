"""Barcode symbols as plain module patterns, shared by the raster and vector renderers.

Code 128 comes from python-barcode as a string of '1' (bar) and '0' (space) modules; QR from segno as a
square matrix. Renderers only scale these to whole printer dots.
"""

from __future__ import annotations

import re
from functools import lru_cache

import segno
from barcode import Code128 as _Code128

QR_ERROR_LEVEL = "Q"
"""25 % of the symbol may be scuffed or creased and still read: thermal labels travel in sacks."""

QR_MASK = 7
"""A fixed data mask instead of the ISO 18004 penalty search.

segno's search tries all eight masks in pure Python and costs about 5 ms per symbol, more than a whole label
may take at the target rate; one fixed mask costs about 1 ms. Any mask is valid for every reader; over random
tokens mask 7 scored closest to the searched optimum (about 6 % higher penalty on average), and it is also
what Zebra printers use by default for ^BQ, so the PDF, PNG and ZPL symbols match.
"""

_DIGIT_RUNS = re.compile(r"\d+|\D+")
_QR_ALPHANUMERIC = re.compile(r"[0-9A-Z $%*+\-./:]*")

# Characters per QR version 1..10 at error level Q (ISO/IEC 18004 table 7).
_QR_Q_CAPACITY = {
    "alphanumeric": (16, 29, 47, 67, 87, 108, 125, 157, 189, 221),
    "byte": (11, 20, 32, 46, 60, 74, 86, 108, 130, 151),
}


def code128_modules(value: str) -> str:
    """Bars and spaces of ``value`` in Code 128 (start, data, check and stop characters), '1' = bar."""
    modules: str = _Code128(value).build()[0]
    return modules


def code128_module_count(value: str) -> int:
    """Width in modules of ``value`` in Code 128 as an optimising encoder writes it, without encoding it.

    Runs of four or more digits (two or more filling the whole value) pack two digits per symbol in subset C;
    everything else takes a symbol per character, plus one symbol per subset switch. The ZPL renderer only
    needs this to centre the printer's own symbol, so python-barcode's full encode would be wasted there.
    """
    symbols = 2  # start and check symbols
    runs = _DIGIT_RUNS.findall(value)
    subset = ""
    for run in runs:
        packable = run.isdigit() and (len(run) >= 4 or len(run) == len(value)) and len(run) >= 2
        if packable:
            symbols += len(run) // 2 + (subset not in ("", "C"))
            subset = "C"
            if len(run) % 2:
                symbols += 2  # switch back for the odd digit
                subset = "B"
        else:
            symbols += len(run) + (subset == "C")
            subset = "B"
    return 11 * symbols + 13  # the stop pattern is 13 modules


def is_qr_alphanumeric(payload: str) -> bool:
    """Whether QR's compact alphanumeric mode can carry ``payload`` (upper-case base32 tokens can)."""
    return _QR_ALPHANUMERIC.fullmatch(payload) is not None


def qr_side_modules(payload: str) -> int:
    """Side of the QR symbol in modules (no quiet zone), without encoding it.

    The ZPL renderer needs the size to choose a magnification, but the printer does the encoding, so
    paying 1 ms for a full encode there would be waste.
    """
    mode = "alphanumeric" if is_qr_alphanumeric(payload) else "byte"
    length = len(payload.encode()) if mode == "byte" else len(payload)
    for version, capacity in enumerate(_QR_Q_CAPACITY[mode], start=1):
        if length <= capacity:
            return 17 + 4 * version
    raise ValueError("QR payload too long for a label")


@lru_cache(maxsize=256)
def qr_matrix(payload: str) -> tuple[bytes, ...]:
    """Rows of the QR symbol (no quiet zone), one byte per module, 1 = dark.

    Cached because the same waybill is often drawn twice in a row (PNG preview, then PDF to print).
    """
    qr = segno.make_qr(payload, error=QR_ERROR_LEVEL, mask=QR_MASK, boost_error=False)
    return tuple(bytes(row) for row in qr.matrix)
