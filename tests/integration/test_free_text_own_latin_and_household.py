"""End to end: an order's Latin name parts and its address's building, floor and room are printed masked in
every format (PDF through pdftotext, ZPL, PNG's label data, the API's masked view), as a tester's order of
Hannah Whitfield at …A栋501 or …国际银行大厦21F showed they were not."""

from __future__ import annotations

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.services.issuance import issue_waybill
from tests.integration.test_free_text import _own_order, _printed_texts


@pytest.mark.parametrize(
    ("name", "address", "description", "remarks", "secrets"),
    [
        (
            "Hannah Whitfield",
            "广东省深圳市南山区科技园路12号A栋501",
            "给15867203391 Hannah的生日礼物",
            "Whitfield先生/女士 放A栋501 H a n n a h",
            ("Hannah", "annah", "hitfield", "a n n a h", "A栋", "501", "67203"),
        ),
        (
            "Mary-Jane O'Neil",
            "北京市朝阳区建国路88号国际银行大厦21F",
            "Mary-Jane收 MARY jane",
            "放21F前台，或21楼",
            ("ary", "ARY", "ane", "Neil", "21F", "21楼"),
        ),
        (
            "Hannah Whitfield",
            "北京市朝阳区建国路88号国际银行大厦12F-1208",
            "图书",
            "12F-1208 送2件",
            ("12F", "1208"),
        ),
    ],
)
def test_an_orders_latin_name_and_household_never_print_in_any_format(
    runtime: Runtime, name: str, address: str, description: str, remarks: str, secrets: tuple[str, ...]
) -> None:
    order = _own_order(description, name=name, mobile="15867203391")
    order["recipient"]["address"] = address
    order["remarks"] = remarks
    number = issue_waybill(runtime.ctx, order, actor="t").tracking_number

    printed = _printed_texts(runtime, number)

    for where, text in printed.items():
        if where == "api":  # the masked view: its address and name fields are masked by their own rules
            text = text.replace(" ", "")
        for secret in secrets:
            assert secret not in text, (where, secret)
    assert "2件" in printed["pdf"].replace(" ", "") or "送2件" not in remarks
