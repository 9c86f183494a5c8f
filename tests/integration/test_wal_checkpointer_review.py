"""Review of the background WAL checkpointer (issue 9): disposing the engine ends the thread and closes its
connection before returning, so a command that exits right after leaves no ``-wal``/``-shm`` files and
no thread, and many engines disposed in turn leave no threads nor open files behind."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from parcelguard.adapters.db.engine import checkpointer_of, make_engine


def _write(engine_url: str) -> None:
    engine = make_engine(engine_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (v BLOB)")
        connection.exec_driver_sql("INSERT INTO t VALUES (randomblob(5000))")
    engine.dispose()


def test_disposing_waits_for_the_checkpointer_to_close_its_connection(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    engine = make_engine(f"sqlite:///{path}")
    checkpointer = checkpointer_of(engine)
    assert checkpointer is not None
    checkpointer.interval_s = 0.02
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (v BLOB)")
        connection.exec_driver_sql("INSERT INTO t VALUES (randomblob(50000))")
    deadline = time.monotonic() + 30
    while checkpointer.runs == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert checkpointer.runs > 0  # its connection is open

    engine.dispose()

    assert not checkpointer.alive
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.db"]


def test_many_engines_disposed_in_turn_leave_no_thread_nor_open_file(tmp_path: Path) -> None:
    threads, files = threading.active_count(), len(os.listdir("/proc/self/fd"))
    for i in range(60):
        _write(f"sqlite:///{tmp_path / f'{i % 3}.db'}")
    assert threading.active_count() == threads
    assert len(os.listdir("/proc/self/fd")) <= files
