"""Issuance asks whether a description or remark may hold an order's own values before building them
(issue 9: a remark's other phone or order number no longer builds them): whatever it skips, masking with
every own value (pinyin included) would have left unchanged."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcelguard.domain.order import Order, parse_order
from parcelguard.domain.own_values import OwnValues, mask_own_values, may_hold_own_values
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.free_text import _after_own_values
from tests.unit.pii.strategies import mobile_spellings, spelled_digits

_FILLERS = st.sampled_from(
    [
        "",
        "，",
        " ",
        "打这个电话 ",
        "订单号 ",
        "放14号快递柜",
        "到了打电话",
        "联系",
        "尾号",
        "身份证",
        "2层蛋糕",
        "x",
        "SKU",
    ]
)


def _own_pieces(order: Order) -> list[str]:
    number = order.sender_id.number.value
    mobile = order.recipient.mobile.value
    household = [*order.recipient.address.household.values(), *order.sender.address.household.values()]
    return [
        *household,
        *("".join(ch for ch in value if ch.isdigit()) for value in household),  # 1601 for 1601室
        order.recipient.name.value,
        order.sender.name.value[-1],
        mobile,
        mobile[-4:],
        mobile[3:9],
        order.sender.mobile.value,
        number,
        number[-6:],
        number[:4],
    ]


@st.composite
def texts(draw: st.DrawFn, order: Order) -> str:
    own = [piece for piece in _own_pieces(order) if piece]
    other = st.from_regex(r"1[3-9][0-9]{9}|[0-9]{3,12}|[0-9]{1,2}号", fullmatch=True)
    parts = draw(
        st.lists(
            st.one_of(
                _FILLERS,
                other,
                st.sampled_from(own),
                st.sampled_from(own).flatmap(
                    lambda v: spelled_digits(v) if v.isdigit() and len(v) > 1 else st.just(v)
                ),
                mobile_spellings(order.recipient.mobile.value),
            ),
            max_size=5,
        )
    )
    return "".join(parts)


def _everything(order: Order, text: str) -> str:
    return mask_own_values(text, OwnValues.of(order, pinyin=True))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 10_000))
def test_a_text_the_prefilter_skips_is_one_masking_leaves_unchanged(data: st.DataObject, seed: int) -> None:
    order = parse_order(SyntheticPeople(seed).order())
    text = data.draw(texts(order))
    assert may_hold_own_values(text, order) or _everything(order, text) == text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 10_000))
def test_issuance_masks_description_and_remarks_as_masking_with_every_own_value_does(
    data: st.DataObject, seed: int
) -> None:
    raw: dict[str, Any] = SyntheticPeople(seed).order()
    order = parse_order(raw)
    description = data.draw(texts(order)) or "服装"
    remarks = data.draw(st.none() | texts(order))
    order = dataclasses.replace(
        order, parcel=dataclasses.replace(order.parcel, description=description), remarks=remarks
    )
    expected = (
        _everything(order, description),
        None if remarks is None else _everything(order, remarks),
    )
    assert _after_own_values(order) == expected
