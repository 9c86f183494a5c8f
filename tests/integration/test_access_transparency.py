"""Access transparency for customers through the services (SQLite, PostgreSQL): proving control of a parcel
with a one-time code, and the accesses listed with inclusion proofs against the signed checkpoint."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from parcelguard.adapters.db import models as m
from parcelguard.adapters.notify import InMemoryNotifier
from parcelguard.adapters.rate_limit import InMemoryAttemptLimiter, InMemoryRateLimiter
from parcelguard.bootstrap import Runtime
from parcelguard.domain import merkle
from parcelguard.domain.pii import Mobile
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.errors import (
    AuthenticationError,
    ErrorCode,
    NotFoundError,
    ParcelGuardError,
    RateLimitedError,
)
from parcelguard.services.access_transparency import (
    AccessDesk,
    Challenge,
    list_accesses,
    prove_access,
    prove_accesses,
    request_access_code,
    verify_access_code,
    view_pass,
)
from parcelguard.services.dispatch import assign_courier
from parcelguard.services.parcel_events import record_parcel_event
from parcelguard.services.reveal import reveal
from tests.reveal_world import World, build_world

STAFF = ("manager.ns", "courier.ns", "courier.two", "clerk.ns")


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime.ctx, only=STAFF)


@pytest.fixture
def sms() -> InMemoryNotifier:
    return InMemoryNotifier()


@pytest.fixture
def desk(sms: InMemoryNotifier) -> AccessDesk:
    return AccessDesk(
        notifier=sms,
        per_client=InMemoryRateLimiter(per_minute=600, burst=100),
        per_parcel=InMemoryAttemptLimiter(max_failures=5, lockout_s=3600),
    )


def out_for_delivery(world: World, courier: str = "courier.ns", seed: int = 11) -> str:
    number = world.issue(seed)
    record_parcel_event(world.ctx, number, "picked_up", principal=world.principal("courier.ns"))
    record_parcel_event(world.ctx, number, "in_transit", principal=world.principal("manager.ns"))
    record_parcel_event(world.ctx, number, "at_station", principal=world.principal("clerk.ns"))
    assign_courier(world.ctx, number, courier, principal=world.principal("manager.ns"))
    record_parcel_event(world.ctx, number, "out_for_delivery", principal=world.principal(courier))
    return number


def courier_reveals(world: World, number: str, courier: str = "courier.ns") -> None:
    reveal(
        world.ctx,
        world.principal(courier),
        tracking_number=number,
        fields=["recipient.address", "recipient.mobile"],
        purpose="delivery",
        client="10.0.0.7",
    )


def mobile_of(world: World, number: str, party: str = "recipient") -> str:
    order_party = world.orders[number][party]
    assert isinstance(order_party, dict)
    return Mobile.parse(str(order_party["mobile"])).value


def code_sent_to(sms: InMemoryNotifier, mobile: str) -> str:
    messages = sms.messages_to(mobile)
    assert messages, "no code was sent to this mobile"
    found = re.search(r"\b([0-9]{6})\b", messages[-1])
    assert found is not None
    return found.group(1)


def prove_control(world: World, desk: AccessDesk, sms: InMemoryNotifier, number: str) -> str:
    mobile = mobile_of(world, number)
    challenge = request_access_code(world.ctx, desk, number, mobile[-4:], client="198.51.100.1")
    return verify_access_code(
        world.ctx, desk, challenge.challenge_id, code_sent_to(sms, mobile), client="198.51.100.1"
    ).token


def test_a_recipient_proves_control_and_sees_the_couriers_reveal_with_a_proof_that_verifies(
    world: World, desk: AccessDesk, sms: InMemoryNotifier
) -> None:
    number = out_for_delivery(world)
    courier_reveals(world, number)
    token = prove_control(world, desk, sms, number)

    report = list_accesses(world.ctx, token, client="198.51.100.1")

    reveals = [e for e in report.entries if e.action == "reveal:waybill:revealed"]
    assert len(reveals) == 1
    entry = reveals[0]
    assert (entry.accessor.role, entry.accessor.station, entry.purpose, entry.decision) == (
        "courier",
        "SZ-NS",
        "delivery",
        "allowed",
    )
    assert entry.accessor.alias is not None and re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}", entry.accessor.alias)
    assert entry.occurred_at.second == 0 and entry.occurred_at.microsecond == 0
    assert entry.leaf_index is not None and entry.leaf_index < report.checkpoint.size
    proof = prove_access(world.ctx, token, entry.seq)
    assert proof.proof.tree_size == proof.checkpoint.size
    merkle.verify_inclusion(
        proof.proof.leaf_index,
        proof.proof.tree_size,
        proof.proof.leaf_hash,
        proof.proof.proof,
        proof.checkpoint.root_hash,
    )
    bundle = prove_accesses(world.ctx, token, client="198.51.100.1")
    for item in bundle.proofs:
        p = item.proof
        merkle.verify_inclusion(p.leaf_index, p.tree_size, p.leaf_hash, p.proof, bundle.checkpoint.root_hash)


def test_nothing_shown_names_the_person_and_their_alias_holds_on_one_parcel_only(
    world: World, desk: AccessDesk, sms: InMemoryNotifier
) -> None:
    first = out_for_delivery(world, seed=21)
    second = out_for_delivery(world, seed=22)
    courier_reveals(world, first)
    courier_reveals(world, first)
    courier_reveals(world, second)
    other = out_for_delivery(world, courier="courier.two", seed=23)
    courier_reveals(world, other, courier="courier.two")

    def aliases(number: str) -> list[str]:
        report = list_accesses(world.ctx, prove_control(world, desk, sms, number), client="c")
        shown = repr(report.entries)
        assert "courier.ns" not in shown and "courier.two" not in shown and "10.0.0.7" not in shown
        return [e.accessor.alias or "" for e in report.entries if e.action == "reveal:waybill:revealed"]

    on_first = aliases(first)
    assert len(on_first) == 2 and on_first[0] == on_first[1]
    assert aliases(second)[0] != on_first[0], "the same courier cannot be followed to another parcel"
    assert aliases(other)[0] not in (on_first[0],)


def test_a_wrong_number_and_wrong_digits_get_the_same_answer_and_no_code(
    world: World, desk: AccessDesk, sms: InMemoryNotifier
) -> None:
    number = out_for_delivery(world)
    mobile = mobile_of(world, number)
    wrong_digits = f"{(int(mobile[-4:]) + 1) % 10000:04d}"
    sender_last4 = mobile_of(world, number, "sender")[-4:]
    if wrong_digits == sender_last4:
        wrong_digits = f"{(int(mobile[-4:]) + 2) % 10000:04d}"
    unknown = TrackingNumber.generate("PG").value

    answers = [
        request_access_code(world.ctx, desk, unknown, mobile[-4:], client="c"),
        request_access_code(world.ctx, desk, number, wrong_digits, client="c"),
    ]
    assert all(isinstance(a, Challenge) and len(a.challenge_id) == 22 for a in answers)
    assert sms.messages_to(mobile) == []
    for answer in answers:
        for guess in ("000000", "123456"):
            with pytest.raises(AuthenticationError) as caught:
                verify_access_code(world.ctx, desk, answer.challenge_id, guess, client="c")
            assert caught.value.code is ErrorCode.ACCESS_CODE_INVALID
    with pytest.raises(AuthenticationError) as caught:
        verify_access_code(world.ctx, desk, "A" * 22, "123456", client="c")
    assert caught.value.code is ErrorCode.ACCESS_CODE_INVALID


def test_the_senders_digits_send_the_code_to_the_senders_mobile(
    world: World, desk: AccessDesk, sms: InMemoryNotifier
) -> None:
    number = out_for_delivery(world, seed=31)
    sender = mobile_of(world, number, "sender")
    challenge = request_access_code(world.ctx, desk, number, sender[-4:], client="c")
    granted = verify_access_code(
        world.ctx, desk, challenge.challenge_id, code_sent_to(sms, sender), client="c"
    )
    assert [p.value for p in view_pass(world.ctx, granted.token).parties][-1] == "sender"


def test_a_code_works_once_for_five_minutes_and_five_tries(
    world: World, desk: AccessDesk, sms: InMemoryNotifier
) -> None:
    number = out_for_delivery(world)
    mobile = mobile_of(world, number)

    def fresh() -> tuple[Challenge, str]:
        challenge = request_access_code(world.ctx, desk, number, mobile[-4:], client="c")
        return challenge, code_sent_to(sms, mobile)

    def refused(challenge: Challenge, code: str) -> ErrorCode:
        with pytest.raises(ParcelGuardError) as caught:
            verify_access_code(world.ctx, desk, challenge.challenge_id, code, client="c")
        return caught.value.code

    challenge, code = fresh()
    verify_access_code(world.ctx, desk, challenge.challenge_id, code, client="c")
    assert refused(challenge, code) is ErrorCode.ACCESS_CODE_EXPIRED, "used once"

    challenge, code = fresh()
    world.clock.advance(minutes=5)
    assert refused(challenge, code) is ErrorCode.ACCESS_CODE_EXPIRED, "five minutes"

    challenge, code = fresh()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert [refused(challenge, wrong) for _ in range(4)] == [ErrorCode.ACCESS_CODE_INVALID] * 4
    assert refused(challenge, wrong) is ErrorCode.ACCESS_CODE_EXPIRED
    assert refused(challenge, code) is ErrorCode.ACCESS_CODE_EXPIRED, "the right code after five tries"
    assert refused(challenge, "12345") is ErrorCode.INVALID_REQUEST


def test_codes_per_parcel_are_capped_whoever_asks_and_whether_or_not_it_exists(
    world: World, desk: AccessDesk
) -> None:
    number = out_for_delivery(world)
    unknown = TrackingNumber.generate("PG").value
    for target in (number, unknown):
        for i in range(5):
            request_access_code(world.ctx, desk, target, "0000", client=f"203.0.113.{i}")
        with pytest.raises(RateLimitedError):
            request_access_code(world.ctx, desk, target, "0000", client="203.0.113.99")


def test_a_pass_opens_its_own_parcel_only_and_ends_with_its_time(
    world: World, desk: AccessDesk, sms: InMemoryNotifier
) -> None:
    mine = out_for_delivery(world, seed=41)
    theirs = out_for_delivery(world, seed=42)
    courier_reveals(world, theirs)
    token = prove_control(world, desk, sms, mine)
    report = list_accesses(world.ctx, token, client="c")
    assert report.tracking_number == mine
    with world.ctx.uow() as uow:
        foreign = [n.seq for n in uow.subject_audit.numbered_for_subject(theirs, limit=100)]
    with pytest.raises(NotFoundError):
        prove_access(world.ctx, token, foreign[-1])
    world.clock.advance(minutes=16)
    with pytest.raises(AuthenticationError) as caught:
        list_accesses(world.ctx, token, client="c")
    assert caught.value.code is ErrorCode.UNAUTHENTICATED


def test_the_database_keeps_a_keyed_digest_of_the_code_never_the_code_or_the_mobile(
    runtime: Runtime, world: World, desk: AccessDesk, sms: InMemoryNotifier
) -> None:
    number = out_for_delivery(world)
    mobile = mobile_of(world, number)
    challenge = request_access_code(world.ctx, desk, number, mobile[-4:], client="c")
    code = code_sent_to(sms, mobile)
    with runtime.engine.connect() as connection:
        row = connection.execute(
            select(m.access_challenge).where(m.access_challenge.c.id == challenge.challenge_id)
        ).one()
    stored = " ".join(str(v) for v in row) + bytes(row.code_digest).hex()
    assert code not in stored and mobile not in stored


def test_the_audit_log_keeps_a_keyed_reference_to_the_customers_address_never_the_address(
    runtime: Runtime, world: World, desk: AccessDesk, sms: InMemoryNotifier
) -> None:
    """The log is append-only and read by auditors: a customer's IP address (personal data) never enters it,
    but one client's requests, tries and views still carry one reference."""
    number = out_for_delivery(world)
    token = prove_control(world, desk, sms, number)  # client 198.51.100.1
    list_accesses(world.ctx, token, client="198.51.100.1")
    wrong = request_access_code(world.ctx, desk, number, mobile_of(world, number)[-4:], client="198.51.100.1")
    with pytest.raises(AuthenticationError):
        verify_access_code(world.ctx, desk, wrong.challenge_id, "000000", client="198.51.100.1")
    with runtime.engine.connect() as connection:
        rows = connection.execute(
            select(m.audit_event.c.details).where(m.audit_event.c.actor.like("customer:%"))
        ).all()
    assert len(rows) >= 5
    assert not any("198.51.100" in str(row.details) for row in rows)
    references = {json.loads(row.details)["client"] for row in rows}
    assert len(references) == 1 and re.fullmatch(r"[0-9a-f]{16}", references.pop())
