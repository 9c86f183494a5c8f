"""Dispatch, the parcel's life, pickup and controlled reveal through the services (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any, Self

import pytest
from sqlalchemy import func, select

from parcelguard.adapters.db import models as m
from parcelguard.adapters.db.unit_of_work import SqlUnitOfWork
from parcelguard.bootstrap import Runtime
from parcelguard.domain.pii import IdentityNumber
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.errors import ErrorCode, PermissionDeniedError, ValidationError
from parcelguard.services import people
from parcelguard.services.audit_events import REVEAL_ALLOWED, REVEAL_REFUSED, list_audit_events
from parcelguard.services.break_glass import approve_break_glass, list_pending, request_break_glass
from parcelguard.services.cs_search import search_waybills
from parcelguard.services.dispatch import assign_courier, courier_deliveries
from parcelguard.services.labels import render_label, revoke_label_tokens
from parcelguard.services.parcel_events import record_parcel_event
from parcelguard.services.pickup import hand_over, verify_sender_identity
from parcelguard.services.ports import UnitOfWork
from parcelguard.services.reveal import reveal
from tests.reveal_world import LIMITS, World, build_world

RECIPIENT = ["recipient.name", "recipient.address", "recipient.mobile"]


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime.ctx)


def at_station(world: World, number: str) -> str:
    """Through pickup and transit to the SZ-NS outlet; the pickup code made there."""
    record_parcel_event(world.ctx, number, "picked_up", principal=world.principal("courier.ns"))
    record_parcel_event(world.ctx, number, "in_transit", principal=world.principal("manager.ns"))
    event = record_parcel_event(world.ctx, number, "at_station", principal=world.principal("clerk.ns"))
    assert event.station == "SZ-NS" and event.pickup_code is not None and len(event.pickup_code) == 6
    return event.pickup_code


def out_for_delivery(world: World, courier: str = "courier.ns") -> str:
    number = world.issue()
    at_station(world, number)
    assign_courier(world.ctx, number, courier, principal=world.principal("manager.ns"))
    record_parcel_event(world.ctx, number, "out_for_delivery", principal=world.principal(courier))
    return number


def code_of(call: Any) -> ErrorCode:
    with pytest.raises(PermissionDeniedError) as caught:
        call()
    return caught.value.code


def reveal_events(runtime: Runtime, number: str) -> list[Any]:
    with runtime.ctx.uow() as uow:
        return [e for e in uow.audit.for_subject(number) if e.action in (REVEAL_ALLOWED, REVEAL_REFUSED)]


def test_the_assigned_courier_sees_the_recipient_while_out_for_delivery(
    runtime: Runtime, world: World
) -> None:
    number = out_for_delivery(world)
    result = reveal(
        world.ctx,
        world.principal("courier.ns"),
        tracking_number=number,
        fields=RECIPIENT,
        purpose="delivery",
        client="10.0.0.7",
    )
    expected = world.recipient(number)
    assert result.reason == "out_for_delivery"
    assert result.fields["recipient.name"] == expected["name"]
    assert result.fields["recipient.address"] == expected["address"]
    assert result.fields["recipient.mobile"].endswith(world.last4(number))
    (event,) = reveal_events(runtime, number)
    assert event.actor == "user:courier.ns" and event.action == REVEAL_ALLOWED
    assert event.details["role"] == "courier" and event.details["station"] == "SZ-NS"
    assert event.details["fields"] == ",".join(RECIPIENT) and event.details["purpose"] == "delivery"
    assert event.details["client"] == "10.0.0.7" and event.details["decision"] == "allowed"
    assert event.details["organisation"] == 1
    logged = json.dumps(dict(event.details), ensure_ascii=False)
    assert all(value not in logged for value in result.fields.values())


def test_another_courier_and_an_unknown_number_are_both_not_assigned(runtime: Runtime, world: World) -> None:
    number = out_for_delivery(world)
    other = world.principal("courier.two")
    assert (
        code_of(
            lambda: reveal(world.ctx, other, tracking_number=number, fields=RECIPIENT, purpose="delivery")
        )
        is ErrorCode.NOT_ASSIGNED
    )
    unknown = TrackingNumber.generate("PG").value
    assert (
        code_of(
            lambda: reveal(world.ctx, other, tracking_number=unknown, fields=RECIPIENT, purpose="delivery")
        )
        is ErrorCode.NOT_ASSIGNED
    )
    assert [e.details["reason"] for e in reveal_events(runtime, number)] == ["not_assigned"]
    assert [e.details["reason"] for e in reveal_events(runtime, unknown)] == ["not_assigned"]


def test_the_courier_sees_a_delivered_parcel_for_the_grace_period_only(world: World) -> None:
    number = out_for_delivery(world)
    courier = world.principal("courier.ns")
    record_parcel_event(world.ctx, number, "delivered", principal=courier)
    world.clock.advance(hours=23)
    assert reveal(
        world.ctx, courier, tracking_number=number, fields=RECIPIENT, purpose="delivery"
    ).reason == ("grace_period")
    world.clock.advance(hours=1, seconds=1)
    asked = lambda: reveal(world.ctx, courier, tracking_number=number, fields=RECIPIENT, purpose="delivery")  # noqa: E731
    assert code_of(asked) is ErrorCode.OUTSIDE_WINDOW
    assert [p.tracking_number for p in courier_deliveries(world.ctx, courier)] == []


def test_no_audit_event_no_answer(runtime: Runtime, world: World) -> None:
    number = out_for_delivery(world)

    class FailingAudit:
        def append_many(self, events: object) -> None:
            raise OSError("audit storage is full")

    class AuditFailsUnitOfWork(SqlUnitOfWork):
        def __enter__(self) -> Self:
            entered = super().__enter__()
            entered.audit = FailingAudit()  # type: ignore[assignment]
            return entered

    def failing_uow() -> UnitOfWork:
        return AuditFailsUnitOfWork(runtime.engine)

    broken = replace(world.ctx, uow=failing_uow)
    with pytest.raises(OSError, match="audit storage"):
        reveal(
            broken,
            world.principal("courier.ns"),
            tracking_number=number,
            fields=RECIPIENT,
            purpose="delivery",
        )
    with runtime.ctx.uow() as uow:
        counters = uow.reveal_counters.count_request(world.users["courier.ns"].id, "2026-11-30")
    assert counters == (0, 0)  # nothing of the failed request was kept: not even its count
    assert reveal_events(runtime, number) == []


def test_an_agent_reveals_within_quota_then_needs_break_glass_then_hits_the_ceiling(
    runtime: Runtime, world: World
) -> None:
    numbers = [world.issue(seed) for seed in (1, 2, 3, 4, 5)]
    agent = world.principal("agent.one")

    def ask(number: str, **kwargs: Any) -> Any:
        kwargs.setdefault("purpose", "complaint")
        kwargs.setdefault("ticket", "CS-20261130-1")
        return reveal(world.ctx, agent, tracking_number=number, fields=["sender.mobile"], **kwargs)

    assert code_of(lambda: ask(numbers[0], purpose=None)) is ErrorCode.PURPOSE_REQUIRED
    assert code_of(lambda: ask(numbers[0], ticket=None)) is ErrorCode.TICKET_REQUIRED
    assert ask(numbers[0]).reason == "within_quota" and ask(numbers[1]).reason == "within_quota"
    assert code_of(lambda: ask(numbers[2])) is ErrorCode.APPROVAL_REQUIRED

    grant = request_break_glass(
        world.ctx,
        agent,
        tracking_numbers=numbers[2:],
        fields=["sender.mobile"],
        purpose="complaint",
        ticket="CS-20261130-1",
        minutes=30,
    )
    assert [g.id for g in list_pending(world.ctx, world.principal("officer.one"))] == [grant.id]
    assert code_of(lambda: approve_break_glass(world.ctx, agent, grant.id)) is ErrorCode.SELF_APPROVAL
    no_2fa = world.principal("officer.one", second_factor=False)
    assert (
        code_of(lambda: approve_break_glass(world.ctx, no_2fa, grant.id)) is ErrorCode.SECOND_FACTOR_REQUIRED
    )
    approved = approve_break_glass(world.ctx, world.principal("officer.one"), grant.id)
    assert approved.approver == "officer.one" and approved.expires_at == world.clock.now + timedelta(
        minutes=30
    )
    assert ask(numbers[2]).reason == "break_glass" and ask(numbers[3]).reason == "break_glass"
    assert code_of(lambda: ask(numbers[4])) is ErrorCode.QUOTA_EXCEEDED  # ceiling 4, approvals included
    with runtime.ctx.uow() as uow:
        alerts = uow.alerts.list()
    assert [(a.kind, a.username) for a in alerts] == [("reveal_ceiling_reached", "agent.one")]
    world.clock.advance(hours=24)  # a new day in China: the quota is back
    assert ask(numbers[4]).reason == "within_quota"


def test_a_break_glass_grant_expires(world: World) -> None:
    numbers = [world.issue(seed) for seed in (1, 2, 3)]
    agent = world.principal("agent.one")
    for number in numbers[:2]:
        reveal(
            world.ctx, agent, tracking_number=number, fields=["recipient.name"], purpose="claim", ticket="T-1"
        )
    grant = request_break_glass(
        world.ctx,
        agent,
        tracking_numbers=[numbers[2]],
        fields=["recipient.name"],
        purpose="claim",
        ticket="T-1",
        minutes=5,
    )
    approve_break_glass(world.ctx, world.principal("officer.one"), grant.id)
    world.clock.advance(minutes=5)
    asked = lambda: reveal(  # noqa: E731
        world.ctx, agent, tracking_number=numbers[2], fields=["recipient.name"], purpose="claim", ticket="T-1"
    )
    assert code_of(asked) is ErrorCode.APPROVAL_REQUIRED


def test_disabled_offboarded_and_single_factor_people_are_refused_and_recorded(
    runtime: Runtime, world: World
) -> None:
    number = world.issue()
    ask = {"tracking_number": number, "fields": ["recipient.name"], "purpose": "claim", "ticket": "T-1"}
    assert code_of(lambda: reveal(world.ctx, world.principal("agent.one", second_factor=False), **ask)) is (
        ErrorCode.SECOND_FACTOR_REQUIRED
    )
    agent = world.principal("agent.one")
    people.offboard_user(world.ctx, "agent.one", from_=world.clock.now, actor="test")
    assert code_of(lambda: reveal(world.ctx, agent, **ask)) is ErrorCode.OFFBOARDING
    with pytest.raises(PermissionDeniedError) as caught:
        search_waybills(world.ctx, agent, tracking_number=number)
    assert caught.value.code is ErrorCode.OFFBOARDING
    people.disable_user(world.ctx, "agent.two", actor="test")
    assert code_of(lambda: reveal(world.ctx, world.principal("agent.two"), **ask)) is ErrorCode.USER_DISABLED
    reasons = [e.details["reason"] for e in reveal_events(runtime, number)]
    assert reasons == ["second_factor_required", "offboarding", "user_disabled"]
    with runtime.ctx.uow() as uow:
        assert [a.kind for a in uow.alerts.list()] == ["offboarding_bulk_activity"]


def test_a_person_under_notice_who_searches_in_bulk_raises_an_alert(runtime: Runtime, world: World) -> None:
    number = world.issue()
    people.offboard_user(world.ctx, "agent.one", from_=world.clock.now.replace(year=2027), actor="test")
    agent = world.principal("agent.one")
    for _ in range(LIMITS.notice_bulk_threshold + 2):
        assert [p.tracking_number for p in search_waybills(world.ctx, agent, tracking_number=number)] == [
            number
        ]
    with runtime.ctx.uow() as uow:
        alerts = uow.alerts.list()
    assert [(a.kind, a.username, a.subject) for a in alerts] == [
        ("offboarding_bulk_activity", "agent.one", number)
    ]


def test_search_by_mobile_goes_through_the_blind_index_and_shows_masked_data(world: World) -> None:
    first, second = world.issue(21), world.issue(22)
    mobile = world.recipient(first)["mobile"]
    found = search_waybills(world.ctx, world.principal("agent.one"), mobile=mobile)
    assert [p.tracking_number for p in found] == [first] and second != first
    assert "*" in found[0].recipient_mobile and found[0].recipient_name != world.recipient(first)["name"]
    assert code_of(lambda: search_waybills(world.ctx, world.principal("courier.ns"), mobile=mobile)) is (
        ErrorCode.ROLE_NOT_ALLOWED
    )


def label_token(world: World, number: str) -> str:
    from parcelguard.domain.access import ALL_SCOPES, Principal

    render_label(world.ctx, number, "zpl", principal=Principal(actor="test", scopes=ALL_SCOPES))
    with world.ctx.uow() as uow:
        sealed = uow.waybills.get(number)
        assert sealed is not None
        record = uow.label_tokens.active_for(sealed.id)
        assert record is not None
        return world.ctx.tokens.encode(record.token_id, sealed.id)


def test_label_tokens_forged_revoked_expired_and_of_another_courier_are_refused(world: World) -> None:
    number = out_for_delivery(world)
    token = label_token(world, number)
    courier = world.principal("courier.ns")

    def scan(text: str, who: str = "courier.ns") -> Any:
        return reveal(world.ctx, world.principal(who), token=text, fields=RECIPIENT, purpose="delivery")

    assert scan(token).tracking_number == number
    altered = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    assert code_of(lambda: scan(altered)) is ErrorCode.TOKEN_INVALID
    assert code_of(lambda: scan("not a token")) is ErrorCode.TOKEN_INVALID
    assert code_of(lambda: scan(token, "courier.two")) is ErrorCode.NOT_ASSIGNED
    record_parcel_event(world.ctx, number, "delivered", principal=courier)
    world.clock.advance(hours=25)
    assert code_of(lambda: scan(token)) is ErrorCode.OUTSIDE_WINDOW  # a photographed label, later
    from parcelguard.domain.access import ALL_SCOPES, Principal

    revoke_label_tokens(world.ctx, number, principal=Principal(actor="test", scopes=ALL_SCOPES))
    assert code_of(lambda: scan(token)) is ErrorCode.TOKEN_REVOKED


def test_an_outlet_hands_over_on_the_pickup_code_and_last_four_digits(runtime: Runtime, world: World) -> None:
    number = world.issue()
    code = at_station(world, number)
    wrong = f"{(int(world.last4(number)) + 1) % 10000:04d}"
    clerk = world.principal("clerk.ns")
    assert code_of(lambda: hand_over(world.ctx, pickup_code=code, last4=wrong, principal=clerk)) is (
        ErrorCode.PICKUP_VERIFICATION_FAILED
    )
    other_outlet = world.principal("clerk.ft")
    assert (
        code_of(
            lambda: hand_over(world.ctx, pickup_code=code, last4=world.last4(number), principal=other_outlet)
        )
        is ErrorCode.PICKUP_VERIFICATION_FAILED
    )
    view = hand_over(world.ctx, pickup_code=code, last4=world.last4(number), principal=clerk)
    assert view.tracking_number == number and view.status == "delivered"
    assert world.recipient(number)["mobile"] not in repr(view)
    assert "*" in view.recipient_mobile
    assert code_of(
        lambda: hand_over(world.ctx, pickup_code=code, last4=world.last4(number), principal=clerk)
    ) is (
        ErrorCode.PICKUP_VERIFICATION_FAILED  # a code works once
    )


def test_five_wrong_last_four_tries_void_a_pickup_code(world: World) -> None:
    number = world.issue()
    code = at_station(world, number)
    clerk = world.principal("clerk.ns")
    wrong = f"{(int(world.last4(number)) + 1) % 10000:04d}"
    for _ in range(5):
        code_of(lambda: hand_over(world.ctx, pickup_code=code, last4=wrong, principal=clerk))
    assert code_of(
        lambda: hand_over(world.ctx, pickup_code=code, last4=world.last4(number), principal=clerk)
    ) is (ErrorCode.PICKUP_VERIFICATION_FAILED)


def test_the_courier_checks_the_senders_document_without_seeing_it(runtime: Runtime, world: World) -> None:
    number = world.issue()
    sender = world.orders[number]["sender"]
    assert isinstance(sender, dict)
    courier = world.principal("courier.ns")
    assert verify_sender_identity(world.ctx, number, str(sender["id_number"]), principal=courier) is True
    stored = IdentityNumber.parse(str(sender["id_type"]), str(sender["id_number"])).value
    another = next(n for n in (SyntheticPeople(s).resident_id() for s in range(50, 60)) if n != stored)
    assert sender["id_type"] == "resident_id"
    assert verify_sender_identity(world.ctx, number, another, principal=courier) is False
    with runtime.ctx.uow() as uow:
        checks = [e for e in uow.audit.for_subject(number) if e.action == "dispatch:sender_identity:checked"]
    assert [e.details["match"] for e in checks] == [True, False]
    assert all(str(sender["id_number"]) not in json.dumps(dict(e.details)) for e in checks)


def test_the_parcels_life_is_enforced_and_recorded_with_actor_and_station(world: World) -> None:
    number = world.issue()
    with pytest.raises(ValidationError) as caught:
        record_parcel_event(world.ctx, number, "delivered", principal=world.principal("admin.one"))
    assert caught.value.code is ErrorCode.INVALID_TRANSITION
    assert (
        code_of(
            lambda: record_parcel_event(
                world.ctx, number, "at_station", principal=world.principal("courier.ns")
            )
        )
        is ErrorCode.ROLE_NOT_ALLOWED
    )
    record_parcel_event(world.ctx, number, "picked_up", principal=world.principal("courier.ns"))
    assert (
        code_of(
            lambda: record_parcel_event(
                world.ctx, number, "at_station", station_code="SZ-FT", principal=world.principal("clerk.ns")
            )
        )
        is ErrorCode.STATION_MISMATCH
    )
    record_parcel_event(
        world.ctx, number, "at_station", station_code="SZ-FT", principal=world.principal("admin.one")
    )
    assert (
        code_of(
            lambda: record_parcel_event(
                world.ctx, number, "out_for_delivery", principal=world.principal("courier.ft")
            )
        )
        is ErrorCode.NOT_ASSIGNED
    )
    with world.ctx.uow() as uow:
        sealed = uow.waybills.get(number)
        assert sealed is not None
        events = uow.parcel_events.for_waybill(sealed.id)
    assert [(e.status, e.actor, e.station_code) for e in events] == [
        ("picked_up", "user:courier.ns", "SZ-NS"),
        ("at_station", "user:admin.one", "SZ-FT"),
    ]
    assert sealed.status.value == "at_station"


def test_a_station_manager_assigns_only_their_own_couriers(world: World) -> None:
    number = world.issue()
    manager = world.principal("manager.ns")
    assert code_of(lambda: assign_courier(world.ctx, number, "courier.ft", principal=manager)) is (
        ErrorCode.STATION_MISMATCH
    )
    assert code_of(
        lambda: assign_courier(world.ctx, number, "courier.ns", principal=world.principal("clerk.ns"))
    ) is (ErrorCode.ROLE_NOT_ALLOWED)
    with pytest.raises(ValidationError):
        assign_courier(world.ctx, number, "agent.one", principal=manager)
    assignment = assign_courier(world.ctx, number, "courier.ns", principal=manager)
    assert assignment.courier_username == "courier.ns"
    events = list_audit_events(world.ctx, principal=_operator(), subject=number)
    assert [e.action for e in events][-1] == "dispatch:waybill:assigned"
    assert list_audit_events(world.ctx, principal=_operator(), actor="manager.ns")[-1].subject == number


def _operator() -> Any:
    from parcelguard.domain.access import ALL_SCOPES, Principal

    return Principal(actor="cli:ops", scopes=ALL_SCOPES)


@pytest.mark.postgres
def test_two_requests_cannot_both_take_the_last_reveal(runtime: Runtime) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("row locks are what this test is about")
    world = build_world(runtime.ctx, only=("agent.one",))
    numbers = [world.issue(seed) for seed in range(1, 3)]
    agent = world.principal("agent.one")
    reveal(
        world.ctx, agent, tracking_number=numbers[0], fields=["recipient.name"], purpose="claim", ticket="T-1"
    )
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def last_one() -> None:
        barrier.wait()
        try:
            reveal(
                world.ctx,
                agent,
                tracking_number=numbers[1],
                fields=["recipient.name"],
                purpose="claim",
                ticket="T-1",
            )
            outcomes.append("allowed")
        except PermissionDeniedError as error:
            outcomes.append(error.code.value)

    threads = [threading.Thread(target=last_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["allowed"] + ["approval_required"] * 7
    with runtime.engine.connect() as connection:
        revealed = connection.scalar(select(func.sum(m.reveal_counter.c.revealed)))
    assert revealed == LIMITS.daily_quota
