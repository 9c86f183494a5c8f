from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import hmac
import re
import string
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.adapters.crypto import LabelTokenCodec, ParsedToken
from parcelguard.errors import ErrorCode, TokenError

KEY = bytes(range(32))
WAYBILL = "PG2024061800001"
QR_ALPHANUMERIC = set(string.digits + string.ascii_uppercase + " $%*+-./:")


@pytest.fixture(scope="module")
def codec() -> LabelTokenCodec:
    return LabelTokenCodec(KEY)


def _rejected(codec: LabelTokenCodec, text: str, waybill_id: str = WAYBILL) -> bool:
    """True when the text fails either to parse or to verify, the two gates a scanned token goes through."""
    try:
        codec.verify(codec.parse(text), waybill_id)
    except TokenError as error:
        assert error.code is ErrorCode.TOKEN_INVALID
        return True
    return False


@given(waybill_id=st.text())
def test_any_issued_token_parses_and_verifies_for_its_waybill(
    codec: LabelTokenCodec, waybill_id: str
) -> None:
    token = codec.issue(waybill_id)
    parsed = codec.parse(token.text)
    assert parsed.token_id == token.token_id
    codec.verify(parsed, waybill_id)


def test_a_token_text_is_a_prefix_and_52_unpadded_base32_characters(codec: LabelTokenCodec) -> None:
    token = codec.issue(WAYBILL)
    assert re.fullmatch(r"PGT1[A-Z2-7]{52}", token.text)
    assert len(token.token_id) == 16


def test_a_token_text_fits_the_qr_alphanumeric_mode(codec: LabelTokenCodec) -> None:
    assert set(codec.issue(WAYBILL).text) <= QR_ALPHANUMERIC


def test_a_token_text_holds_no_trace_of_the_waybill_id(codec: LabelTokenCodec) -> None:
    text = codec.issue(WAYBILL).text
    raw = base64.b32decode(text[4:] + "====")
    assert WAYBILL not in text
    assert WAYBILL.encode() not in raw


def test_a_token_mac_is_the_truncated_domain_separated_hmac(codec: LabelTokenCodec) -> None:
    token = codec.issue(WAYBILL)
    message = b"parcelguard/label-token/v1\x00" + token.token_id + b"\x00" + WAYBILL.encode()
    assert codec.parse(token.text).mac == hmac.new(KEY, message, hashlib.sha256).digest()[:16]


def test_two_tokens_for_the_same_waybill_differ_and_both_verify(codec: LabelTokenCodec) -> None:
    first, second = codec.issue(WAYBILL), codec.issue(WAYBILL)
    assert first.token_id != second.token_id
    assert first.text != second.text
    codec.verify(codec.parse(first.text), WAYBILL)
    codec.verify(codec.parse(second.text), WAYBILL)


def test_a_token_verified_against_another_waybill_fails(codec: LabelTokenCodec) -> None:
    token = codec.issue(WAYBILL)
    assert _rejected(codec, token.text, "PG2024061800002")


def test_a_token_issued_under_another_key_fails(codec: LabelTokenCodec) -> None:
    token = LabelTokenCodec(bytes(32)).issue(WAYBILL)
    assert _rejected(codec, token.text)


def test_any_single_character_change_to_a_token_text_is_rejected(codec: LabelTokenCodec) -> None:
    text = codec.issue(WAYBILL).text
    replacements = string.ascii_uppercase + string.ascii_lowercase + string.digits + "=- "
    for position, original in enumerate(text):
        for replacement in replacements:
            if replacement != original:
                changed = text[:position] + replacement + text[position + 1 :]
                assert _rejected(codec, changed), (position, replacement)


def test_a_non_canonical_last_character_is_rejected_even_though_it_decodes_alike(
    codec: LabelTokenCodec,
) -> None:
    text = codec.issue(WAYBILL).text
    # The last base32 character carries 1 data bit and 4 zero bits; a lax decoder ignores the zero bits.
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".index(text[-1])
    sloppy = text[:-1] + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[last | 0b00001]
    assert base64.b32decode(sloppy[4:] + "====") == base64.b32decode(text[4:] + "====")
    with pytest.raises(TokenError):
        codec.parse(sloppy)


def test_a_lower_case_token_text_is_rejected(codec: LabelTokenCodec) -> None:
    text = codec.issue(WAYBILL).text
    with pytest.raises(TokenError):
        codec.parse(text.lower())
    with pytest.raises(TokenError):
        codec.parse(text[:4] + text[4:].lower())


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda t: "", id="empty"),
        pytest.param(lambda t: t[:4], id="prefix-only"),
        pytest.param(lambda t: "PGT2" + t[4:], id="wrong-prefix"),
        pytest.param(lambda t: t[4:], id="no-prefix"),
        pytest.param(lambda t: t[:-1], id="one-short"),
        pytest.param(lambda t: t + "A", id="one-long"),
        pytest.param(lambda t: t + "====", id="padded"),
        pytest.param(lambda t: t + "\n", id="trailing-newline"),
        pytest.param(lambda t: " " + t, id="leading-space"),
        pytest.param(lambda t: t[:-1] + "Ａ", id="full-width-letter"),
        pytest.param(lambda t: t[:-1] + "1", id="digit-outside-base32"),
    ],
)
def test_a_malformed_token_text_is_rejected_as_invalid(
    codec: LabelTokenCodec, make: Callable[[str], str]
) -> None:
    with pytest.raises(TokenError) as caught:
        codec.parse(make(codec.issue(WAYBILL).text))
    assert caught.value.code is ErrorCode.TOKEN_INVALID


@given(text=st.text())
def test_parsing_arbitrary_text_fails_only_with_a_token_error(codec: LabelTokenCodec, text: str) -> None:
    with contextlib.suppress(TokenError):
        codec.parse(text)


@given(text=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=52, max_size=52))
def test_a_forged_well_formed_token_does_not_verify(codec: LabelTokenCodec, text: str) -> None:
    assert _rejected(codec, "PGT1" + text)


def test_a_parsed_token_with_a_wrong_length_id_does_not_verify(codec: LabelTokenCodec) -> None:
    parsed = codec.parse(codec.issue(WAYBILL).text)
    with pytest.raises(TokenError):
        codec.verify(dataclasses.replace(parsed, token_id=parsed.token_id + b"\x00"), WAYBILL)
    with pytest.raises(TokenError):
        codec.verify(ParsedToken(token_id=parsed.token_id, mac=parsed.mac[:8]), WAYBILL)


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        LabelTokenCodec(bytes(31))


def test_the_repr_shows_no_key_material(codec: LabelTokenCodec) -> None:
    assert KEY.hex()[:8] not in repr(codec)
