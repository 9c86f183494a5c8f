"""The one Luhn implementation shared by the detector, the masks and format-preserving encryption."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.pii.luhn import luhn_digit, luhn_valid


def test_known_card_numbers_check_out() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_digit("411111111111111") == "1"
    assert not luhn_valid("4111111111111112")


@given(st.text(alphabet="0123456789", min_size=1, max_size=18), st.integers(1, 9))
def test_the_appended_digit_validates_and_any_other_does_not(payload: str, shift: int) -> None:
    check = luhn_digit(payload)
    assert luhn_valid(payload + check)
    assert not luhn_valid(payload + str((int(check) + shift) % 10))
