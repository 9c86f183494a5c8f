"""What a tester found in virtual numbers, on SQLite and PostgreSQL: an ordinary mobile imported as a pool
number (then handed out, shown by a reveal and written to the audit log), a phone set for a role that
never takes calls, and extending a binding that has no end. Synthetic people only."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.pii import Mobile
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.virtual_number import BindingModel, TelephonyPolicy
from parcelguard.errors import ConflictError, ErrorCode, ValidationError
from parcelguard.services import virtual_numbers as vns
from tests.reveal_world import World, build_world

STAFF = ("admin.one", "courier.ns", "agent.one", "manager.ns")


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime.ctx, only=STAFF)


def ordinary_mobile(seed: int) -> str:
    """A synthetic subscriber's mobile outside the masking segments (as a pool number it must be refused)."""
    while True:
        digits = Mobile.parse(SyntheticPeople(seed).mobile()).value
        if not digits.startswith(("162", "165", "167", "170", "171")):
            return digits
        seed += 1000


def audit_text(world: World) -> str:
    with world.ctx.uow() as uow:
        return repr(
            [(e.action, e.subject, e.details) for _, e in uow.transparency.events_after(0, 10**9, 10_000)]
        )


def test_an_ordinary_mobile_is_refused_at_import_and_nothing_of_it_is_stored_or_audited(world: World) -> None:
    mobile = ordinary_mobile(71)
    with pytest.raises(ValidationError) as refused:
        vns.import_numbers(world.ctx, [("17012340000", "p1"), (mobile, "p1")], actor="test")
    assert refused.value.code is ErrorCode.INVALID_MOBILE and refused.value.field == "line 2"
    assert mobile not in refused.value.message
    with world.ctx.uow() as uow:
        assert uow.virtual_numbers.get_number(mobile) is None
        assert uow.virtual_numbers.get_number("17012340000") is None  # the file is refused whole
    assert mobile not in audit_text(world)


def test_a_carriers_configured_prefix_admits_its_block(world: World) -> None:
    mobile = ordinary_mobile(72)
    ctx = replace(world.ctx, telephony=TelephonyPolicy(number_prefixes=("170", mobile[:7])))
    assert vns.import_numbers(ctx, [(mobile, "p1")], actor="test").added == 1


def test_a_pool_number_imported_before_the_rule_is_never_handed_out(world: World) -> None:
    mobile = ordinary_mobile(73)
    with world.ctx.uow() as uow:  # what an import before the range check let in
        uow.virtual_numbers.add_numbers([(mobile, "old")], world.clock())
        uow.commit()
    admin = world.principal("admin.one")
    number = world.issue(74)
    with pytest.raises(ConflictError) as refused:
        vns.bind_waybill(world.ctx, number, model=BindingModel.AXN, pool="old", principal=admin)
    assert refused.value.code is ErrorCode.POOL_EXHAUSTED
    vns.import_numbers(world.ctx, [("17012340009", "old")], actor="test")
    bound = vns.bind_waybill(world.ctx, number, model=BindingModel.AXN, pool="old", principal=admin)
    assert bound.number == "17012340009"


def test_binding_events_name_the_pool_number_and_never_a_partys(world: World) -> None:
    vns.import_numbers(world.ctx, [("17012340001", "p1")], actor="test")
    admin = world.principal("admin.one")
    number = world.issue(75)
    vns.bind_waybill(world.ctx, number, model=BindingModel.AXN, pool="p1", principal=admin)
    text = audit_text(world)
    assert "17012340001" in text  # the carrier's own line, printed whole on the label
    assert Mobile.parse(world.recipient(number)["mobile"]).value not in text


@pytest.mark.parametrize("username", ["agent.one", "manager.ns", "admin.one"])
def test_only_a_courier_may_be_given_a_phone(world: World, username: str) -> None:
    with pytest.raises(ValidationError) as refused:
        vns.set_party_phone(world.ctx, username, SyntheticPeople(76).mobile(), actor="test")
    assert refused.value.code is ErrorCode.ROLE_NOT_ALLOWED and refused.value.field == "username"
    with world.ctx.uow() as uow:
        user = uow.users.get(username)
        assert user is not None and uow.virtual_numbers.get_phone(user.id) is None
    vns.set_party_phone(world.ctx, "courier.ns", SyntheticPeople(77).mobile(), actor="test")


def test_extending_a_binding_without_an_end_is_refused_and_changes_nothing(world: World) -> None:
    vns.import_numbers(world.ctx, [("17012340002", "p1")], actor="test")
    admin = world.principal("admin.one")
    number = world.issue(78)
    vns.bind_waybill(world.ctx, number, model=BindingModel.AXN, pool="p1", principal=admin)
    with pytest.raises(ValidationError) as refused:
        vns.extend_binding(world.ctx, number, hours=2, principal=admin)
    assert refused.value.code is ErrorCode.INVALID_TRANSITION
    assert vns.current_binding(world.ctx, number, principal=admin).expires_at is None
    assert vns.BINDING_EXTENDED not in audit_text(world)
    other = world.issue(79)
    vns.import_numbers(world.ctx, [("17012340003", "p1")], actor="test")
    ttl = vns.bind_waybill(
        world.ctx, other, model=BindingModel.AXN, pool="p1", ttl=timedelta(hours=1), principal=admin
    )
    assert ttl.expires_at is not None
    longer = vns.extend_binding(world.ctx, other, hours=2, principal=admin)
    assert longer.expires_at == ttl.expires_at + timedelta(hours=2)
