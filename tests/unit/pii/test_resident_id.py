from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.pii.resident_id import ResidentId, compute_check_char
from parcelguard.errors import ErrorCode, ValidationError

from .strategies import resident_ids

# The example number printed in GB 11643-1999.
STANDARD_EXAMPLE = "11010519491231002X"


def test_the_example_from_the_standard_is_valid() -> None:
    rid = ResidentId.parse(STANDARD_EXAMPLE)
    assert rid.birth_date == date(1949, 12, 31)
    assert rid.sex == "female"
    assert rid.region_code == "110105"


def test_the_check_character_of_the_standard_example_is_x() -> None:
    assert compute_check_char(STANDARD_EXAMPLE[:17]) == "X"


def test_a_lower_case_x_is_accepted_and_normalised() -> None:
    assert ResidentId.parse(STANDARD_EXAMPLE.lower()).value == STANDARD_EXAMPLE


def test_fullwidth_digits_and_spaces_are_accepted() -> None:
    assert ResidentId.parse("１１０１０５ 19491231 002x").value == STANDARD_EXAMPLE


def test_look_alikes_fold_as_the_detector_folds_them() -> None:
    # The Roman numeral Ⅹ is NFKC-equal to X; Chinese numerals inside a digit run are digits.
    assert ResidentId.parse("1101051949123100２Ⅹ").value == STANDARD_EXAMPLE
    assert ResidentId.parse("一一〇一〇五一九四九一二三一〇〇二X").value == STANDARD_EXAMPLE


def test_a_legacy_fifteen_digit_number_is_accepted_and_upgraded() -> None:
    legacy = ResidentId.parse("110101 900307 123")
    assert legacy.is_legacy and legacy.birth_date == date(1990, 3, 7) and legacy.sex == "male"
    assert legacy.upgraded == "11010119900307123" + compute_check_char("11010119900307123")
    assert legacy.masked() == "1*************3"


def test_an_odd_17th_digit_means_male() -> None:
    first17 = "11010519491231001"
    assert ResidentId.parse(first17 + compute_check_char(first17)).sex == "male"


def test_masking_keeps_only_the_first_and_last_characters() -> None:
    assert ResidentId.parse(STANDARD_EXAMPLE).masked() == "1****************X"


def _with_check(first17: str) -> str:
    return first17 + compute_check_char(first17)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "11010519491231002",
        "110105194912310021X",
        "11010519491231002Y",
        "11010519491231002A",
        "110105194912310029",
        _with_check("99010519491231002"),
        _with_check("00010519491231002"),
        _with_check("11010518991231002"),
        _with_check("11010519490230002"),
        _with_check("11010519491331002"),
        _with_check("11010530001231002"),
    ],
)
def test_invalid_resident_ids_are_rejected(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ResidentId.parse(raw)
    assert caught.value.code is ErrorCode.INVALID_RESIDENT_ID
    assert caught.value.field == "resident_id"


def test_a_birth_date_after_today_is_rejected() -> None:
    first17 = "11010520250102001"
    with pytest.raises(ValidationError):
        ResidentId.parse(_with_check(first17), today=date(2025, 1, 1))
    assert ResidentId.parse(_with_check(first17), today=date(2025, 1, 2)).birth_date == date(2025, 1, 2)


def test_compute_check_char_refuses_anything_but_17_digits() -> None:
    with pytest.raises(ValidationError):
        compute_check_char("1234")


@given(resident_ids())
def test_a_generated_id_round_trips_through_parse(raw: str) -> None:
    rid = ResidentId.parse(raw)
    assert rid.value == raw
    assert rid.birth_date.strftime("%Y%m%d") == raw[6:14]


@given(resident_ids(), st.integers(0, 16), st.integers(1, 9))
def test_the_check_character_detects_every_single_digit_change(raw: str, position: int, delta: int) -> None:
    changed_digit = str((int(raw[position]) + delta) % 10)
    first17 = raw[:position] + changed_digit + raw[position + 1 : 17]
    assert compute_check_char(first17) != raw[17]


@given(resident_ids())
def test_a_masked_id_shows_two_characters_and_keeps_its_length(raw: str) -> None:
    masked = ResidentId.parse(raw).masked()
    assert len(masked) == 18
    assert masked.count("*") == 16


def test_the_repr_does_not_show_the_number() -> None:
    assert "19491231" not in repr(ResidentId.parse(STANDARD_EXAMPLE))
