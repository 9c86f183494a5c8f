"""One idempotency-key rule on every path: the service, the HTTP header's pattern and the CLI option."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.cli.waybill import MAX_KEY_CHARS, _checked_key
from parcelguard.errors import ValidationError
from parcelguard.services.issuance import (
    IDEMPOTENCY_KEY_PATTERN,
    MAX_IDEMPOTENCY_KEY_CHARS,
    _scoped_idempotency_key,
    is_idempotency_key,
)

_KEYS = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=140),
    st.text(max_size=20),
    st.sampled_from(["", " ", " k", "k ", "\tk", "k\n", "a b", "x" * 128, "x" * 129]),
)


@given(_KEYS)
def test_the_service_takes_exactly_the_keys_of_the_rule(key: str) -> None:
    expected = (
        0 < len(key) <= MAX_IDEMPOTENCY_KEY_CHARS
        and all(" " <= c <= "~" for c in key)
        and key[0] != " "
        and key[-1] != " "
    )
    assert is_idempotency_key(key) is expected
    assert (re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key) is not None and len(key) <= 128) is expected
    if expected:
        assert _scoped_idempotency_key("apikey:x", key, 1)
    else:
        with pytest.raises(ValidationError):
            _scoped_idempotency_key("apikey:x", key, 1)


@given(_KEYS)
def test_a_key_the_cli_takes_is_one_the_service_takes_with_its_batch_number(key: str) -> None:
    try:
        checked = _checked_key(key)
    except ValidationError as refused:
        assert refused.field == "--idempotency-key"
        return
    assert checked == key and len(key) <= MAX_KEY_CHARS
    assert is_idempotency_key(f"{key}:{99_999}")
