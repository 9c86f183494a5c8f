"""The CLI's JSON-line decoder: every line decodes or fails with a coded error, never another exception."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.cli.common import MAX_JSON_DEPTH, decode_json_line, text_encoding
from parcelguard.errors import ErrorCode, ValidationError

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**60), max_value=10**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(values)
def test_every_json_value_of_bounded_shape_decodes_to_itself(value: object) -> None:
    assert decode_json_line(json.dumps(value)) == value
    assert decode_json_line(json.dumps(value, ensure_ascii=False)) == value


@given(st.text(alphabet=st.characters(codec=None, categories=None), max_size=200))
def test_any_text_decodes_or_fails_with_a_coded_error(text: str) -> None:
    try:
        decode_json_line(text)
    except ValidationError as error:
        assert error.code == ErrorCode.INVALID_REQUEST


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[" * 100_000, "nested"),
        ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "nested"),
        ("9" * 5000, "number longer"),
        ("1e999", "out of range"),
        ("-Infinity", "NaN or Infinity"),
        ('"\\ud800"', "lone surrogate"),
        ('{"\\udc00": 1}', "lone surrogate"),
        ("{not json", "not valid JSON"),
    ],
)
def test_lines_that_cannot_be_orders_say_why(line: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        decode_json_line(line)


def test_a_surrogate_pair_is_one_character_not_an_error() -> None:
    assert decode_json_line('"\\ud83d\\udce6"') == "📦"


def test_only_ascii_compatible_encodings_are_accepted() -> None:
    assert text_encoding("UTF-8") == "utf-8-sig"
    assert text_encoding("GB18030") == "gb18030"
    for name in ("utf-16", "rot13", "no-such-codec"):
        with pytest.raises(ValidationError):
            text_encoding(name)
