"""Realistic, already-masked label data and a minimal stand-in for the real label gate."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from parcelguard.adapters.render import LabelRenderer
from parcelguard.domain.label import LabelData, LabelParty
from parcelguard.errors import LabelComplianceError

_DIGIT_RUN = re.compile(r"\d{7,}")


def strict_test_gate(data: LabelData) -> None:
    """Rejects what a privacy label must never show: 7+ digits in a row, or a name left unmasked.

    The real gate (parcelguard.domain.pii.label_lint) is wired in by bootstrap; these tests only need one
    that fails loudly on the obvious cases.
    """
    for side in ("recipient", "sender"):
        party: LabelParty = getattr(data, side)
        for field in ("name", "phone", "address"):
            if _DIGIT_RUN.search(getattr(party, field)):
                raise LabelComplianceError("field holds an unmasked number", field=f"{side}.{field}")
        if "*" not in party.name:
            raise LabelComplianceError("name is not masked", field=f"{side}.name")


def make_label(**overrides: Any) -> LabelData:
    """A label as the waybill service would hand it over: every personal field already masked."""
    recipient = LabelParty(name="张*", phone="138******78", address="北京市朝阳区建国路**号****")
    sender = LabelParty(name="李*明", phone="139******21", address="上海市浦东新区世纪大道**号****")
    data = LabelData(
        carrier_name="ParcelGuard Express",
        tracking_number="PG1234567890123",
        routing_code="110105",
        routing_text="北京 朝阳区",
        recipient=recipient,
        sender=sender,
        qr_payload="PGT1MFRGGZDFMZTWQ2LKNNWG23TPOBYXE4DTOR2XM53YPF5A",
        parcel_description="服装 / 2 件",
        weight_kg=1.25,
        issued_on=date(2024, 5, 1),
    )
    return replace(data, **overrides)


@pytest.fixture
def label() -> LabelData:
    return make_label()


@pytest.fixture
def renderer() -> LabelRenderer:
    return LabelRenderer(strict_test_gate)
