from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.pii.fold import fold
from parcelguard.domain.pii.mobile import ALLOCATED_SEGMENTS, Mobile
from parcelguard.errors import ErrorCode, ValidationError

from .strategies import mobile_digits, mobile_spellings


def _phonenumbers_says_valid(digits: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(digits, "CN"))
    except phonenumbers.NumberParseException:  # 179xx is an IP-call carrier prefix, not a number
        return False


def test_a_mobile_with_plus86_and_fullwidth_digits_normalises_to_11_digits() -> None:
    assert Mobile.parse("+86 １３８ １２３４ ５６７８").value == "13812345678"


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+8613812345678",
        "+86-138-1234-5678",
        "(+86) 138 1234 5678",
        "008613812345678",
        "8613812345678",
        "１３８－１２３４－５６７８",
    ],
)
def test_common_spellings_of_a_mobile_all_normalise_the_same(raw: str) -> None:
    assert Mobile.parse(raw).value == "13812345678"


def test_masking_keeps_the_segment_and_the_last_two_digits() -> None:
    assert Mobile.parse("13812345678").masked() == "138******78"


def test_last4_is_the_last_four_digits() -> None:
    assert Mobile.parse("13812345678").last4 == "5678"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1381234567",
        "138123456789",
        "12812345678",
        "14012345678",
        "15412345678",
        "19412345678",
        "+1 415 555 0100",
        "138abcd5678",
        "17412345678",
        "16112345678",
        "138\x001234567",
    ],
)
def test_malformed_or_unallocated_mobiles_are_rejected(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Mobile.parse(raw)
    assert caught.value.code is ErrorCode.INVALID_MOBILE
    assert caught.value.field == "mobile"


def test_satellite_and_trial_sub_ranges_are_accepted() -> None:
    assert Mobile.parse("17400123456").value == "17400123456"
    assert Mobile.parse("16101234567").value == "16101234567"


@given(mobile_digits)
def test_every_mobile_from_an_allocated_segment_is_valid_for_phonenumbers(digits: str) -> None:
    assert _phonenumbers_says_valid(digits)
    assert Mobile.parse(digits).value == digits


@given(st.integers(130, 199), st.integers(0, 99_999_999))
def test_mobile_parse_agrees_with_phonenumbers_on_every_segment(segment: int, rest: int) -> None:
    digits = f"{segment}{rest:08d}"
    try:
        Mobile.parse(digits)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == _phonenumbers_says_valid(digits)


def test_the_segment_table_matches_phonenumbers_for_all_three_digit_prefixes() -> None:
    for segment in range(130, 200):
        valid = _phonenumbers_says_valid(f"{segment}55512345"[:11])
        assert (str(segment) in ALLOCATED_SEGMENTS) == valid, segment


@given(mobile_digits.flatmap(lambda d: st.tuples(st.just(d), mobile_spellings(d))))
def test_any_spelling_parses_to_the_digits_phonenumbers_reads(pair: tuple[str, str]) -> None:
    digits, spelled = pair
    assert Mobile.parse(spelled).value == digits
    folded = fold(spelled).text
    if set(folded) <= set("0123456789+ -()"):  # what phonenumbers reads; it knows no Chinese numerals
        assert str(phonenumbers.parse(folded, "CN").national_number) == digits


@pytest.mark.parametrize(
    "raw",
    [
        "138.0013.8000",
        "(138)0013-8000",
        "138_0013_8000",
        "138/0013/8000",
        "138·0013·8000",
        "1三8〇〇1三8〇〇〇",
        "壹叁捌零零壹叁捌零零零",
        "幺三八 零零幺三 八零零零",
        "①③⑧⓪⓪①③⑧⓪⓪⓪",
        "+86 (138) 0013 - 8000",
        "【138】0013 8000",
    ],
)
def test_every_shape_the_recogniser_reads_is_accepted_at_intake(raw: str) -> None:
    assert Mobile.parse(raw).value == "13800138000"


def test_intake_still_refuses_an_unallocated_segment_the_detector_would_take_in_context() -> None:
    with pytest.raises(ValidationError):
        Mobile.parse("+86 15459045440")


@given(mobile_digits)
def test_a_masked_mobile_hides_at_least_six_digits(digits: str) -> None:
    masked = Mobile.parse(digits).masked()
    assert masked.count("*") >= 6
    assert len(masked) == 11
    assert masked[:3] == digits[:3] and masked[-2:] == digits[-2:]


def test_the_repr_does_not_show_the_number() -> None:
    assert "1234" not in repr(Mobile.parse("13812345678"))
