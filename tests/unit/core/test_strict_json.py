"""Duplicate JSON keys are refused with the path of the repeated field (issue 7, second review)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.strict_json import loads_strict, shown_key
from parcelguard.errors import ErrorCode, ValidationError


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ('{"parcel": {"weight_kg": 1}, "parcel": {"weight_kg": 2}}', "parcel"),
        ('{"sender": {"name": "a", "name": "b"}}', "sender.name"),
        ('{"orders": [{}, {"remarks": "a", "remarks": "b"}]}', "orders.1.remarks"),
        ('[[{"x": 1, "x": 1}]]', "0.0.x"),
        ('{"sender": {"\\u5f20": 1, "\\u5f20": 2}}', "sender"),
        ('{"\\ud800": 1, "\\ud800": 2}', None),
    ],
)
def test_a_repeated_key_is_refused_with_its_path(document: str, field: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        loads_strict(document)
    assert (caught.value.code, caught.value.field) == (ErrorCode.DUPLICATE_FIELD, field)
    assert "张" not in caught.value.message


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=12,
)


@given(json_values)
def test_a_document_without_repeated_keys_decodes_as_json_loads_does(value: Any) -> None:
    document = json.dumps(value)
    assert loads_strict(document) == json.loads(document)


@given(st.dictionaries(st.text(max_size=4), st.integers(), min_size=1, max_size=4), st.data())
def test_any_repeated_key_is_found_with_its_path(value: dict[str, int], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(value)))
    repeated = json.dumps(value)[:-1] + ", " + json.dumps(key) + ": 0}"
    with pytest.raises(ValidationError) as caught:
        loads_strict('{"orders": [[], "x", ' + repeated + "]}")
    assert caught.value.code == ErrorCode.DUPLICATE_FIELD
    assert caught.value.field == (f"orders.2.{key}" if shown_key(key) else "orders.2")


def test_a_key_holding_a_mobile_or_an_id_number_is_never_echoed() -> None:
    """An unknown or repeated key is named in the error only when it cannot carry a phone or ID number."""
    from parcelguard.domain.order import parse_order
    from parcelguard.errors import ErrorCode, ValidationError

    for key in ("zhangwei_13800138000", "id_11010519491231002X", "x138"):
        assert not shown_key(key)
        with pytest.raises(ValidationError) as caught:
            parse_order({key: 1})
        assert caught.value.code is ErrorCode.UNKNOWN_FIELD
        assert "138" not in str(caught.value) and caught.value.field is None
    for key in ("recipent", "last4", "weight_kg", "id_number"):
        assert shown_key(key)
