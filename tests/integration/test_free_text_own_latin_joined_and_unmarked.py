"""End to end: a Latin name written without (or with) its marks (Zoe Muller for Zoë Müller) or its words
written together (hannahwhitfield, as in an e-mail address) never prints on a label or in the masked view
(R2 review, 2026-11-30: both printed in full, while Hannah alone was masked)."""

from __future__ import annotations

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.order import parse_order
from parcelguard.domain.own_values import OwnValues, mask_own_values, may_hold_own_values
from parcelguard.services.issuance import issue_waybill
from tests.integration.test_free_text import _own_order, _printed_texts

CASES = [
    ("Zoë Müller", "给Zoe Muller的礼物", "MULLER收 zoe", ("Zoe", "oe ", "uller", "ULLER")),
    ("Zoe Muller", "给Zoë的礼物", "Müller收", ("oë", "üller")),
    (
        "Hannah Whitfield",
        "hannahwhitfield@example.com",
        "WhitfieldHannah 收",
        ("annahwhitfield", "hitfieldHannah", "hitfield"),
    ),
]


@pytest.mark.parametrize(("name", "description", "remarks", "secrets"), CASES)
def test_an_unmarked_or_joined_latin_name_never_prints(
    runtime: Runtime, name: str, description: str, remarks: str, secrets: tuple[str, ...]
) -> None:
    order = _own_order(description, name=name, mobile="15867203391")
    order["remarks"] = remarks
    number = issue_waybill(runtime.ctx, order, actor="t").tracking_number

    printed = _printed_texts(runtime, number)

    for where, text in printed.items():
        for secret in secrets:
            assert secret not in text, (where, secret)


@pytest.mark.parametrize(
    ("name", "text", "masked"),
    [
        ("Zoë Müller", "Zoe", "Z**"),
        ("Zoe Muller", "MÜLLER", "M*****"),
        ("Hannah Whitfield", "hannahwhitfield@x", "h**************@x"),
        ("Hannah Whitfield", "handle with care", "handle with care"),  # nothing else masked
        ("Zoë Müller", "zoology museum", "zoology museum"),
    ],
)
def test_the_mask_of_unmarked_and_joined_parts(name: str, text: str, masked: str) -> None:
    order = parse_order(_own_order(text, name=name, mobile="15867203391"))
    assert may_hold_own_values(text, order) or text == masked
    assert mask_own_values(text, OwnValues.of(order)) == masked
