"""Single orders issued together (IssuanceQueue): each caller gets its own waybill or its own error, as if
alone, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from anyio import wait_all_tasks_blocked
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from parcelguard.adapters.db import models as m
from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import ALL_SCOPES, Principal
from parcelguard.domain.audit import WAYBILL_ISSUED
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.errors import (
    AuthenticationError,
    ConflictError,
    ErrorCode,
    LabelComplianceError,
    ParcelGuardError,
    ValidationError,
)
from parcelguard.services import issuance_queue
from parcelguard.services.issuance import IssuedWaybill, issue_orders, issue_waybill
from parcelguard.services.issuance_queue import IssuanceQueue
from parcelguard.services.waybills import view_waybill

OPERATOR = Principal(actor="test:operator", scopes=ALL_SCOPES)
SHOP = Principal(actor="apikey:shop", scopes=ALL_SCOPES)
OTHER_SHOP = Principal(actor="apikey:other", scopes=ALL_SCOPES)


def orders(count: int, seed: int = 17) -> list[dict[str, Any]]:
    people = SyntheticPeople(seed)
    return [people.order() for _ in range(count)]


Outcome = IssuedWaybill | BaseException


def issue_concurrently(
    queue: IssuanceQueue,
    requests: list[tuple[dict[str, Any], Callable[[], Principal], object]],
) -> tuple[list[Outcome], int]:
    """Issue ``requests`` (order, authenticate, credential) at once: the first caller's check waits until
    every other caller is waiting, so the others are issued together after it. Returns each outcome and
    how many issuing calls there were."""
    outcomes: list[Outcome | None] = [None] * len(requests)
    release = threading.Event()
    calls = [0]
    real_issue = queue._issue

    def counted(batch: Any) -> None:
        calls[0] += 1
        real_issue(batch)

    queue._issue = counted  # type: ignore[method-assign]

    def held(authenticate: Callable[[], Principal]) -> Callable[[], Principal]:
        def check() -> Principal:
            release.wait(10)
            return authenticate()

        return check

    async def one(index: int) -> None:
        order, authenticate, credential = requests[index]
        check = held(authenticate) if index == 0 else authenticate
        try:
            outcomes[index] = await queue.issue(order, authenticate=check, credential=credential)
        except Exception as error:  # each caller's own answer, whatever it is
            outcomes[index] = error

    async def main() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(one, 0)
            await wait_all_tasks_blocked()
            for index in range(1, len(requests)):
                group.start_soon(one, index)
            await wait_all_tasks_blocked()
            release.set()

    anyio.run(main)
    assert all(outcome is not None for outcome in outcomes)
    return [outcome for outcome in outcomes if outcome is not None], calls[0]


def test_orders_waiting_together_are_issued_in_one_call_each_with_its_own_waybill(runtime: Runtime) -> None:
    batch = orders(6)
    queue = IssuanceQueue(runtime.ctx)
    outcomes, calls = issue_concurrently(queue, [(order, lambda: SHOP, "key") for order in batch])
    assert calls == 2  # the first alone, then the five that waited, together
    assert all(isinstance(outcome, IssuedWaybill) for outcome in outcomes)
    issued = [outcome for outcome in outcomes if isinstance(outcome, IssuedWaybill)]
    assert len({waybill.tracking_number for waybill in issued}) == 6
    for order, waybill in zip(batch, issued, strict=True):
        with runtime.ctx.uow() as uow:
            events = uow.audit.for_subject(waybill.tracking_number)
        assert [(event.action, event.actor) for event in events] == [(WAYBILL_ISSUED, SHOP.actor)]
        assert waybill.masked == issue_waybill(runtime.ctx, order, actor="test").masked
        view = view_waybill(runtime.ctx, waybill.tracking_number, principal=OPERATOR)
        assert view.masked == waybill.masked


def test_a_refused_order_fails_alone_with_the_error_it_has_when_issued_alone(runtime: Runtime) -> None:
    batch = orders(5)
    batch[2]["recipient"]["mobile"] = "12345"
    del batch[3]["sender"]["name"]
    queue = IssuanceQueue(runtime.ctx)
    outcomes, _ = issue_concurrently(queue, [(order, lambda: SHOP, "key") for order in batch])
    for index in (2, 3):
        with pytest.raises(ValidationError) as alone:
            issue_waybill(runtime.ctx, batch[index], actor="test")
        refused = outcomes[index]
        assert isinstance(refused, ValidationError)
        assert refused.to_dict() == alone.value.to_dict()
    assert [isinstance(outcome, IssuedWaybill) for outcome in outcomes] == [True, True, False, False, True]


def test_credentials_are_checked_once_per_batch_per_key_and_a_refused_key_fails_only_its_requests(
    runtime: Runtime,
) -> None:
    checks: list[str] = []

    def check(principal: Principal | None, name: str) -> Callable[[], Principal]:
        def authenticate() -> Principal:
            checks.append(name)
            if principal is None:
                raise AuthenticationError("invalid or revoked API key", code=ErrorCode.UNAUTHENTICATED)
            return principal

        return authenticate

    batch = orders(7)
    requests: list[tuple[dict[str, Any], Callable[[], Principal], object]] = [
        (batch[0], check(SHOP, "shop"), "shop"),
        (batch[1], check(SHOP, "shop"), "shop"),
        (batch[2], check(SHOP, "shop"), "shop"),
        (batch[3], check(None, "revoked"), "revoked"),
        (batch[4], check(OTHER_SHOP, "person"), None),
        (batch[5], check(OTHER_SHOP, "person"), None),
        (batch[6], check(SHOP, "shop"), "shop"),
    ]
    outcomes, _ = issue_concurrently(IssuanceQueue(runtime.ctx), requests)
    # The first caller was alone in its batch; then "shop" once for three requests, each person's
    # token and the revoked key each time.
    assert checks == ["shop", "shop", "revoked", "person", "person"]
    assert isinstance(outcomes[3], AuthenticationError)
    assert all(isinstance(outcomes[i], IssuedWaybill) for i in (0, 1, 2, 4, 5, 6))
    for index, actor in ((1, SHOP.actor), (4, OTHER_SHOP.actor)):
        waybill = outcomes[index]
        assert isinstance(waybill, IssuedWaybill)
        with runtime.ctx.uow() as uow:
            [event] = uow.audit.for_subject(waybill.tracking_number)
        assert event.actor == actor


def test_a_database_error_of_the_batch_is_every_callers_answer_and_nothing_is_issued_again(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database error may have struck the commit (outcome unknown): issuing again could issue twice, so
    every order is tried exactly once, whether it went in a batch or alone."""
    tried: list[int] = []

    def failing(_ctx: object, batch: object, **_kwargs: object) -> None:
        tried.append(len(batch) if isinstance(batch, list) else 1)
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(issuance_queue, "issue_orders", failing)
    monkeypatch.setattr(issuance_queue, "issue_waybill", failing)
    outcomes, _ = issue_concurrently(IssuanceQueue(runtime.ctx), [(o, lambda: SHOP, "k") for o in orders(5)])
    assert all(isinstance(outcome, OperationalError) for outcome in outcomes)
    assert sum(tried) == 5 and max(tried) > 1  # a batch was tried, and no order twice


