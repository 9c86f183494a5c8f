"""The audit log's sequencer that ``parcelguard serve`` runs, on SQLite and PostgreSQL: sequencers racing
(threads of one process, and separate engines as separate hosts) build one consistent tree whose
checkpoints never go backwards; events written while it runs are in the tree within a tick or two; a
failing tick is logged without personal data and retried; stop ends the thread."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from parcelguard.adapters.db import transparency_repository
from parcelguard.adapters.db.sequencer_lease import sequencer_lease
from parcelguard.bootstrap import Runtime, bootstrap
from parcelguard.config import Settings
from parcelguard.domain import merkle
from parcelguard.errors import ConfigurationError, ErrorCode
from parcelguard.services import transparency_log as tlog
from parcelguard.services.audit_sequencer import AuditSequencer, describe_error, sequence_once
from parcelguard.services.transparency_check import verify_database
from tests.integration.test_transparency_log import add_events


@pytest.fixture
def second_host(settings: Settings, runtime: Runtime) -> Iterator[Runtime]:
    """Another ParcelGuard on the same database and key file, with an engine of its own (another host)."""
    other = bootstrap(settings)
    yield other
    other.close()


def wait_for(condition: Callable[[], bool], *, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def checkpoint_sizes(runtime: Runtime) -> list[int]:
    return [cp.size for cp in tlog.checkpoints(runtime.ctx)]


def assert_one_consistent_tree(runtime: Runtime) -> None:
    with runtime.ctx.uow() as uow:
        rows = uow.audit_search.search(limit=100_000)
        size, last_seq = uow.transparency.state()
    assert size == len(rows) and last_seq == len(rows)
    leaves = [merkle.leaf_hash(e.canonical_bytes()) for e in rows]
    assert tlog.tree_root(runtime.ctx, size) == merkle.root_from_leaves(leaves)
    sizes = checkpoint_sizes(runtime)
    assert sizes == sorted(sizes), f"a checkpoint went backwards: {sizes}"
    report = verify_database(runtime.ctx)
    assert report.ok, report.problems


def test_publishers_take_turns_so_the_latest_checkpoint_never_goes_backwards(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A publisher that has read size 100 is held just before storing its checkpoint, while another
    # integrates 20 more events and publishes. Without turns the first stored its size-100 checkpoint
    # after the size-120 one, and the latest checkpoint went from 120 back to 100.
    add_events(runtime, 100)
    tlog.integrate_pending(runtime.ctx)
    slow = threading.local()
    other_published = threading.Event()
    original = transparency_repository.SqlTransparencyStore.add_checkpoint

    def add_checkpoint(self: transparency_repository.SqlTransparencyStore, *args: object) -> object:
        if getattr(slow, "on", False):
            other_published.wait(3)  # with turns taken the other cannot publish meanwhile: it waits
        return original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(transparency_repository.SqlTransparencyStore, "add_checkpoint", add_checkpoint)
    errors: list[BaseException] = []

    def first() -> None:
        slow.on = True
        try:
            tlog.publish_checkpoint(runtime.ctx)
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=first)
    thread.start()
    time.sleep(0.5)  # the first publisher is past reading its head
    add_events(runtime, 20, start=100)
    second = threading.Thread(target=lambda: (tlog.publish_checkpoint(runtime.ctx), other_published.set()))
    second.start()
    thread.join(30)
    second.join(30)
    assert not errors, errors
    assert checkpoint_sizes(runtime) == [100, 120]
    assert tlog.current_checkpoint(runtime.ctx, max_age=timedelta(0)).size == 120


def test_two_sequencers_racing_with_writers_build_one_consistent_tree(
    runtime: Runtime, second_host: Runtime
) -> None:
    sequencers = [
        AuditSequencer(
            host.ctx, every=0.01, lease=sequencer_lease(host.engine), checkpoint_every=timedelta(0)
        )
        for host in (runtime, second_host, runtime)
    ]
    for sequencer in sequencers:
        sequencer.start()
    try:
        for start in range(0, 600, 50):
            add_events(runtime if start % 100 else second_host, 50, start=start)
            time.sleep(0.01)
        wait_for(lambda: tlog.leaf_index_of(runtime.ctx, 600) is not None)
    finally:
        stopped = [sequencer.stop() for sequencer in sequencers]
    assert stopped == [True, True, True]
    assert all(s.failures == 0 for s in sequencers)
    assert all(not s.running for s in sequencers)
    assert_one_consistent_tree(runtime)
    assert len(checkpoint_sizes(runtime)) >= 2


def test_events_written_while_it_runs_are_in_the_tree_within_a_tick(runtime: Runtime) -> None:
    sequencer = AuditSequencer(runtime.ctx, every=0.2, lease=sequencer_lease(runtime.engine))
    sequencer.start()
    try:
        wait_for(lambda: sequencer.ticks >= 1)
        add_events(runtime, 5)
        ticks = sequencer.ticks
        # the tick running now may have read the head before the write: the next one takes it
        wait_for(lambda: sequencer.ticks >= ticks + 2)
        assert tlog.leaf_index_of(runtime.ctx, 5) == 4
        first = tlog.checkpoints(runtime.ctx)
        assert [cp.size for cp in first] == [5]  # none yet: published at once
        add_events(runtime, 3, start=5)
        ticks = sequencer.ticks
        wait_for(lambda: sequencer.ticks >= ticks + 2)
        assert tlog.leaf_index_of(runtime.ctx, 8) == 7
        assert checkpoint_sizes(runtime) == [5]  # the next is due 5 minutes after the first
    finally:
        assert sequencer.stop()
    assert sequencer.failures == 0


def test_a_lease_held_elsewhere_skips_the_tick(runtime: Runtime, second_host: Runtime) -> None:
    add_events(runtime, 3)
    elsewhere = sequencer_lease(second_host.engine)
    with elsewhere() as led:
        assert led
        tick = sequence_once(runtime.ctx, lease=sequencer_lease(runtime.engine))
    if runtime.engine.dialect.name == "postgresql":
        assert not tick.led and tick.integrated == 0
        assert tlog.leaf_index_of(runtime.ctx, 3) is None
        tick = sequence_once(runtime.ctx, lease=sequencer_lease(runtime.engine))  # released: leads
    assert tick.led and tick.integrated == 3 and tick.size == 3 and tick.published


def test_a_stopping_sequencer_ends_between_batches(runtime: Runtime) -> None:
    add_events(runtime, 5)
    tick = sequence_once(runtime.ctx, stopping=lambda: True)
    assert tick.led and tick.integrated == 0 and not tick.published
    assert tlog.leaf_index_of(runtime.ctx, 1) is None
    never_started = AuditSequencer(runtime.ctx)
    assert never_started.stop() and not never_started.running


def test_a_failing_tick_is_logged_without_its_message_and_retried(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    add_events(runtime, 4)
    secret = "PG0000000000002"  # what a database error's message would quote: a tracking number
    calls = {"n": 0}
    original = tlog.integrate_pending

    def flaky(ctx: object, **kwargs: object) -> int:
        calls["n"] += 1
        if calls["n"] <= 2:
            raise IntegrityError(f"INSERT ... {secret}", {"subject": secret}, Exception(secret))
        return original(runtime.ctx, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tlog, "integrate_pending", flaky)
    sequencer = AuditSequencer(runtime.ctx, every=0.05)
    with caplog.at_level(logging.DEBUG, logger="parcelguard.audit_sequencer"):
        sequencer.start()
        try:
            wait_for(lambda: tlog.leaf_index_of(runtime.ctx, 4) is not None)
        finally:
            assert sequencer.stop()
    failed = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(failed) == 2
    assert "IntegrityError Exception" in failed[0].getMessage()
    assert all(secret not in r.getMessage() for r in caplog.records)
    assert sequencer.failures == 0  # it recovered
    assert any("works again" in r.getMessage() for r in caplog.records)


def test_describe_error_names_kinds_never_messages() -> None:
    error = IntegrityError("INSERT x", {"a": "PG0000000000001"}, ValueError("PG0000000000001"))
    assert describe_error(error) == "IntegrityError ValueError"
    assert describe_error(RuntimeError("13800138000")) == "RuntimeError"
    assert describe_error(ConfigurationError("x", code=ErrorCode.INTERNAL)) == (
        "ConfigurationError internal_error"
    )


def test_an_idle_tick_takes_no_integration_lock(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    # integration locks audit_event against inserts on PostgreSQL: a tick with nothing new skips it
    add_events(runtime, 2)
    calls = {"n": 0}
    original = tlog.integrate_pending

    def counted(ctx: object, **kwargs: object) -> int:
        calls["n"] += 1
        return original(runtime.ctx, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tlog, "integrate_pending", counted)
    assert sequence_once(runtime.ctx).integrated == 2 and calls["n"] == 1
    assert sequence_once(runtime.ctx).integrated == 0 and calls["n"] == 1
    add_events(runtime, 1, start=2)
    assert sequence_once(runtime.ctx).integrated == 1 and calls["n"] == 2
