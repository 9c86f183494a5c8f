"""End to end: Hong Kong's floor spelling 21/F is the floor 21F, 21楼 and 21层 are (HOUSEHOLD):
written in the remarks of an order whose address holds floor 21 (or written so in the address), it printed
on the label (R2 review, 2026-11-30)."""

from __future__ import annotations

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.pii.address_grammar import HOUSEHOLD
from parcelguard.services.issuance import issue_waybill
from tests.integration.test_free_text import _own_order, _printed_texts


@pytest.mark.parametrize(
    ("address", "remarks", "secrets"),
    [
        ("北京市朝阳区建国路88号国际银行大厦21F", "送到21/F前台", ("21/F",)),
        ("北京市朝阳区建国路88号国际银行大厦21/F-2108", "放21楼，2108门口", ("21楼", "2108")),
    ],
)
def test_a_floor_written_21_slash_f_never_prints(
    runtime: Runtime, address: str, remarks: str, secrets: tuple[str, ...]
) -> None:
    order = _own_order("图书", name="Hannah Whitfield", mobile="15867203391")
    order["recipient"]["address"] = address
    order["remarks"] = remarks
    number = issue_waybill(runtime.ctx, order, actor="t").tracking_number

    printed = _printed_texts(runtime, number)

    for where, text in printed.items():
        for secret in secrets:
            assert secret not in text, (where, secret)


def test_the_grammar_reads_21_slash_f_as_a_floor_and_nothing_else_new() -> None:
    assert [(m.lastgroup, m.group()) for m in HOUSEHOLD.finditer("大厦21/F-1208")] == [
        ("floor", "21/F"),
        ("room", "1208"),
    ]
    assert [m.group() for m in HOUSEHOLD.finditer("50/50 free, 1/2 off")] == []
