"""Concurrent binds: many workers binding at once never overfill a number, never bind one waybill twice and
never give two bindings the same route. Threads on SQLite and PostgreSQL; processes on PostgreSQL."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from parcelguard.adapters.db import models as m
from parcelguard.bootstrap import Runtime, bootstrap
from parcelguard.config import Settings
from parcelguard.domain.access import ALL_SCOPES, Principal
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.virtual_number import BindingModel
from parcelguard.errors import ParcelGuardError
from parcelguard.services import virtual_numbers as vns
from parcelguard.services.dispatch import assign_courier
from parcelguard.services.issuance import issue_waybill
from tests.reveal_world import build_world

OPERATOR = Principal(actor="test", scopes=ALL_SCOPES)


def _issue(runtime: Runtime, count: int, seed: int) -> list[str]:
    return [
        issue_waybill(runtime.ctx, SyntheticPeople(seed + i).order(), actor="test").tracking_number
        for i in range(count)
    ]


def _bind(runtime: Runtime, number: str, model: BindingModel, pool: str) -> str:
    try:
        vns.bind_waybill(runtime.ctx, number, model=model, pool=pool, principal=OPERATOR)
    except ParcelGuardError as error:
        return error.code.value
    return "bound"


def _at_once(tasks: list[Callable[[], str]]) -> list[str]:
    barrier = threading.Barrier(len(tasks))
    results: list[str] = [""] * len(tasks)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = tasks[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tasks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _per_number(runtime: Runtime) -> dict[str, int]:
    with runtime.engine.connect() as connection:
        rows = connection.execute(
            select(m.vnum_binding.c.number, func.count())
            .where(m.vnum_binding.c.ended_at.is_(None))
            .group_by(m.vnum_binding.c.number)
        ).all()
        counted = {row[0]: row[1] for row in rows}
        stored = dict(connection.execute(select(m.vnum_number.c.number, m.vnum_number.c.bindings)).all())
    assert all(stored[number] == count for number, count in counted.items())  # the counter agrees
    return counted


def test_concurrent_axn_binds_fill_the_pool_exactly_and_the_rest_hear_pool_exhausted(
    runtime: Runtime,
) -> None:
    vns.import_numbers(runtime.ctx, [(f"1705555{i:04d}", "c1") for i in range(5)], actor="test")
    waybills = _issue(runtime, 10, 500)
    results = _at_once([lambda n=n: _bind(runtime, n, BindingModel.AXN, "c1") for n in waybills])
    assert Counter(results) == {"bound": 5, "pool_exhausted": 5}
    assert sorted(_per_number(runtime).values()) == [1] * 5


def test_the_same_waybill_bound_by_many_workers_at_once_is_bound_once(runtime: Runtime) -> None:
    vns.import_numbers(runtime.ctx, [(f"1706666{i:04d}", "c2") for i in range(8)], actor="test")
    (waybill,) = _issue(runtime, 1, 600)
    results = _at_once([lambda: _bind(runtime, waybill, BindingModel.AXN, "c2") for _ in range(8)])
    assert Counter(results) == {"bound": 1, "binding_exists": 7}
    assert sum(_per_number(runtime).values()) == 1


def test_concurrent_axe_binds_on_one_number_get_distinct_extensions(runtime: Runtime) -> None:
    vns.import_numbers(runtime.ctx, [("17077770000", "c3")], actor="test")
    waybills = _issue(runtime, 10, 700)
    results = _at_once([lambda n=n: _bind(runtime, n, BindingModel.AXE, "c3") for n in waybills])
    assert results == ["bound"] * 10
    with runtime.engine.connect() as connection:
        extensions = connection.execute(select(m.vnum_binding.c.extension)).scalars().all()
    assert len(set(extensions)) == 10
    assert _per_number(runtime) == {"17077770000": 10}


def _worker(settings: Settings, numbers: list[str], out: multiprocessing.Queue[list[str]]) -> None:
    runtime = bootstrap(settings)
    try:
        out.put([_bind(runtime, n, BindingModel.AXN, "c4") for n in numbers])
    finally:
        runtime.close()


@pytest.mark.postgres
def test_worker_processes_binding_at_once_never_overfill_the_pool(
    runtime: Runtime, settings: Settings
) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("the multi-process test runs on PostgreSQL (SQLite's writers are one at a time anyway)")
    vns.import_numbers(runtime.ctx, [(f"1708888{i:04d}", "c4") for i in range(6)], actor="test")
    waybills = _issue(runtime, 12, 800)
    spawn = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[list[str]] = spawn.Queue()
    workers = [spawn.Process(target=_worker, args=(settings, waybills[i::4], queue)) for i in range(4)]
    for worker in workers:
        worker.start()
    results = [r for _ in workers for r in queue.get(timeout=120)]
    for worker in workers:
        worker.join(timeout=60)
    assert Counter(results) == {"bound": 6, "pool_exhausted": 6}
    assert sorted(_per_number(runtime).values()) == [1] * 6


def test_one_courier_binding_many_parcels_at_once_gets_one_axb_number_each(runtime: Runtime) -> None:
    """The courier's route key may sit once on a number: racing binds collide on it, retry on another
    number, and the pool ends with one of the courier's bindings per number."""
    world = build_world(runtime.ctx, only=("admin.one", "courier.ns"))
    vns.set_party_phone(world.ctx, "courier.ns", SyntheticPeople(950).mobile(), actor="test")
    waybills = [world.issue(900 + i) for i in range(6)]
    for number in waybills:  # pool c5 is none of the courier's: dispatch binds nothing itself
        assign_courier(world.ctx, number, "courier.ns", principal=world.principal("admin.one"))
    vns.import_numbers(world.ctx, [(f"1709999{i:04d}", "c5") for i in range(3)], actor="test")
    results = _at_once(
        [lambda n=n: _bind(replace(runtime, ctx=world.ctx), n, BindingModel.AXB, "c5") for n in waybills]
    )
    assert Counter(results) == {"bound": 3, "pool_exhausted": 3}
    assert sorted(_per_number(runtime).values()) == [1, 1, 1]
