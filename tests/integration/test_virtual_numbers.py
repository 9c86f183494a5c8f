"""Virtual numbers end to end through the services, on SQLite and PostgreSQL: pools, AXB/AXE/AXN bindings,
rebinding on a courier change, expiry after delivery plus grace, cool-down, call records in the audit log
(never a real number), and the errors for exhaustion and duplicates. Synthetic people only."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.pii import Mobile
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.virtual_number import BindingModel
from parcelguard.errors import ConflictError, ErrorCode, NotFoundError, ValidationError
from parcelguard.services import call_routing as cr
from parcelguard.services import virtual_numbers as vns
from parcelguard.services.dispatch import assign_courier, courier_deliveries
from parcelguard.services.keys import rotate_keys
from parcelguard.services.parcel_events import record_parcel_event
from parcelguard.services.people import disable_user, offboard_user
from parcelguard.services.ports import ProviderCallRecord
from parcelguard.services.reveal import reveal
from tests.reveal_world import World, build_world

STAFF = ("admin.one", "manager.ns", "courier.ns", "courier.two", "courier.ft")
POOL = [f"1701234{i:04d}" for i in range(6)]


@pytest.fixture
def world(runtime: Runtime) -> World:
    w = build_world(runtime.ctx, only=STAFF)
    vns.import_numbers(w.ctx, [(n, "SZ-NS") for n in POOL], actor="test")
    return w


def courier_phone(world: World, username: str, seed: int) -> str:
    mobile = SyntheticPeople(seed).mobile()
    vns.set_party_phone(world.ctx, username, mobile, actor="test")
    return Mobile.parse(mobile).value


def recipient_of(world: World, number: str) -> str:
    return Mobile.parse(world.recipient(number)["mobile"]).value


def route(world: World, caller: str, called: str, extension: str | None = None) -> dict[str, str]:
    return cr.route_call(
        world.ctx, caller=caller, called=called, extension=extension, actor="apikey:sip"
    ).as_json()


def deliver(world: World, number: str) -> None:
    admin = world.principal("admin.one")
    for status, station in (("picked_up", None), ("at_station", "SZ-NS"), ("delivered", None)):
        record_parcel_event(world.ctx, number, status, station_code=station, principal=admin)


def test_dispatch_binds_axb_and_the_parties_reach_each_other_through_x_only(world: World) -> None:
    courier = courier_phone(world, "courier.ns", 901)
    number = world.issue(31)
    assign_courier(world.ctx, number, "courier.ns", principal=world.principal("admin.one"))
    bound = vns.current_binding(world.ctx, number, principal=world.principal("admin.one"))
    assert bound.model is BindingModel.AXB and bound.number in POOL and bound.extension is None
    recipient = recipient_of(world, number)

    to_b = route(world, courier, bound.number)
    assert to_b["action"] == "connect" and to_b["target"] == recipient and to_b["caller_id"] == bound.number
    assert route(world, "+86 " + recipient, bound.number)["target"] == courier
    stranger = Mobile.parse(SyntheticPeople(77).mobile()).value
    refused = route(world, stranger, bound.number)
    assert (
        refused["action"] == "reject" and refused["reason"] == "caller_not_party" and "target" not in refused
    )
    assert route(world, stranger, POOL[-1])["reason"] == "no_binding"  # a free number of ours
    assert route(world, stranger, "13800000000")["reason"] == "no_binding"  # not ours at all


def test_a_delivered_parcel_keeps_its_number_for_the_grace_period_then_it_rests(world: World) -> None:
    courier = courier_phone(world, "courier.ns", 902)
    number = world.issue(32)
    assign_courier(world.ctx, number, "courier.ns", principal=world.principal("admin.one"))
    x = vns.current_binding(world.ctx, number, principal=world.principal("admin.one")).number
    deliver(world, number)
    world.clock.advance(hours=71)
    assert route(world, courier, x)["action"] == "connect"
    world.clock.advance(hours=1)
    assert route(world, courier, x)["reason"] == "expired"
    assert vns.release_due(world.ctx, actor="test") == 1
    assert route(world, courier, x)["reason"] == "number_quarantined"
    world.clock.advance(hours=24)
    assert route(world, courier, x)["reason"] == "no_binding"
    with pytest.raises(NotFoundError) as missing:
        vns.current_binding(world.ctx, number, principal=world.principal("admin.one"))
    assert missing.value.code is ErrorCode.BINDING_NOT_FOUND


def test_a_new_courier_takes_over_the_binding_and_the_old_one_is_cut_off(world: World) -> None:
    old = courier_phone(world, "courier.ns", 903)
    new = courier_phone(world, "courier.two", 904)
    number = world.issue(33)
    admin = world.principal("admin.one")
    assign_courier(world.ctx, number, "courier.ns", principal=admin)
    x = vns.current_binding(world.ctx, number, principal=admin).number
    assign_courier(world.ctx, number, "courier.two", principal=admin)
    assert route(world, old, x)["reason"] == "caller_not_party"
    assert route(world, new, x)["target"] == recipient_of(world, number)
    assert route(world, recipient_of(world, number), x)["target"] == new


def test_one_x_serves_many_pairs_but_never_one_courier_twice(world: World) -> None:
    courier_phone(world, "courier.ns", 905)
    courier_phone(world, "courier.two", 906)
    admin = world.principal("admin.one")
    first, second, third = world.issue(34), world.issue(35), world.issue(36)
    assign_courier(world.ctx, first, "courier.ns", principal=admin)
    assign_courier(world.ctx, second, "courier.two", principal=admin)
    assign_courier(world.ctx, third, "courier.ns", principal=admin)
    xs = [vns.current_binding(world.ctx, n, principal=admin).number for n in (first, second, third)]
    assert xs[0] == xs[1]  # two pairs share one number
    assert xs[2] != xs[0]  # the same courier on it twice would make his call ambiguous


def test_axe_prints_x_dash_extension_and_is_open_until_a_courier_is_bound(world: World) -> None:
    number = world.issue(37)
    admin = world.principal("admin.one")
    bound = vns.bind_waybill(world.ctx, number, model=BindingModel.AXE, pool="SZ-NS", principal=admin)
    assert bound.display == f"{bound.number}-{bound.extension}" and len(bound.extension or "") == 4
    stranger = Mobile.parse(SyntheticPeople(78).mobile()).value
    assert route(world, stranger, bound.display)["target"] == recipient_of(world, number)
    assert route(world, stranger, bound.number)["reason"] == "caller_not_party"  # no extension
    courier = courier_phone(world, "courier.ns", 907)
    assign_courier(world.ctx, number, "courier.ns", principal=admin)
    assert route(world, stranger, bound.number, bound.extension)["reason"] == "caller_not_party"
    assert route(world, courier, bound.number, bound.extension)["target"] == recipient_of(world, number)
    assert route(world, recipient_of(world, number), bound.number)["target"] == courier


def test_axn_numbers_are_exclusive_and_an_empty_pool_is_a_clear_error(world: World) -> None:
    admin = world.principal("admin.one")
    vns.import_numbers(world.ctx, [("17099990000", "tiny")], actor="test")
    first, second = world.issue(38), world.issue(39)
    bound = vns.bind_waybill(world.ctx, first, model=BindingModel.AXN, pool="tiny", principal=admin)
    anyone = Mobile.parse(SyntheticPeople(79).mobile()).value
    assert route(world, anyone, bound.number)["target"] == recipient_of(world, first)
    with pytest.raises(ConflictError) as exhausted:
        vns.bind_waybill(world.ctx, second, model=BindingModel.AXN, pool="tiny", principal=admin)
    assert exhausted.value.code is ErrorCode.POOL_EXHAUSTED
    with pytest.raises(ConflictError) as twice:
        vns.bind_waybill(world.ctx, first, model=BindingModel.AXN, principal=admin)
    assert twice.value.code is ErrorCode.BINDING_EXISTS


def test_axb_without_the_couriers_phone_is_refused_and_dispatch_still_succeeds(world: World) -> None:
    admin = world.principal("admin.one")
    unmasked = world.issue(44)  # the station's pool is empty: dispatch as before, no telephony event
    assign_courier(world.ctx, unmasked, "courier.ft", principal=admin)
    with world.ctx.uow() as uow:
        assert [e.action for e in uow.audit.for_subject(unmasked)][-1] == "dispatch:waybill:assigned"
    vns.import_numbers(world.ctx, [("17012349999", "SZ-FT")], actor="test")
    number = world.issue(40)
    assign_courier(world.ctx, number, "courier.ft", principal=admin)  # no phone: dispatch goes on
    with pytest.raises(ConflictError) as refused:
        vns.bind_waybill(world.ctx, number, model=BindingModel.AXB, principal=admin)
    assert refused.value.code is ErrorCode.PARTY_PHONE_MISSING
    with world.ctx.uow() as uow:
        events = [e.action for e in uow.audit.for_subject(number)]
    assert vns.BINDING_SKIPPED in events


def test_an_extended_binding_works_longer_and_a_ttl_binding_expires(world: World) -> None:
    admin = world.principal("admin.one")
    number = world.issue(41)
    bound = vns.bind_waybill(
        world.ctx, number, model=BindingModel.AXN, pool="SZ-NS", ttl=timedelta(seconds=60), principal=admin
    )
    anyone = Mobile.parse(SyntheticPeople(80).mobile()).value
    vns.extend_binding(world.ctx, number, hours=1, principal=admin)
    world.clock.advance(seconds=3000)
    assert route(world, anyone, bound.number)["action"] == "connect"
    world.clock.advance(seconds=700)
    assert route(world, anyone, bound.number)["reason"] == "expired"


def test_call_records_hold_times_and_outcome_and_never_a_real_number(world: World) -> None:
    courier = courier_phone(world, "courier.ns", 908)
    number = world.issue(42)
    assign_courier(world.ctx, number, "courier.ns", principal=world.principal("admin.one"))
    x = vns.current_binding(world.ctx, number, principal=world.principal("admin.one")).number
    answer = route(world, courier, x)
    start = world.clock.now
    ended = cr.record_call_end(
        world.ctx,
        call_id=answer["call_id"],
        started_at=start,
        answered_at=start + timedelta(seconds=4),
        ended_at=start + timedelta(seconds=64),
        outcome="answered",
        actor="apikey:sip",
    )
    assert ended.duration_s == 60
    with world.ctx.uow() as uow:
        events = uow.audit.for_subject(f"call:{answer['call_id']}")
        everything = uow.audit_search.search(action_prefix="telephony:")
    assert [e.action for e in events] == [cr.CALL_ROUTED, cr.CALL_ENDED]
    assert events[1].details["duration_s"] == 60 and events[1].details["outcome"] == "answered"
    assert events[0].details["caller_party"] == "a"
    text = b"".join(e.canonical_bytes() for e in everything).decode()
    for real in (courier, recipient_of(world, number)):
        assert real not in text and real[-8:] not in text
    with pytest.raises(NotFoundError):
        cr.record_call_end(
            world.ctx,
            call_id="c_" + "0" * 24,
            started_at=start,
            answered_at=None,
            ended_at=start,
            outcome="failed",
            actor="apikey:sip",
        )


def test_a_rejected_call_cannot_be_recorded_as_answered_nor_an_answer_without_its_time(world: World) -> None:
    courier = courier_phone(world, "courier.ns", 915)
    number = world.issue(49)
    assign_courier(world.ctx, number, "courier.ns", principal=world.principal("admin.one"))
    x = vns.current_binding(world.ctx, number, principal=world.principal("admin.one")).number
    stranger = Mobile.parse(SyntheticPeople(916).mobile()).value
    rejected = route(world, stranger, x)
    assert rejected["action"] == "reject"
    start = world.clock.now
    end = start + timedelta(seconds=30)
    for outcome, answered in (("answered", start), ("rejected", start), ("busy", start)):
        with pytest.raises(ValidationError) as refused:
            cr.record_call_end(
                world.ctx,
                call_id=rejected["call_id"],
                started_at=start,
                answered_at=answered,
                ended_at=end,
                outcome=outcome,
                actor="apikey:sip",
            )
        assert refused.value.field in ("outcome", "answered_at")
    connected = route(world, courier, x)
    with pytest.raises(ValidationError) as no_time:
        cr.record_call_end(
            world.ctx,
            call_id=connected["call_id"],
            started_at=start,
            answered_at=None,
            ended_at=end,
            outcome="answered",
            actor="apikey:sip",
        )
    assert no_time.value.field == "answered_at"
    kept = cr.record_call_end(
        world.ctx,
        call_id=rejected["call_id"],
        started_at=start,
        answered_at=None,
        ended_at=end,
        outcome="rejected",
        actor="apikey:sip",
    )
    assert kept.duration_s == 0


def test_the_couriers_screen_and_reveal_give_the_virtual_number_never_the_real_one(world: World) -> None:
    courier_phone(world, "courier.ns", 909)
    number = world.issue(43)
    admin = world.principal("admin.one")
    assign_courier(world.ctx, number, "courier.ns", principal=admin)
    for status, station in (("picked_up", None), ("at_station", "SZ-NS"), ("out_for_delivery", None)):
        record_parcel_event(world.ctx, number, status, station_code=station, principal=admin)
    x = vns.current_binding(world.ctx, number, principal=admin).number
    courier = world.principal("courier.ns")
    (shown,) = courier_deliveries(world.ctx, courier)
    assert shown.recipient_mobile == x
    revealed = reveal(
        world.ctx, courier, tracking_number=number, fields=["recipient.mobile"], purpose="delivery"
    )
    assert revealed.fields == {"recipient.mobile": x}
    assert recipient_of(world, number) not in str(revealed)


def test_key_rotation_rewraps_live_bindings_and_an_ended_binding_is_shredded(world: World) -> None:
    courier = courier_phone(world, "courier.ns", 910)
    number = world.issue(45)
    admin = world.principal("admin.one")
    assign_courier(world.ctx, number, "courier.ns", principal=admin)
    bound = vns.current_binding(world.ctx, number, principal=admin)
    rotate_keys(world.ctx, actor="test", settle_seconds=0)
    assert route(world, courier, bound.number)["target"] == recipient_of(world, number)
    with world.ctx.uow() as uow:
        record = uow.virtual_numbers.get_binding(bound.binding_id)
        phone = uow.virtual_numbers.get_phone(world.users["courier.ns"].id)
    current = world.ctx.keyring.current_kek_version
    assert record is not None and record.wrapped_key.kek_version == current
    assert phone is not None and phone.wrapped_key.kek_version == current
    vns.unbind_waybill(world.ctx, number, principal=admin)
    with world.ctx.uow() as uow:
        ended = uow.virtual_numbers.get_binding(bound.binding_id)
    assert ended is not None and ended.wrapped_key.blob == b"" and ended.ct_a is None and ended.ct_b == b""


def test_the_raw_sqlite_file_holds_no_real_number_of_a_binding(sqlite_runtime: Runtime) -> None:
    world = build_world(sqlite_runtime.ctx, only=STAFF)
    vns.import_numbers(world.ctx, [(n, "SZ-NS") for n in POOL], actor="test")
    courier = courier_phone(world, "courier.ns", 911)
    number = world.issue(46)
    assign_courier(world.ctx, number, "courier.ns", principal=world.principal("admin.one"))
    x = vns.current_binding(world.ctx, number, principal=world.principal("admin.one")).number
    answer = route(world, courier, x)
    cr.record_call_end(
        world.ctx,
        call_id=answer["call_id"],
        started_at=world.clock.now,
        answered_at=None,
        ended_at=world.clock.now,
        outcome="no_answer",
        actor="apikey:sip",
    )
    with sqlite_runtime.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db_file = Path(sqlite_runtime.settings.resolved_database_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
    assert x.encode() in raw  # the virtual number is ours, stored as such
    for real in (courier, recipient_of(world, number)):
        assert real.encode() not in raw and real.encode("utf-16-le") not in raw


def test_a_courier_who_changes_phone_takes_the_bindings_along_and_the_old_phone_is_cut_off(
    world: World,
) -> None:
    old = courier_phone(world, "courier.ns", 911)
    number = world.issue(45)
    admin = world.principal("admin.one")
    assign_courier(world.ctx, number, "courier.ns", principal=admin)
    x = vns.current_binding(world.ctx, number, principal=admin).number
    new = courier_phone(world, "courier.ns", 912)  # the old SIM handed back, perhaps to someone else
    recipient = recipient_of(world, number)
    assert route(world, old, x)["reason"] == "caller_not_party"
    assert route(world, new, x)["target"] == recipient
    assert route(world, recipient, x)["target"] == new
    with world.ctx.uow() as uow:
        text = b"".join(e.canonical_bytes() for e in uow.audit_search.search(action_prefix="telephony:"))
    assert old.encode() not in text and new.encode() not in text


def test_a_courier_sending_to_their_own_phone_is_dispatched_and_bound(world: World) -> None:
    number = world.issue(46)
    own = recipient_of(world, number)
    vns.set_party_phone(world.ctx, "courier.ns", own, actor="test")
    admin = world.principal("admin.one")
    assign_courier(world.ctx, number, "courier.ns", principal=admin)  # two equal route keys: no conflict
    x = vns.current_binding(world.ctx, number, principal=admin).number
    assert route(world, own, x)["action"] == "connect"


def test_a_pushed_call_record_keeps_no_real_number_and_is_checked_like_our_own(world: World) -> None:
    real = Mobile.parse(SyntheticPeople(81).mobile()).value
    start = world.clock.now
    pushed = ProviderCallRecord(
        provider_ref="sip:unknown",
        call_id="pls_1",
        number=real,  # a provider that filled in a party's number instead of X
        started_at=start,
        answered_at=None,
        ended_at=start + timedelta(seconds=5),
        outcome="no_answer",
    )
    cr.record_provider_call(world.ctx, pushed, actor="apikey:sip")
    cr.record_provider_call(world.ctx, replace(pushed, call_id="pls_2", number=POOL[0]), actor="apikey:sip")
    with world.ctx.uow() as uow:
        first = uow.audit.for_subject("call:pls_1")[0].details
        second = uow.audit.for_subject("call:pls_2")[0].details
    assert first["number"] is None and second["number"] == POOL[0]
    for bad in (
        replace(pushed, outcome="<script>"),
        replace(pushed, call_id="x" * 500),
        replace(pushed, ended_at=start - timedelta(days=3)),
    ):
        with pytest.raises(ValidationError):
            cr.record_provider_call(world.ctx, bad, actor="apikey:sip")
    far = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)  # started_at + 24 h would overflow
    with pytest.raises(ValidationError):
        cr.record_call_end(
            world.ctx,
            call_id="c_" + "0" * 24,
            started_at=far,
            answered_at=None,
            ended_at=far + timedelta(minutes=1) - timedelta(days=1),
            outcome="busy",
            actor="apikey:sip",
        )


def test_a_disabled_or_offboarded_courier_neither_reaches_nor_is_reached(world: World) -> None:
    admin = world.principal("admin.one")
    courier = courier_phone(world, "courier.ns", 913)
    other = courier_phone(world, "courier.two", 914)
    first, second = world.issue(47), world.issue(48)
    assign_courier(world.ctx, first, "courier.ns", principal=admin)
    assign_courier(world.ctx, second, "courier.two", principal=admin)
    x1 = vns.current_binding(world.ctx, first, principal=admin).number
    x2 = vns.current_binding(world.ctx, second, principal=admin).number
    assert route(world, courier, x1)["action"] == "connect"
    offboard_user(world.ctx, "courier.ns", from_=world.clock.now, actor="test")
    disable_user(world.ctx, "courier.two", actor="test")
    for caller, x in ((courier, x1), (recipient_of(world, first), x1), (other, x2)):
        refused = route(world, caller, x)
        assert refused["reason"] == "caller_not_party" and "target" not in refused
    assert route(world, recipient_of(world, second), x2)["reason"] == "caller_not_party"


def test_two_different_extensions_in_one_call_are_refused_not_guessed(world: World) -> None:
    number = world.issue(49)
    admin = world.principal("admin.one")
    bound = vns.bind_waybill(world.ctx, number, model=BindingModel.AXE, pool="SZ-NS", principal=admin)
    other = "0001" if bound.extension != "0001" else "0002"
    stranger = Mobile.parse(SyntheticPeople(82).mobile()).value
    with pytest.raises(ValidationError) as both:
        route(world, stranger, f"{bound.number}-{other}", bound.extension)
    assert both.value.field == "extension"
    same = route(world, stranger, bound.display, str(int(bound.extension or "0")))  # 0042 and 42 agree
    assert same["target"] == recipient_of(world, number)
