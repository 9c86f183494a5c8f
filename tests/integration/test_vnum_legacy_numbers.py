"""Pool numbers imported before the masking-range check (an ordinary subscriber's mobile) must neither be
handed out nor keep other numbers from being handed out: on SQLite and PostgreSQL. Synthetic people only."""

from __future__ import annotations

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.virtual_number import BindingModel
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
