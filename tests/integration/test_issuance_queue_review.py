"""Review of the coalesced single orders (issue 9): an order that fails in a way no coded error describes
(today: a weight of 10**400, whose parsing raised OverflowError) fails alone, as it would issued alone; the
other callers coalesced with it, possibly other platforms', still get their waybills."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.domain.audit import WAYBILL_ISSUED
from parcelguard.services.issuance import IssuedWaybill, issue_orders, issue_waybill
from parcelguard.services.issuance_queue import IssuanceQueue
from parcelguard.web.app import create_app
from tests.functional.test_api import bearer
from tests.integration.test_issuance_queue import OTHER_SHOP, SHOP, issue_concurrently, orders

HUGE = 10**400  # a valid JSON number; float(HUGE) overflows


def _poisoned(count: int) -> list[dict[str, Any]]:
    batch = orders(count)
    batch[1]["parcel"]["weight_kg"] = HUGE
    return batch


def test_an_order_failing_without_a_code_fails_alone_in_issue_orders(runtime: Runtime) -> None:
    batch = _poisoned(3)
    with pytest.raises(Exception) as alone:
        issue_waybill(runtime.ctx, batch[1], actor="test")

    answers = issue_orders(runtime.ctx, batch, actor=SHOP.actor, organisation_id=1)

    assert [isinstance(answer, IssuedWaybill) for answer in answers] == [True, False, True]
    assert type(answers[1]) is type(alone.value)
    for answer in (answers[0], answers[2]):
        assert isinstance(answer, IssuedWaybill)
        with runtime.ctx.uow() as uow:
            events = uow.audit.for_subject(answer.tracking_number)
        assert [(event.action, event.actor) for event in events] == [(WAYBILL_ISSUED, SHOP.actor)]


def test_another_platforms_orders_coalesced_with_such_an_order_are_issued(runtime: Runtime) -> None:
    batch = _poisoned(5)
    requests: list[Any] = [
        (order, (lambda: OTHER_SHOP) if index != 1 else (lambda: SHOP), "other" if index != 1 else "shop")
        for index, order in enumerate(batch)
    ]
    outcomes, calls = issue_concurrently(IssuanceQueue(runtime.ctx), requests)

    assert calls == 2
    assert [isinstance(outcome, IssuedWaybill) for outcome in outcomes] == [True, False, True, True, True]


def test_same_platform_orders_coalesced_with_such_an_order_are_issued(runtime: Runtime) -> None:
    outcomes, _ = issue_concurrently(
        IssuanceQueue(runtime.ctx), [(o, lambda: SHOP, "k") for o in _poisoned(5)]
    )

    assert [isinstance(outcome, IssuedWaybill) for outcome in outcomes] == [True, False, True, True, True]


def test_a_weight_too_large_for_a_float_is_invalid_parcel(runtime: Runtime) -> None:
    order = orders(1)[0]
    order["parcel"]["weight_kg"] = HUGE
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
        headers = {**bearer(runtime), "Idempotency-Key": "huge-1"}
        single = client.post("/v1/waybills", json=order, headers=headers)
        batch = client.post("/v1/waybills/batch", json={"orders": [order, orders(1, 3)[0]]}, headers=headers)

    assert (single.status_code, single.json()["code"]) == (422, "invalid_parcel")
    assert batch.status_code == 200
    assert batch.json()["results"][0]["error"]["code"] == "invalid_parcel"
