"""Which numbers a pool may hold: the carrier's masking ranges only (MIIT's virtual-operator segments 162,
165, 167, 170 and 171, or the prefixes a carrier configures), never an ordinary subscriber's mobile; and
what extending a binding with no end yet means (nothing: it is refused). No database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain import virtual_number as vn
from parcelguard.domain.pii.mobile import ALLOCATED_SEGMENTS
from parcelguard.errors import ErrorCode, ValidationError

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_an_ordinary_mobile_is_refused_as_a_pool_number_without_echoing_it() -> None:
    with pytest.raises(ValidationError) as refused:
        vn.parse_pool_number("13800138000")
    assert refused.value.code is ErrorCode.INVALID_MOBILE and "virtual-number range" in refused.value.message
    assert refused.value.field == "number" and "13800138000" not in refused.value.message
    assert "170" in refused.value.message  # says which ranges are accepted


def test_the_virtual_operator_segments_are_accepted_in_any_spelling_a_mobile_takes() -> None:
    assert vn.parse_pool_number("+86 170 1234 5678") == "17012345678"
    for segment in vn.VIRTUAL_SEGMENTS:
        assert vn.parse_pool_number(f"{segment}12345678") == f"{segment}12345678"


def test_a_carriers_configured_prefix_admits_its_own_block_and_only_it() -> None:
    prefixes = (*vn.VIRTUAL_SEGMENTS, "1380013")
    assert vn.parse_pool_number("13800138000", prefixes) == "13800138000"
    with pytest.raises(ValidationError):
        vn.parse_pool_number("13800148000", prefixes)


def test_a_malformed_number_is_still_invalid_mobile_naming_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        vn.parse_pool_number("12345", field="line 3")
    assert refused.value.code is ErrorCode.INVALID_MOBILE and refused.value.field == "line 3"


@given(st.sampled_from(sorted(ALLOCATED_SEGMENTS)), st.text("0123456789", min_size=8, max_size=8))
def test_a_number_is_a_pool_number_exactly_when_its_segment_is_a_masking_one(segment: str, rest: str) -> None:
    number = segment + rest
    if segment in vn.VIRTUAL_SEGMENTS:
        assert vn.parse_pool_number(number) == number and vn.is_pool_number(number)
    else:
        assert not vn.is_pool_number(number)
        with pytest.raises(ValidationError):
            vn.parse_pool_number(number)


def test_configured_prefixes_are_digits_starting_with_1_and_add_to_the_segments() -> None:
    assert vn.parse_number_prefixes("") == vn.VIRTUAL_SEGMENTS
    assert vn.parse_number_prefixes(" 1380013, 1990000 ,") == (*vn.VIRTUAL_SEGMENTS, "1380013", "1990000")
    for bad in ("13a", "12", "2380013", "1" * 12):
        with pytest.raises(ValidationError) as refused:
            vn.parse_number_prefixes(bad)
        assert refused.value.code is ErrorCode.INVALID_REQUEST


def test_extending_a_binding_without_an_end_is_refused_not_a_silent_no_op() -> None:
    with pytest.raises(ValidationError) as refused:
        vn.extended(None, NOW, timedelta(hours=2))
    assert refused.value.code is ErrorCode.INVALID_TRANSITION
    assert vn.extended(NOW, NOW, timedelta(hours=2)) == NOW + timedelta(hours=2)
