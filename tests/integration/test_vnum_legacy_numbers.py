"""Pool numbers imported before the masking-range check (an ordinary subscriber's mobile) must neither be
handed out nor keep other numbers from being handed out: on SQLite and PostgreSQL. Synthetic people only."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.virtual_number import BindingModel, TelephonyPolicy
from parcelguard.errors import ErrorCode, ValidationError
from parcelguard.services import virtual_numbers as vns
from tests.integration.test_virtual_number_pool_rules import ordinary_mobile
from tests.reveal_world import World, build_world

STAFF = ("admin.one", "courier.ns", "agent.one", "manager.ns")


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime.ctx, only=STAFF)


def legacy_numbers(world: World, pool: str, count: int, seed: int) -> list[str]:
    """``count`` ordinary mobiles stored in ``pool`` as an import before the range check stored them."""
    numbers = sorted({ordinary_mobile(seed + i) for i in range(count * 3)})[:count]
    with world.ctx.uow() as uow:
        uow.virtual_numbers.add_numbers([(n, pool) for n in numbers], world.clock())
        uow.commit()
    return numbers


@pytest.mark.parametrize("model", [BindingModel.AXN, BindingModel.AXE])
def test_many_legacy_numbers_sorting_first_do_not_exhaust_a_pool_holding_a_masking_number(
    world: World, model: BindingModel
) -> None:
    legacy = legacy_numbers(world, "old", 40, 300)
    assert all(n < "17012340009" for n in legacy)  # they come first in the pool's order
    vns.import_numbers(world.ctx, [("17012340009", "old")], actor="test")
    bound = vns.bind_waybill(
        world.ctx, world.issue(301), model=model, pool="old", principal=world.principal("admin.one")
    )
    assert bound.number == "17012340009"


def test_a_couriers_phone_cannot_be_a_number_of_the_pool(world: World) -> None:
    """Calls to a binding's number go to party A's phone: one of the pool's own numbers would loop calls
    back into the pool (and hand recipients a number that reaches nobody)."""
    vns.import_numbers(world.ctx, [("17012340010", "p1")], actor="test")
    with pytest.raises(ValidationError) as refused:
        vns.set_party_phone(world.ctx, "courier.ns", "+86 170 1234 0010", actor="test")
    assert refused.value.code is ErrorCode.INVALID_MOBILE and refused.value.field == "mobile"
    assert "17012340010" not in refused.value.message
    with world.ctx.uow() as uow:
        user = uow.users.get("courier.ns")
        assert user is not None and uow.virtual_numbers.get_phone(user.id) is None
    vns.set_party_phone(world.ctx, "courier.ns", "17012340011", actor="test")  # an MVNO subscriber's own


def test_a_binding_on_a_number_imported_before_the_range_check_is_not_extended(world: World) -> None:
    """Such a binding shows an ordinary subscriber's mobile as the recipient's number until it ends:
    extending it would keep that going; it is unbound and bound again instead."""
    [legacy] = legacy_numbers(world, "old", 1, 320)
    admin = world.principal("admin.one")
    number = world.issue(321)
    with world.ctx.uow() as uow:  # bound before the check: the number was handed out then
        sealed = uow.waybills.get(number)
        assert sealed is not None
        record = vns.bind_in(
            replace(world.ctx, telephony=TelephonyPolicy(number_prefixes=(legacy[:3],))),
            uow,
            sealed,
            model=BindingModel.AXN,
            pool="old",
            now=world.clock(),
            ttl=timedelta(hours=1),
        )
        uow.commit()
    assert record.number == legacy
    with pytest.raises(ValidationError) as refused:
        vns.extend_binding(world.ctx, number, hours=24, principal=admin)
    assert refused.value.code is ErrorCode.INVALID_TRANSITION and legacy not in refused.value.message
    assert vns.current_binding(world.ctx, number, principal=admin).expires_at == record.expires_at
