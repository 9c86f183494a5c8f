"""Parsing orders: every problem has a code and a field path, and no message repeats the input."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.domain.order import parse_order
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.errors import ErrorCode, ValidationError


def an_order() -> dict[str, Any]:
    return SyntheticPeople(1).order()


def broken(path: str, value: Any) -> dict[str, Any]:
    order = copy.deepcopy(an_order())
    *parents, leaf = path.split(".")
    target = order
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[leaf]
    else:
        target[leaf] = value
    return order


CASES = [
    ("recipient.mobile", "1234", ErrorCode.INVALID_MOBILE),
    ("sender.mobile", KeyError, ErrorCode.MISSING_FIELD),
    ("sender.mobile", None, ErrorCode.MISSING_FIELD),
    ("recipient.name", "", ErrorCode.MISSING_FIELD),
    ("recipient.name", "   ", ErrorCode.MISSING_FIELD),
    ("recipient.name", 42, ErrorCode.INVALID_NAME),
    ("recipient.name", "张\ud800", ErrorCode.INVALID_NAME),
    ("recipient.mobile", "1" * 33, ErrorCode.INVALID_MOBILE),
    ("sender.id_type", KeyError, ErrorCode.MISSING_FIELD),
    ("sender.id_number", KeyError, ErrorCode.MISSING_FIELD),
    ("sender.email", "someone@example.com", ErrorCode.UNKNOWN_FIELD),
    ("recipient.nickname", "x", ErrorCode.UNKNOWN_FIELD),
    ("parcel.value_cny", 10, ErrorCode.UNKNOWN_FIELD),
    ("foo", 1, ErrorCode.UNKNOWN_FIELD),
    ("parcel.weight_kg", KeyError, ErrorCode.MISSING_FIELD),
    ("parcel.weight_kg", "1.2", ErrorCode.INVALID_PARCEL),
    ("parcel.weight_kg", False, ErrorCode.INVALID_PARCEL),
    ("parcel.weight_kg", float("inf"), ErrorCode.INVALID_PARCEL),
    ("parcel.weight_kg", 1000.001, ErrorCode.INVALID_PARCEL),
    ("parcel.description", KeyError, ErrorCode.MISSING_FIELD),
    ("parcel.description", ["书籍"], ErrorCode.INVALID_PARCEL),
    ("remarks", 5, ErrorCode.INVALID_REQUEST),
    ("remarks", "放门口\udfff", ErrorCode.INVALID_REQUEST),
    ("parcel", KeyError, ErrorCode.MISSING_FIELD),
    ("sender", [], ErrorCode.INVALID_REQUEST),
    ("recipient.address", "somewhere nice 123", ErrorCode.INVALID_ADDRESS),
    ("sender.id_number", "110105194912310021", ErrorCode.INVALID_RESIDENT_ID),
    ("sender.id_type", "driving_licence", ErrorCode.INVALID_ID_TYPE),
    ("parcel.weight_kg", 0, ErrorCode.INVALID_PARCEL),
    ("parcel.weight_kg", "heavy", ErrorCode.INVALID_PARCEL),
    ("parcel.weight_kg", True, ErrorCode.INVALID_PARCEL),
    ("parcel.description", "x" * 201, ErrorCode.INVALID_PARCEL),
    ("recipient", "not an object", ErrorCode.INVALID_REQUEST),
]


@pytest.mark.parametrize(("path", "value", "code"), CASES)
def test_each_bad_field_is_reported_with_its_code_and_path(path: str, value: Any, code: ErrorCode) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_order(broken(path, value))
    assert caught.value.code == code
    assert caught.value.field == path


def test_a_valid_synthetic_order_parses() -> None:
    order = parse_order(an_order())
    assert order.sender_id.id_type == "resident_id"


def test_an_order_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_order(["not", "an", "order"])
    assert caught.value.code == ErrorCode.INVALID_REQUEST


def test_a_key_that_is_not_an_identifier_is_refused_without_being_shown() -> None:
    order = an_order()
    order["recipient"]["13800138000 张伟"] = "x"
    with pytest.raises(ValidationError) as caught:
        parse_order(order)
    assert (caught.value.code, caught.value.field) == (ErrorCode.UNKNOWN_FIELD, "recipient")
    assert "13800138000" not in caught.value.message


def test_an_order_of_only_the_contract_fields_parses_and_keeps_its_remarks() -> None:
    order = an_order()
    order["remarks"] = "放门口"
    assert parse_order(order).remarks == "放门口"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=300)
@given(st.sampled_from(["", "sender", "recipient", "parcel"]), st.text(max_size=12), json_values)
def test_any_json_value_anywhere_parses_or_is_a_coded_error(where: str, key: str, value: Any) -> None:
    """The whole input space of decoded JSON: a coded ValidationError, never another exception."""
    order = an_order()
    (order[where] if where else order)[key] = value
    try:
        parse_order(order)
    except ValidationError as error:
        assert error.code in ErrorCode
        error_text = error.message + (error.field or "")
        error_text.encode("utf-8")  # never a lone surrogate in what the API would answer


@settings(max_examples=200)
@given(st.text(min_size=3, max_size=40).filter(lambda s: s.strip()))
def test_error_messages_never_contain_what_was_typed(value: str) -> None:
    for field in ("recipient.name", "recipient.mobile", "recipient.address", "sender.id_number"):
        try:
            parse_order(broken(field, value))
        except ValidationError as error:
            assert value.strip() not in error.message or len(value.strip()) < 3


def test_remarks_are_optional_free_text_with_a_length_limit() -> None:
    order = an_order()
    assert parse_order(order).remarks is None
    order["remarks"] = "  放门口  "
    assert parse_order(order).remarks == "放门口"
    order["remarks"] = "x" * 501
    with pytest.raises(ValidationError) as caught:
        parse_order(order)
    assert caught.value.field == "remarks"
