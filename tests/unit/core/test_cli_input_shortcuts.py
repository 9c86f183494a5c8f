"""`waybill issue`'s shortcuts over its input (issue 9) agree with the plain paths they skip: the line count
taken from raw bytes with input_lines' own, the survey's digest with the file's SHA-256, and the JSON decoder
that skips the shape walk with the one that always walks."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from parcelguard.cli.common import (
    MAX_JSON_DEPTH,
    _BadNumber,
    _bounded_int,
    _check_shape,
    _finite_float,
    _line_error,
    _no_constant,
    decode_json_line,
    input_lines,
    is_input_line,
    text_encoding,
)
from parcelguard.cli.waybill import _survey
from parcelguard.domain.strict_json import loads_strict
from parcelguard.errors import ValidationError

ENCODINGS = ["utf-8", "gb18030", "gbk", "big5", "latin-1", "cp1252", "ascii", "utf-7", "shift_jis", "hz"]

# Bytes that matter to the shortcut, alone and in their runs.
PIECES = (
    b" \t\r\x0b\x0c",  # ASCII whitespace, which both bytes.strip() and str.strip() remove
    b"\x1c\x1f\x85\xa0",  # separators str.strip() removes, bytes.strip() not; NEL and NBSP in Latin-1
    b"\xe3\x80\x80",  # U+3000 in UTF-8
    b"\xef\xbb\xbf",  # a UTF-8 BOM
    b"{a!~",
    b"+MAA-",  # U+3000 in utf-7
    b"~{!!~}",  # U+3000 in hz
    b"\x80\xa1\xff\xc3",  # lead and trailing bytes of multi-byte characters
)
line_bytes = st.lists(
    st.sampled_from([bytes([b]) for piece in PIECES for b in piece] + list(PIECES)) | st.binary(max_size=3),
    max_size=8,
).map(b"".join)


def _plain_line(number: int, raw: bytes, codec: str) -> bool:
    """input_lines' own rule, line by line: a line is yielded when it does not decode or holds text."""
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        return True
    if number == 1:
        text = text.removeprefix("\ufeff")
    return bool(text.strip())


@given(st.sampled_from(ENCODINGS), st.integers(min_value=1, max_value=3), line_bytes)
@example("utf-7", 1, b"+MAA-")
@example("hz", 2, b" ~{!!~}")
@example("utf-8", 1, b"\xef\xbb\xbf ")
@example("gb18030", 1, b"\xa1\xa1")
def test_a_line_is_counted_from_its_bytes_exactly_when_input_lines_would_yield_it(
    encoding: str, number: int, raw: bytes
) -> None:
    codec = text_encoding(encoding)
    assert is_input_line(number, raw + b"\n", codec) == _plain_line(number, raw + b"\n", codec)
    assert is_input_line(number, raw, codec) == _plain_line(number, raw, codec)


@given(st.sampled_from(ENCODINGS), st.lists(line_bytes, max_size=6), st.booleans())
def test_the_survey_counts_what_input_lines_yields_and_hashes_the_whole_file(
    encoding: str, lines: list[bytes], final_newline: bool
) -> None:
    content = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.jsonl"
        path.write_bytes(content)
        count, digest = _survey(path, encoding)
        assert count == sum(1 for _ in input_lines(path, encoding))
    assert digest == hashlib.sha256(content).hexdigest()


def _walking_decode(text: str) -> object:
    """decode_json_line as it was: the shape walk after every line."""
    try:
        value = loads_strict(
            text, parse_int=_bounded_int, parse_float=_finite_float, parse_constant=_no_constant
        )
    except RecursionError:
        raise _line_error(f"line is nested more than {MAX_JSON_DEPTH} levels deep") from None
    except _BadNumber as error:
        raise _line_error(f"line holds {error}") from None
    except ValueError:
        raise _line_error("line is not valid JSON") from None
    _check_shape(value, check_strings="\\u" in text)
    return value


def _outcome(decode: object, text: str) -> object:
    try:
        return ("value", decode(text))  # type: ignore[operator]
    except ValidationError as error:
        return ("error", error.code, error.message, error.field)


scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5)


def _nested(depth: int, leaf: object, kinds: list[bool]) -> object:
    value = leaf
    for as_list in kinds[:depth]:
        value = [value] if as_list else {"k": value}
    return value


@given(
    st.integers(min_value=0, max_value=MAX_JSON_DEPTH + 4),
    scalars,
    st.lists(st.booleans(), min_size=MAX_JSON_DEPTH + 4, max_size=MAX_JSON_DEPTH + 4),
    st.booleans(),
    st.sampled_from(["", "\\ud800", "\\udc00x", "\\u00e9", "{[", "]}"]),
)
def test_the_decoder_that_skips_the_walk_answers_as_the_one_that_always_walks(
    depth: int, leaf: object, kinds: list[bool], ascii_only: bool, extra: str
) -> None:
    document = json.dumps(_nested(depth, leaf, kinds), ensure_ascii=ascii_only)
    texts = [document, document.replace('"k"', f'"{extra}"', 1), f'{{"a": "{extra}", "b": {document}}}']
    for text in texts:
        assert _outcome(decode_json_line, text) == _outcome(_walking_decode, text)


@given(st.text(alphabet='{}[]",:\\u0123456789abcdefdn ', max_size=80))
def test_the_two_decoders_agree_on_any_text_made_of_json_punctuation(text: str) -> None:
    assert _outcome(decode_json_line, text) == _outcome(_walking_decode, text)
