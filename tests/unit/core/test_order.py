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
    ("sender.mobile", KeyError, ErrorCode.INVALID_MOBILE),
    ("recipient.name", "", ErrorCode.INVALID_NAME),
    ("recipient.address", "somewhere nice 123", ErrorCode.INVALID_ADDRESS),
    ("sender.id_number", "110105194912310021", ErrorCode.INVALID_RESIDENT_ID),
    ("sender.id_type", "passport", ErrorCode.INVALID_ID_TYPE),
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
