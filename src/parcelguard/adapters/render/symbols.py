"""Barcode symbols as plain module patterns, shared by the raster and vector renderers.

Code 128 becomes a string of '1' (bar) and '0' (space) modules, QR a square matrix from segno; the
renderers only scale these to whole printer dots, so PDF and PNG carry the very same symbols.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import chain, zip_longest
from operator import itemgetter
from typing import Any

from barcode.charsets.code128 import CODES as _CODE128_PATTERNS
from barcode.charsets.code128 import STOP as _STOP
from segno import consts as _segno_consts
from segno import encoder as _segno_encoder

# segno's encoder steps, untyped: used by `qr_matrix` and checked against segno.make_qr by the tests.
_qr_encoder: Any = _segno_encoder
_qr_consts: Any = _segno_consts

QR_ERROR_LEVEL = "Q"
"""25 % of the symbol may be scuffed or creased and still read: thermal labels travel in sacks."""

QR_MASK = 7
"""A fixed data mask instead of the ISO 18004 penalty search.

segno's search tries all eight masks in pure Python and costs about 5 ms per symbol, more than a whole label
may take at the target rate; one fixed mask costs about 1 ms. Any mask is valid for every reader; over random
tokens mask 7 scored closest to the searched optimum (about 6 % higher penalty on average), and it is also
what Zebra printers use by default for ^BQ, so the PDF, PNG and ZPL symbols match.
"""

_RUNS = re.compile(r"\d+|\D+")
_START_B, _START_C, _SWITCH_TO_B, _SWITCH_TO_C = 104, 105, 100, 99
_CODE128_STOP: str = _STOP + "11"  # the stop character ends with a two-module termination bar
_QR_ALPHANUMERIC = re.compile(r"[0-9A-Z $%*+\-./:]*")

# Characters per QR version 1..10 at error level Q (ISO/IEC 18004 table 7).
_QR_Q_CAPACITY = {
    "alphanumeric": (16, 29, 47, 67, 87, 108, 125, 157, 189, 221),
    "byte": (11, 20, 32, 46, 60, 74, 86, 108, 130, 151),
}


def code128_codewords(value: str) -> list[int]:
    """Code 128 symbol values for printable-ASCII ``value``: start, data, subset switches and check.

    Subset C packs two digits per symbol; it is used for runs of four or more digits (or a value of exactly
    two digits), following the minimal-length rules of ISO/IEC 15417 annex E, and subset B for the rest.
    python-barcode chooses subsets itself but drops a leading "99" pair (its start-code shortcut mistakes
    the data value 99 for a switch to subset C), so only its bar patterns are used here.
    """
    words: list[int] = []
    subset = ""

    def use(wanted: str) -> None:
        nonlocal subset
        if subset != wanted:
            if subset:
                words.append(_SWITCH_TO_B if wanted == "B" else _SWITCH_TO_C)
            else:
                words.append(_START_B if wanted == "B" else _START_C)
            subset = wanted

    for run in _RUNS.findall(value):
        if run.isdigit() and (len(run) >= 4 or len(run) == len(value) == 2):
            if len(run) % 2 and subset:  # odd run after other data: its first digit stays in subset B
                use("B")
                words.append(ord(run[0]) - 32)
                run = run[1:]
            tail = run[-1] if len(run) % 2 else ""  # odd leading run: its last digit goes in subset B
            use("C")
            words += [int(run[i : i + 2]) for i in range(0, len(run) - len(tail), 2)]
            if tail:
                use("B")
                words.append(ord(tail) - 32)
        else:
            use("B")
            words += [ord(ch) - 32 for ch in run]
    words.append((words[0] + sum(i * word for i, word in enumerate(words[1:], start=1))) % 103)
    return words


def code128_modules(value: str) -> str:
    """Bars and spaces of ``value`` in Code 128 (start, data, check, stop), '1' = bar, no quiet zones."""
    patterns: list[str] = [_CODE128_PATTERNS[word] for word in code128_codewords(value)]
    return "".join(patterns) + _CODE128_STOP


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
    """Rows of the QR symbol (no quiet zone), one byte per module, 1 = dark: exactly the symbol of
    ``segno.make_qr(payload, error=QR_ERROR_LEVEL, mask=QR_MASK, boost_error=False)``.

    segno builds the message (segments, padding, Reed-Solomon codewords, ISO/IEC 18004 7.4-7.6); the
    placement, the mask and the format and version information (7.7-7.10) are the same for every message of
    a version, so they are worked out once per version (`_qr_plan`) and a symbol is then the version's fixed
    modules XOR its message bits gathered into place: 2.4 million instructions a label token instead of
    segno's 8.9 million (callgrind, issue 9), about 0.5 ms less per PDF or PNG label. Cached because the
    same waybill is often drawn twice in a row (PNG preview, then PDF to print).
    """
    version, error, message = _qr_message(payload)
    side, bits, fixed, gather = _qr_plan(version, error)
    placed = gather(message + bytes(bits + 1 - len(message)))  # remainder bits and the gather's spare 0
    flat = (int.from_bytes(fixed, "big") ^ int.from_bytes(bytes(placed), "big")).to_bytes(side * side, "big")
    return tuple(flat[row : row + side] for row in range(0, side * side, side))


# The eight bits of a byte, most significant first, one byte (0 or 1) each, and back.
_BYTE_BITS = tuple(bytes((value >> shift) & 1 for shift in range(7, -1, -1)) for value in range(256))
_BITS_BYTE = {bits: value for value, bits in enumerate(_BYTE_BITS)}


class _Codewords:
    """What segno's make_blocks reads from its Buffer: the codewords, in order."""

    __slots__ = ("_words",)

    def __init__(self, words: list[int]) -> None:
        self._words = words

    def toints(self) -> Iterator[int]:
        return iter(self._words)


