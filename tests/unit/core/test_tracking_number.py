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


def test_blanks_and_lower_case_are_forgiven() -> None:
    number = TrackingNumber.generate("SF").value
    assert TrackingNumber.parse(f"  {number.lower()} ").value == number