def test_when_the_batch_is_refused_whole_before_its_commit_each_order_is_issued_on_its_own(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*_args: object, **_kwargs: object) -> None:
        raise ConflictError("a tracking number was taken meanwhile")

    monkeypatch.setattr(issuance_queue, "issue_orders", failing)
    batch = orders(4)
    batch[1]["parcel"] = "heavy"
    outcomes, _ = issue_concurrently(IssuanceQueue(runtime.ctx), [(o, lambda: SHOP, "k") for o in batch])
    assert [isinstance(outcome, IssuedWaybill) for outcome in outcomes] == [True, False, True, True]
    with pytest.raises(ValidationError) as alone:
        issue_waybill(runtime.ctx, batch[1], actor="test")
    assert isinstance(outcomes[1], ValidationError)
    assert outcomes[1].to_dict() == alone.value.to_dict()


def test_a_caller_that_goes_away_while_waiting_has_nothing_issued_and_the_others_are_answered(
    runtime: Runtime,
) -> None:
    queue = IssuanceQueue(runtime.ctx)
    batch = orders(3)
    release = threading.Event()
    outcomes: dict[int, IssuedWaybill] = {}

    def held() -> Principal:
        release.wait(10)
        return SHOP

    async def one(index: int, authenticate: Callable[[], Principal]) -> None:
        outcomes[index] = await queue.issue(batch[index], authenticate=authenticate, credential="k")

    async def main() -> None:
        gone = anyio.CancelScope()

        async def cancelled_caller() -> None:
            with gone:
                await one(1, lambda: SHOP)

        async with anyio.create_task_group() as group:
            group.start_soon(one, 0, held)
            await wait_all_tasks_blocked()
            group.start_soon(one, 2, lambda: SHOP)
            group.start_soon(cancelled_caller)
            await wait_all_tasks_blocked()
            gone.cancel()
            await wait_all_tasks_blocked()
            release.set()

    anyio.run(main)
    assert sorted(outcomes) == [0, 2]
    with runtime.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(m.waybill)) == 2


