"""Senders registering with any identity document: issued, stored encrypted, read back masked by type,
and found again through the blind index of the number."""

from __future__ import annotations

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import ALL_SCOPES, Principal
from parcelguard.domain.order import parse_order
from parcelguard.domain.pii.id_type import IdType
from parcelguard.domain.pii.identity import IdentityNumber
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.issuance import issue_waybill
from parcelguard.services.waybills import view_waybill

OPERATOR = Principal(actor="test:operator", scopes=ALL_SCOPES)


@pytest.mark.parametrize("id_type", list(IdType))
def test_a_sender_with_any_document_issues_and_reads_back_masked(runtime: Runtime, id_type: IdType) -> None:
    order = SyntheticPeople(11).order(id_type=id_type)
    issued = issue_waybill(runtime.ctx, order, actor="test:platform")
    view = view_waybill(runtime.ctx, issued.tracking_number, principal=OPERATOR)
    number = IdentityNumber.parse(id_type, order["sender"]["id_number"])
    assert view.masked.sender_id_type == id_type.value
    assert view.masked.sender_id_number == number.masked()
    assert number.value not in str(view.masked.as_dict())
    index = runtime.ctx.index.id_number(id_type, parse_order(order).sender_id.number.index_value)
    with runtime.ctx.uow() as uow:
        assert uow.waybills.find_by_sender_id_number(index) == [issued.tracking_number]


def test_a_legacy_number_and_its_eighteen_character_form_find_the_same_sender(runtime: Runtime) -> None:
    people = SyntheticPeople(12)
    order = people.order()
    order["sender"]["id_number"] = people.legacy_resident_id()
    issued = issue_waybill(runtime.ctx, order, actor="test:platform")
    upgraded = IdentityNumber.parse("resident_id", order["sender"]["id_number"]).index_value
    index = runtime.ctx.index.id_number(
        "resident_id", IdentityNumber.parse("resident_id", upgraded).index_value
    )
    assert index == runtime.ctx.index.resident_id(upgraded)
    with runtime.ctx.uow() as uow:
        assert uow.waybills.find_by_sender_id_number(index) == [issued.tracking_number]
