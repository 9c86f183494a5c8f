"""Tracking numbers: random, check-digited, and refused when mistyped."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.tracking import TrackingNumber, damm_check_digit
from parcelguard.errors import ErrorCode, ValidationError

twelve_digits = st.text(alphabet="0123456789", min_size=12, max_size=12)


def test_a_generated_number_has_the_prefix_twelve_random_digits_and_a_check_digit() -> None:
    number = TrackingNumber.generate("PG")
    assert number.prefix == "PG" and len(number.value) == 15
    assert TrackingNumber.parse(number.value) == number


def test_generated_numbers_do_not_repeat_or_follow_a_sequence() -> None:
    numbers = [int(TrackingNumber.generate("PG").value[2:14]) for _ in range(2000)]
    assert len(set(numbers)) == 2000
    steps = {b - a for a, b in itertools.pairwise(numbers)}
    assert len(steps) > 1990


@given(twelve_digits, st.integers(0, 11), st.integers(1, 9))
def test_every_single_digit_typo_is_caught(body: str, position: int, shift: int) -> None:
    number = "PG" + body + damm_check_digit(body)
    digits = list(number)
    digits[2 + position] = str((int(digits[2 + position]) + shift) % 10)
    with pytest.raises(ValidationError):
        TrackingNumber.parse("".join(digits))


@given(twelve_digits, st.integers(0, 11))
def test_every_adjacent_transposition_is_caught(body: str, position: int) -> None:
    full = body + damm_check_digit(body)
    a, b = full[position], full[position + 1]
    if a == b:
        return
    swapped = full[:position] + b + a + full[position + 2 :]
    with pytest.raises(ValidationError):
        TrackingNumber.parse("PG" + swapped)


@pytest.mark.parametrize(
    "raw", ["", "PG", "PG12345678901234", "1234567890123", "P1234567890123", "PG12345678901X3"]
)
def test_malformed_numbers_are_refused_with_their_code(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TrackingNumber.parse(raw)
    assert caught.value.code == ErrorCode.INVALID_TRACKING_NUMBER


def test_lower_case_is_read_as_capitals() -> None:
    number = TrackingNumber.generate("SF").value
    assert TrackingNumber.parse(number.lower()).value == number
    assert TrackingNumber.parse(number[:1] + number[1:].lower()).value == number


WHITESPACE_AND_CONTROLS = [
    " ",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x0b",
    "\x1f",
    "\x7f",
    "\u3000",
    "\xa0",
    "\u200b",
]


@pytest.mark.parametrize("extra", WHITESPACE_AND_CONTROLS)
@pytest.mark.parametrize("where", ["before", "after", "inside"])
def test_no_blank_or_control_character_is_stripped_anywhere(extra: str, where: str) -> None:
    """``GET /v1/track/PG...%0A`` (also %20, %0D%0A) answered 200: the shape is exact, nothing is stripped."""
    number = TrackingNumber.generate("PG").value
    raw = {"before": extra + number, "after": number + extra, "inside": number[:4] + extra + number[4:]}[
        where
    ]
    with pytest.raises(ValidationError) as caught:
        TrackingNumber.parse(raw)
    assert caught.value.code == ErrorCode.INVALID_TRACKING_NUMBER


def _unicode_digit(ascii_digit: str, zero: int) -> str:
    return chr(zero + int(ascii_digit))


# Every Unicode decimal-digit block hypothesis can draw from: full-width, Arabic-Indic, Devanagari, Thai ...
unicode_zeros = st.characters(categories=["Nd"]).map(lambda c: ord(c) - int(c)).filter(lambda z: z != 48)


@given(twelve_digits, unicode_zeros, st.integers(0, 12))
def test_unicode_digits_anywhere_are_refused_with_the_code_not_a_crash(
    body: str, zero: int, position: int
) -> None:
    """``PG０００...`` once raised IndexError (the Damm table indexed by a Unicode digit)."""
    digits = list(body + damm_check_digit(body))
    digits[position] = _unicode_digit(digits[position], zero)
    with pytest.raises(ValidationError) as caught:
        TrackingNumber.parse("PG" + "".join(digits))
    assert caught.value.code == ErrorCode.INVALID_TRACKING_NUMBER


@pytest.mark.parametrize(
    "raw",
    [
        "PG０００００００００００００",
        "ＰＧ4821907735106",
        "PG\u0663" * 5,
        "\ud800",
        "PG" + "1" * 10_000,
    ],
)
def test_non_ascii_and_overlong_identifiers_are_refused_with_their_code(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TrackingNumber.parse(raw)
    assert caught.value.code == ErrorCode.INVALID_TRACKING_NUMBER


@given(st.text())
def test_any_text_parses_or_is_refused_with_the_code(raw: str) -> None:
    try:
        number = TrackingNumber.parse(raw)
    except ValidationError as error:
        assert error.code == ErrorCode.INVALID_TRACKING_NUMBER
    else:
        assert number.value.isascii() and number.value == raw.upper()
