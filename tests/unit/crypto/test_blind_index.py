from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.adapters.crypto import BlindIndex
from parcelguard.errors import ErrorCode, ValidationError

KEY = bytes(range(32))
MOBILE = "13800138000"
RESIDENT_ID = "11010519491231002X"

mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z")


@pytest.fixture(scope="module")
def index() -> BlindIndex:
    return BlindIndex(KEY)


def test_the_same_value_always_gives_the_same_16_byte_index(index: BlindIndex) -> None:
    assert index.mobile(MOBILE) == index.mobile(MOBILE) == BlindIndex(KEY).mobile(MOBILE)
    assert len(index.mobile(MOBILE)) == 16


def test_an_index_is_the_truncated_domain_separated_hmac_sha256(index: BlindIndex) -> None:
    message = b"parcelguard/blind-index/v1\x00mobile\x00" + MOBILE.encode()
    assert index.mobile(MOBILE) == hmac.new(KEY, message, hashlib.sha256).digest()[:16]


def test_a_different_key_gives_a_different_index(index: BlindIndex) -> None:
    assert BlindIndex(bytes(32)).mobile(MOBILE) != index.mobile(MOBILE)


def test_the_same_digits_indexed_as_different_kinds_do_not_collide(index: BlindIndex) -> None:
    assert index.mobile_last4("8000") != index.digest("other", "8000")
    assert index.mobile(MOBILE) != index.digest("landline", MOBILE)
    assert index.digest("mobile", MOBILE) == index.mobile(MOBILE)


def test_kind_and_value_cannot_be_shifted_into_each_other(index: BlindIndex) -> None:
    assert index.digest("ab", "c") != index.digest("a", "bc")
    with pytest.raises(ValueError, match="NUL"):
        index.digest("a\x00b", "c")


def test_the_three_named_kinds_accept_normalised_values(index: BlindIndex) -> None:
    assert index.mobile_last4("0000") != index.mobile_last4("0001")
    assert index.resident_id(RESIDENT_ID) != index.resident_id("110105194912310021")


@given(a=mobiles, b=mobiles)
def test_distinct_mobiles_get_distinct_indexes(index: BlindIndex, a: str, b: str) -> None:
    assert (index.mobile(a) == index.mobile(b)) == (a == b)


@pytest.mark.parametrize(
    "value", ["+8613800138000", "138 0013 8000", "1380013800", "138001380001", "١٣٨٠٠١٣٨٠٠٠"]
)
def test_an_unnormalised_mobile_is_refused_without_echoing_it(index: BlindIndex, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        index.mobile(value)
    assert caught.value.code is ErrorCode.INVALID_MOBILE
    assert value not in str(caught.value)


@pytest.mark.parametrize("value", ["800", "80000", "８０００", "80a0"])
def test_a_last_four_that_is_not_four_ascii_digits_is_refused(index: BlindIndex, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        index.mobile_last4(value)
    assert caught.value.code is ErrorCode.INVALID_MOBILE


@pytest.mark.parametrize(
    "value", ["11010519491231002x", "1101051949123100", "11010519491231002XX", "X10105194912310021"]
)
def test_an_unnormalised_resident_id_is_refused(index: BlindIndex, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        index.resident_id(value)
    assert caught.value.code is ErrorCode.INVALID_RESIDENT_ID
    assert value not in str(caught.value)


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        BlindIndex(bytes(16))


def test_the_repr_shows_no_key_material(index: BlindIndex) -> None:
    assert KEY.hex()[:8] not in repr(index)
    assert repr(KEY)[2:10] not in repr(index)
