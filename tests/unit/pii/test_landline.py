from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.pii.landline import Landline
from parcelguard.domain.pii.mobile import Mobile
from parcelguard.domain.pii.phone import parse_phone
from parcelguard.errors import ErrorCode, ValidationError


@pytest.mark.parametrize(
    ("raw", "area", "local", "extension"),
    [
        ("010-62345678", "010", "62345678", None),
        ("01062345678", "010", "62345678", None),
        ("(010)62345678", "010", "62345678", None),
        ("021 6123 4567", "021", "61234567", None),
        ("0755-88888888", "0755", "88888888", None),
        ("075588888888", "0755", "88888888", None),
        ("0571-8888888", "0571", "8888888", None),
        ("+86 10 62345678", "010", "62345678", None),
        ("+86-755-88888888", "0755", "88888888", None),
        ("+86 (0)10 6234 5678", "010", "62345678", None),
        ("0086 571 8888888", "0571", "8888888", None),
        ("010-62345678-123", "010", "62345678", "123"),
        ("010-62345678转123", "010", "62345678", "123"),
        ("0571-8888888 ext. 42", "0571", "8888888", "42"),
        ("０１０－６２３４５６７８", "010", "62345678", None),
    ],
)
def test_landline_spellings_split_into_area_local_and_extension(
    raw: str, area: str, local: str, extension: str | None
) -> None:
    line = Landline.parse(raw)
    assert (line.area_code, line.local_number, line.extension) == (area, local, extension)


def test_the_canonical_value_and_e164_form() -> None:
    line = Landline.parse("(0755) 8888 8888")
    assert line.value == "0755-88888888"
    assert line.e164 == "+8675588888888"


def test_masking_an_8_digit_number_keeps_the_area_code_and_last_two() -> None:
    assert Landline.parse("010-62345678").masked() == "010-******78"


def test_masking_a_7_digit_number_still_hides_six() -> None:
    assert Landline.parse("0571-8888867").masked() == "0571-******7"


def test_masking_hides_the_extension_too() -> None:
    assert Landline.parse("010-62345678转123").masked() == "010-******78-***"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "62345678",
        "010-1234567",
        "0261-2345678",
        "026-62345678",
        "010-02345678",
        "0755-123456",
        "010-623456789",
        "010-62345678转abc",
        "010-62345678-1234567",
        "+1 212 555 0100",
        "010-1234abcd",
    ],
)
def test_malformed_landlines_are_rejected(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Landline.parse(raw)
    assert caught.value.code is ErrorCode.INVALID_LANDLINE
    assert caught.value.field == "landline"


@pytest.mark.parametrize("raw", ["010-62345678", "021-61234567", "0755-28888888", "0571-87654321"])
def test_well_known_city_numbers_are_also_valid_for_phonenumbers(raw: str) -> None:
    line = Landline.parse(raw)
    assert phonenumbers.is_valid_number(phonenumbers.parse(line.e164, None))


@given(
    st.sampled_from(["010", "021", "020", "0755", "0571", "0991"]),
    st.integers(2, 9),
    st.integers(0, 9_999_999),
    st.booleans(),
)
def test_a_masked_landline_hides_at_least_six_subscriber_digits(
    area: str, first: int, rest: int, seven_digits: bool
) -> None:
    local = f"{first}{rest:07d}"
    if seven_digits and len(area) == 4:
        local = local[:7]
    masked = Landline.parse(f"{area}-{local}").masked()
    assert masked.count("*") >= 6
    assert masked.startswith(area + "-")


def test_parse_phone_picks_a_mobile_or_a_landline() -> None:
    assert isinstance(parse_phone("+86 138 1234 5678"), Mobile)
    assert isinstance(parse_phone("010-62345678"), Landline)


def test_parse_phone_reports_failures_against_the_phone_field() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_phone("12345")
    assert caught.value.code is ErrorCode.INVALID_PHONE
    assert caught.value.field == "phone"