def _table_counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.engine.connect() as connection:
        waybills = connection.scalar(select(func.count()).select_from(m.waybill))
        events = connection.scalar(select(func.count()).select_from(m.audit_event))
    return waybills or 0, events or 0


def _unprintable_order() -> dict[str, Any]:
    order = orders(1, seed=23)[0]
    order["recipient"]["name"] = "\U0003134a祥云"  # CJK Extension G: in no label font
    return order


def test_a_coalesced_batch_writes_the_audit_events_of_the_same_orders_issued_one_by_one(
    runtime: Runtime,
) -> None:
    batch = orders(5, seed=31)
    batch[3]["recipient"]["mobile"] = "12345"
    outcomes, calls = issue_concurrently(IssuanceQueue(runtime.ctx), [(o, lambda: SHOP, "k") for o in batch])
    assert calls == 2
    issued = [outcome for outcome in outcomes if isinstance(outcome, IssuedWaybill)]
    assert len(issued) == 4
    with runtime.engine.connect() as connection:
        rows = connection.execute(select(m.audit_event.c.action, m.audit_event.c.subject)).all()
    assert sorted(rows) == sorted((WAYBILL_ISSUED, waybill.tracking_number) for waybill in issued)


def test_a_coalesced_batch_whose_every_order_is_refused_commits_nothing(runtime: Runtime) -> None:
    batch = orders(3, seed=37)
    batch[1]["recipient"]["mobile"] = "12345"
    batch[2]["parcel"] = "heavy"
    batch[0] = _unprintable_order()
    before = _table_counts(runtime)
    outcomes, calls = issue_concurrently(IssuanceQueue(runtime.ctx), [(o, lambda: SHOP, "k") for o in batch])
    assert calls == 2
    assert isinstance(outcomes[0], LabelComplianceError)
    assert isinstance(outcomes[1], ValidationError) and isinstance(outcomes[2], ValidationError)
    assert _table_counts(runtime) == before


def test_issue_orders_answers_each_order_as_issue_waybill_would_alone(runtime: Runtime) -> None:
    batch = orders(6, seed=41)
    batch[1]["recipient"]["mobile"] = "12345"
    del batch[4]["sender"]["name"]
    batch[2] = _unprintable_order()
    answers = issue_orders(runtime.ctx, batch, actor=SHOP.actor)
    assert [type(answer) for answer in answers] == [
        IssuedWaybill,
        ValidationError,
        LabelComplianceError,
        IssuedWaybill,
        ValidationError,
        IssuedWaybill,
    ]
    for index, answer in enumerate(answers):
        if isinstance(answer, IssuedWaybill):
            assert answer.index == index
            assert answer.masked == issue_waybill(runtime.ctx, batch[index], actor="test").masked
            continue
        with pytest.raises(ParcelGuardError) as alone:
            issue_waybill(runtime.ctx, batch[index], actor="test")
        assert type(alone.value) is type(answer)
        assert alone.value.to_dict() == answer.to_dict()


def test_issue_orders_refuses_more_than_a_batch(runtime: Runtime) -> None:
    with pytest.raises(ValidationError) as refused:
        issue_orders(runtime.ctx, [{}] * 1001, actor=SHOP.actor)
    assert refused.value.code is ErrorCode.BATCH_TOO_LARGE


def test_an_issuing_call_that_fails_whole_answers_each_of_its_callers_and_the_queue_goes_on(
    runtime: Runtime,
) -> None:
    queue = IssuanceQueue(runtime.ctx)
    real_issue = queue._issue

    def broken(_batch: Any) -> None:
        raise RuntimeError("broken")

    queue._issue = broken  # type: ignore[method-assign]
    batch = orders(4)
    outcomes: list[BaseException] = []

    async def one(order: dict[str, Any]) -> None:
        try:
            await queue.issue(order, authenticate=lambda: SHOP, credential="k")
        except RuntimeError as error:
            outcomes.append(error)

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for order in batch[:3]:
                group.start_soon(one, order)

    anyio.run(main)
    assert len(outcomes) == 3
    queue._issue = real_issue  # type: ignore[method-assign]
    outcomes_after, _ = issue_concurrently(queue, [(batch[3], lambda: SHOP, "k")])
    assert isinstance(outcomes_after[0], IssuedWaybill)