def _qr_message(payload: str) -> tuple[int, int, bytes]:
    """(version, error level, final message bits before the remainder bits, one byte 0/1 each) as
    ``segno.make_qr`` makes them: segno.encoder.encode and _encode up to make_final_message (ISO/IEC 18004
    7.4-7.6) for a QR symbol (not Micro QR) with no ECI and no boosted error level. segno's make_blocks
    computes the Reed-Solomon codewords; the interleaving of 7.6 is done here on bytes, not bit by bit."""
    enc = _qr_encoder
    error = enc.normalize_errorlevel(QR_ERROR_LEVEL, accept_none=True)
    segments = enc.prepare_data(payload, None, None)
    version = enc.find_version(segments, error, eci=False, micro=False)
    buffer = enc.Buffer()
    versions = enc.version_range(version)
    for segment in segments:
        enc.write_segment(buffer, segment, None, versions, False)
    capacity = _qr_consts.SYMBOL_CAPACITY[version][error]
    enc.write_terminator(buffer, capacity, None, len(buffer))
    enc.write_padding_bits(buffer, version, len(buffer))
    enc.write_pad_codewords(buffer, version, capacity, len(buffer))
    bits = bytes(buffer.getbits())
    words = [_BITS_BYTE[bits[i : i + 8]] for i in range(0, len(bits), 8)]
    data_blocks, error_blocks = enc.make_blocks(_qr_consts.ECC[version][error], _Codewords(words))
    interleaved = [
        word
        for blocks in (data_blocks, error_blocks)
        for word in chain.from_iterable(zip_longest(*blocks))
        if word is not None
    ]
    return version, error, b"".join(_BYTE_BITS[word] for word in interleaved)


@lru_cache(maxsize=16)
def _qr_plan(version: int, error: int) -> tuple[int, int, bytes, Callable[[bytes], tuple[int, ...]]]:
    """(side, message bits incl. remainder bits, the symbol of an all-zero message, a gather that puts
    message bit k where segno places it).

    Worked out with segno's own steps (7.7 placement, 7.8 mask QR_MASK, 7.9-7.10 format and version
    information): a symbol is affine in its message bits (placement copies a bit into a module, the mask
    XORs it), so the all-zero message gives the fixed part, all ones marks the message's modules, and one
    probe per bit of a bit's index tells which bit each module holds.
    """
    enc = _qr_encoder
    side = enc.calc_matrix_size(version)

    def template() -> Any:
        matrix = enc.make_matrix(side, side)
        enc.add_finder_patterns(matrix, side, side)
        enc.add_alignment_patterns(matrix, side, side)
        return matrix

    # Every module still free after the function patterns takes one message bit (remainder bits included).
    bits = sum(row.count(0x2) for row in template())

    def symbol(message: list[int]) -> bytes:
        matrix = template()
        enc.add_codewords(matrix, message, version)
        _, matrix = enc.find_and_apply_best_mask(matrix, side, side, QR_MASK)
        enc.add_format_info(matrix, version, error, QR_MASK)
        enc.add_version_info(matrix, version)
        return b"".join(bytes(row) for row in matrix)

    fixed = symbol([0] * bits)
    marked = [a ^ b for a, b in zip(symbol([1] * bits), fixed, strict=True)]
    index = [0] * (side * side)
    for b in range(max(bits - 1, 1).bit_length()):
        probe = symbol([(k >> b) & 1 for k in range(bits)])
        for module, (p, f) in enumerate(zip(probe, fixed, strict=True)):
            index[module] |= (p ^ f) << b
    # Modules outside the message gather the zero byte appended after the last bit.
    sources = [index[m] if marked[m] else bits for m in range(side * side)]
    if sorted(s for s in sources if s < bits) != list(range(bits)):  # pragma: no cover - segno changed
        raise RuntimeError("QR plan: the message bits are not placed one module each")
    return side, bits, fixed, itemgetter(*sources)
