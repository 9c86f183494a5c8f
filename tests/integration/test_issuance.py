"""Issuing waybills through the service layer, on SQLite and PostgreSQL, with real crypto."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import func, select, update

from parcelguard.adapters.db import models as m
from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import ALL_SCOPES, Principal
from parcelguard.domain.audit import WAYBILL_ISSUED
from parcelguard.domain.order import parse_order
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.waybill import MaskedOrder
from parcelguard.errors import ConflictError, CryptoError, ErrorCode, ValidationError
from parcelguard.services.issuance import FailedItem, IssuedWaybill, issue_batch, issue_waybill
from parcelguard.services.waybills import find_by_recipient_mobile, view_waybill

OPERATOR = Principal(actor="test:operator", scopes=ALL_SCOPES)


def orders(count: int, seed: int = 7) -> list[dict[str, Any]]:
    people = SyntheticPeople(seed)
    return [people.order() for _ in range(count)]


def count_rows(runtime: Runtime, table: Any) -> int:
    with runtime.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def test_an_issued_waybill_reads_back_as_the_masked_view_of_its_order(runtime: Runtime) -> None:
    order = orders(1)[0]
    issued = issue_waybill(runtime.ctx, order, actor="test:platform")
    view = view_waybill(runtime.ctx, issued.tracking_number, principal=OPERATOR)
    assert view.masked == MaskedOrder.of(parse_order(order)) == issued.masked
    assert view.status == "created"
    assert issued.tracking_number.startswith("PG")


def test_a_batch_issues_the_good_orders_and_reports_each_bad_one_with_its_code(runtime: Runtime) -> None:
    batch = orders(5)
    batch[1]["recipient"]["mobile"] = "12345"
    batch[3]["sender"]["id_number"] = batch[3]["sender"]["id_number"][:-1] + (
        "0" if batch[3]["sender"]["id_number"][-1] != "0" else "1"
    )
    result = issue_batch(runtime.ctx, batch, actor="test:platform")
    kinds = [type(item) for item in result.items]
    assert kinds == [IssuedWaybill, FailedItem, IssuedWaybill, FailedItem, IssuedWaybill]
    failures = [item for item in result.items if isinstance(item, FailedItem)]
    assert failures[0].error["code"] == ErrorCode.INVALID_MOBILE
    assert failures[0].error["field"] == "recipient.mobile"
    assert failures[1].error["code"] == ErrorCode.INVALID_RESIDENT_ID
    assert count_rows(runtime, m.waybill) == 3


def test_a_batch_of_more_than_1000_orders_is_refused_before_anything_is_written(runtime: Runtime) -> None:
    with pytest.raises(ValidationError) as caught:
        issue_batch(runtime.ctx, [{}] * 1001, actor="test:platform")
    assert caught.value.code == ErrorCode.BATCH_TOO_LARGE
    assert count_rows(runtime, m.waybill) == 0


def test_a_retried_batch_with_the_same_idempotency_key_issues_nothing_twice(runtime: Runtime) -> None:
    batch = orders(4)
    batch[2]["parcel"]["weight_kg"] = -1
    first = issue_batch(runtime.ctx, batch, actor="test:platform", idempotency_key="order-run-1")
    again = issue_batch(
        runtime.ctx, copy.deepcopy(batch), actor="test:platform", idempotency_key="order-run-1"
    )
    assert again.replayed and not first.replayed
    assert [i.as_dict() for i in again.items] == [i.as_dict() for i in first.items]
    assert count_rows(runtime, m.waybill) == 3


def test_an_idempotency_key_reused_for_a_different_batch_is_a_conflict(runtime: Runtime) -> None:
    issue_batch(runtime.ctx, orders(2, seed=1), actor="test:platform", idempotency_key="k")
    with pytest.raises(ConflictError) as caught:
        issue_batch(runtime.ctx, orders(2, seed=2), actor="test:platform", idempotency_key="k")
    assert caught.value.code == ErrorCode.IDEMPOTENCY_CONFLICT
    assert count_rows(runtime, m.waybill) == 2


def test_idempotency_keys_of_different_clients_do_not_collide(runtime: Runtime) -> None:
    issue_batch(runtime.ctx, orders(1, seed=1), actor="apikey:a", idempotency_key="same")
    issue_batch(runtime.ctx, orders(1, seed=2), actor="apikey:b", idempotency_key="same")
    assert count_rows(runtime, m.waybill) == 2


def test_every_issuance_writes_an_audit_event_in_the_same_transaction(runtime: Runtime) -> None:
    result = issue_batch(runtime.ctx, orders(3), actor="apikey:platform1")
    with runtime.ctx.uow() as uow:
        for item in result.items:
            assert isinstance(item, IssuedWaybill)
            [event] = uow.audit.for_subject(item.tracking_number)
            assert event.action == WAYBILL_ISSUED
            assert event.actor == "apikey:platform1"


def test_a_ciphertext_moved_to_another_waybill_fails_to_decrypt(runtime: Runtime) -> None:
    a, b = (issue_waybill(runtime.ctx, o, actor="t").tracking_number for o in orders(2))
    column = m.waybill.c.ct_recipient_mobile
    with runtime.engine.begin() as connection:
        stolen = connection.scalar(select(column).where(m.waybill.c.tracking_number == a))
        connection.execute(update(m.waybill).where(m.waybill.c.tracking_number == b).values({column: stolen}))
    with pytest.raises(CryptoError) as caught:
        view_waybill(runtime.ctx, b, principal=OPERATOR)
    assert caught.value.code == ErrorCode.DECRYPTION_FAILED


def test_a_ciphertext_moved_to_another_field_of_the_same_waybill_fails_to_decrypt(runtime: Runtime) -> None:
    number = issue_waybill(runtime.ctx, orders(1)[0], actor="t").tracking_number
    w = m.waybill.c
    with runtime.engine.begin() as connection:
        sender_mobile = connection.scalar(select(w.ct_sender_mobile).where(w.tracking_number == number))
        connection.execute(
            update(m.waybill).where(w.tracking_number == number).values(ct_recipient_mobile=sender_mobile)
        )
    with pytest.raises(CryptoError):
        view_waybill(runtime.ctx, number, principal=OPERATOR)


def test_waybills_are_found_by_recipient_mobile_through_the_blind_index(runtime: Runtime) -> None:
    batch = orders(3)
    batch[2]["recipient"]["mobile"] = batch[0]["recipient"]["mobile"]
    result = issue_batch(runtime.ctx, batch, actor="t")
    numbers = [item.tracking_number for item in result.items if isinstance(item, IssuedWaybill)]
    found = find_by_recipient_mobile(runtime.ctx, batch[0]["recipient"]["mobile"], principal=OPERATOR)
    assert sorted(found) == sorted([numbers[0], numbers[2]])


def test_tracking_numbers_are_unique_and_carry_a_valid_check_digit(runtime: Runtime) -> None:
    from parcelguard.domain.tracking import TrackingNumber

    result = issue_batch(runtime.ctx, orders(300), actor="t")
    numbers = [item.tracking_number for item in result.items if isinstance(item, IssuedWaybill)]
    assert len(set(numbers)) == 300
    assert all(TrackingNumber.parse(n).value == n for n in numbers)
