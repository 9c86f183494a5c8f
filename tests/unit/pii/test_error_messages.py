"""No error message may echo the value that failed: errors end up in logs, API responses and screens."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.pii.address import Address
from parcelguard.domain.pii.email import Email
from parcelguard.domain.pii.landline import Landline
from parcelguard.domain.pii.mobile import Mobile
from parcelguard.domain.pii.name import PersonName
from parcelguard.domain.pii.phone import parse_phone
from parcelguard.domain.pii.resident_id import ResidentId
from parcelguard.errors import ValidationError

PARSERS: list[Callable[[str], object]] = [
    PersonName.parse,
    Mobile.parse,
    Landline.parse,
    parse_phone,
    ResidentId.parse,
    Email.parse,
    Address.parse,
]

BAD_VALUES = [
    "张三3号",
    "13812345",
    "1381234567890",
    "010-1234",
    "11010519491231002Y",
    "zhang@@example.com",
    "阳光花园3号楼2单元1201室",
    "广东省科技路1号",
    "北京市朝阳区",
    "Secret Person 9",
]


def _message_of(parse: Callable[[str], object], raw: str) -> str | None:
    try:
        parse(raw)
    except ValidationError as error:
        return str(error) + " " + str(error.to_dict())
    return None


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize("raw", BAD_VALUES)
def test_error_messages_never_contain_the_input_value(parse: Callable[[str], object], raw: str) -> None:
    message = _message_of(parse, raw)
    if message is not None:
        assert raw not in message
        assert raw.strip()[:4] not in message


_FIXED_MESSAGE = re.compile(r"(?P<field>[a-z_]+): (?P<reason>[a-z ]+)")


@given(st.sampled_from(PARSERS), st.text(min_size=1, max_size=40))
def test_messages_are_fixed_lower_case_english_so_no_digits_han_or_symbols_can_leak(
    parse: Callable[[str], object], raw: str
) -> None:
    try:
        parse(raw)
    except ValidationError as error:
        shape = _FIXED_MESSAGE.fullmatch(error.message)
        assert shape is not None
        assert shape["field"] == error.field
