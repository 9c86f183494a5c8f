from __future__ import annotations

import pytest
import segno
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from parcelguard.adapters.render.symbols import (
    QR_ERROR_LEVEL,
    QR_MASK,
    code128_codewords,
    code128_modules,
    is_qr_alphanumeric,
    qr_matrix,
    qr_side_modules,
)

PRINTABLE_ASCII = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=30)
TOKENS = st.from_regex(r"PGT1[A-Z2-7]{0,56}", fullmatch=True)


def read_code128(modules: str, module_px: int = 2) -> str:
    """Draw the modules with quiet zones and let a real reader decode them."""
    quiet = "0" * 10
    row = bytes(0 if m == "1" else 255 for m in quiet + modules + quiet)
    image = Image.frombytes("L", (len(row), 1), row).resize(
        (len(row) * module_px, 60), Image.Resampling.NEAREST
    )
    (found,) = zxingcpp.read_barcodes(image)
    assert found.format == zxingcpp.BarcodeFormat.Code128
    return found.text


@pytest.mark.parametrize(
    "value",
    ["99", "9912345678901", "99AB", "12", "123", "1234", "12345", "PG1234567890123", "A1B22C333D4444"],
)
def test_code128_values_that_trip_up_python_barcode_or_odd_digit_runs_read_back_exactly(value: str) -> None:
    assert read_code128(code128_modules(value)) == value


@settings(max_examples=60, deadline=None)
@given(PRINTABLE_ASCII)
def test_any_printable_ascii_value_reads_back_from_its_code128_bars(value: str) -> None:
    assert read_code128(code128_modules(value)) == value


def test_digit_runs_are_packed_two_per_symbol_in_subset_c() -> None:
    # start B, P, G, '1' in B, switch to C, six digit pairs, check
    words = code128_codewords("PG1234567890123")

    assert words[:5] == [104, ord("P") - 32, ord("G") - 32, ord("1") - 32, 99]
    assert words[5:-1] == [23, 45, 67, 89, 1, 23]
    assert len(code128_modules("PG1234567890123")) == 11 * len(words) + 13


@pytest.mark.parametrize(
    ("payload", "alphanumeric"), [("PGT1ABCDEF234567", True), ("A-B.C/D:E $%*+", True), ("pgt1", False)]
)
def test_upper_case_base32_tokens_fit_qr_alphanumeric_mode(payload: str, alphanumeric: bool) -> None:
    assert is_qr_alphanumeric(payload) is alphanumeric


@given(st.one_of(TOKENS, st.from_regex(r"[a-z_~^]{1,60}", fullmatch=True)))
def test_the_qr_size_predicted_for_zpl_matches_the_symbol_actually_encoded(payload: str) -> None:
    assert qr_side_modules(payload) == len(qr_matrix(payload))


def _segno_rows(payload: str) -> tuple[bytes, ...]:
    qr = segno.make_qr(payload, error=QR_ERROR_LEVEL, mask=QR_MASK, boost_error=False)
    return tuple(bytes(row) for row in qr.matrix)


@settings(max_examples=150, deadline=None)
@given(st.one_of(TOKENS, st.text(min_size=1, max_size=120)))
def test_the_planned_qr_symbol_is_segnos_own_module_for_module(payload: str) -> None:
    # Tokens of every length (versions 2-5), and any text (byte mode, higher versions, version information).
    assert qr_matrix.__wrapped__(payload) == _segno_rows(payload)


def test_planned_qr_symbols_read_back_with_a_real_reader() -> None:
    payload = "PGT1" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" * 2
    rows = qr_matrix.__wrapped__(payload)
    quiet = 4
    side = len(rows) + 2 * quiet
    blank = bytes([255]) * side
    margin = bytes([255]) * quiet
    pixels = b"".join(
        margin + bytes(0 if m else 255 for m in rows[y - quiet]) + margin
        if quiet <= y < side - quiet
        else blank
        for y in range(side)
    )
    image = Image.frombytes("L", (side, side), pixels).resize((side * 4, side * 4), Image.Resampling.NEAREST)
    (found,) = zxingcpp.read_barcodes(image)
    assert found.format == zxingcpp.BarcodeFormat.QRCode and found.text == payload
