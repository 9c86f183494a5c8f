"""PARCELGUARD_VNUM_NUMBER_PREFIXES reaches the telephony policy; a bad entry is refused at start-up."""

from __future__ import annotations

import pytest

from parcelguard.bootstrap import telephony_policy
from parcelguard.config import Settings
from parcelguard.domain.virtual_number import VIRTUAL_SEGMENTS
from parcelguard.errors import ConfigurationError, ErrorCode


def test_the_default_is_miits_virtual_segments_alone() -> None:
    assert telephony_policy(Settings()).number_prefixes == VIRTUAL_SEGMENTS


def test_the_carriers_ranges_are_added() -> None:
    prefixes = telephony_policy(Settings(vnum_number_prefixes="1380013, 1990000")).number_prefixes
    assert prefixes == (*VIRTUAL_SEGMENTS, "1380013", "1990000")


@pytest.mark.parametrize("raw", ["13a", "23800", "12", "1" * 12])
def test_a_bad_range_is_an_invalid_configuration_naming_the_variable(raw: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        telephony_policy(Settings(vnum_number_prefixes=raw))
    assert refused.value.code is ErrorCode.INVALID_CONFIGURATION
    assert refused.value.field == "PARCELGUARD_VNUM_NUMBER_PREFIXES" and raw not in str(refused.value)
