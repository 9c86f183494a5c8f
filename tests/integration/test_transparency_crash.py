"""A sequencer killed mid-batch (SIGKILL, between writing a batch's tree nodes and committing them) resumes
without losing or duplicating an event; and integration never runs ahead of committed events."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from parcelguard.bootstrap import Runtime
from parcelguard.domain import merkle
from parcelguard.domain.audit import AuditEvent
from parcelguard.services import transparency_log as tlog

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from parcelguard.adapters.db.transparency_repository import SqlTransparencyStore
    from parcelguard.bootstrap import bootstrap
    from parcelguard.config import Settings
    from parcelguard.services import transparency_log as tlog

    home, flag = Path(sys.argv[1]), Path(sys.argv[2])
    original = SqlTransparencyStore.append_leaves
    calls = []

    def append_then_hang(self, *args, **kwargs):
        original(self, *args, **kwargs)
        calls.append(1)
        if len(calls) == 2:  # the first batch is committed; the second is written, not committed
            flag.write_text("written")
            time.sleep(600)

    SqlTransparencyStore.append_leaves = append_then_hang
    runtime = bootstrap(Settings(environment="test", home=home), create_keys=False)
    tlog.integrate_pending(runtime.ctx, batch_size=100)
    """
)


def add_events(runtime: Runtime, n: int) -> None:
    t0 = datetime(2026, 11, 30, tzinfo=UTC)
    with runtime.ctx.uow() as uow:
        uow.audit.append_many(
            [
                AuditEvent("access:sign_in:succeeded", f"user:u{i}", t0 + timedelta(seconds=i), "-")
                for i in range(n)
            ]
        )
        uow.commit()


def test_a_sequencer_killed_mid_batch_resumes_without_loss_or_duplication(
    sqlite_runtime: Runtime, tmp_path: Path
) -> None:
    add_events(sqlite_runtime, 450)
    flag = tmp_path / "written"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(sqlite_runtime.settings.home), str(flag)],
        env={**os.environ, "PARCELGUARD_DATABASE_URL": ""},
    )
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert child.poll() is None, "the sequencer ended before the second batch"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    with sqlite_runtime.ctx.uow() as uow:
        size, _ = uow.transparency.state()
        rows = uow.audit_search.search(limit=10_000)
    assert size == 100  # the killed batch left nothing behind
    assert tlog.integrate_pending(sqlite_runtime.ctx, batch_size=100) == len(rows) - 100
    assert tlog.integrate_pending(sqlite_runtime.ctx) == 0
    leaves = [merkle.leaf_hash(e.canonical_bytes()) for e in rows]
    assert tlog.tree_root(sqlite_runtime.ctx, len(rows)) == merkle.root_from_leaves(leaves)
    assert [tlog.leaf_index_of(sqlite_runtime.ctx, seq) for seq in range(1, len(rows) + 1)] == list(
        range(len(rows))
    )


def test_uncommitted_events_are_not_integrated(runtime: Runtime) -> None:
    add_events(runtime, 5)
    with runtime.ctx.uow() as writer:
        writer.audit.append_many([AuditEvent("access:sign_in:failed", "user:x", datetime.now(UTC), "-")])
        if runtime.engine.dialect.name == "postgresql":
            # the sequencer waits for this transaction (LOCK ... SHARE MODE): end it from another thread
            import threading

            timer = threading.Timer(0.5, writer.rollback)
            timer.start()
            integrated = tlog.integrate_pending(runtime.ctx)
            timer.join()
        else:
            writer.rollback()
            integrated = tlog.integrate_pending(runtime.ctx)
    with runtime.ctx.uow() as uow:
        committed = len(uow.audit_search.search(limit=100))
    assert integrated == committed


def test_two_sequencers_at_once_integrate_each_event_once(runtime: Runtime) -> None:
    import threading

    add_events(runtime, 3000)
    errors: list[BaseException] = []

    def sequence() -> None:
        try:
            while tlog.integrate_pending(runtime.ctx, batch_size=250):
                pass
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=sequence) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    tlog.integrate_pending(runtime.ctx)
    with runtime.ctx.uow() as uow:
        rows = uow.audit_search.search(limit=10_000)
        size, last_seq = uow.transparency.state()
    assert size == len(rows) and last_seq == len(rows)
    leaves = [merkle.leaf_hash(e.canonical_bytes()) for e in rows]
    assert tlog.tree_root(runtime.ctx, size) == merkle.root_from_leaves(leaves)
