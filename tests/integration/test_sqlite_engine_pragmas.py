"""The SQLite engine's pragmas (issue 9): WAL, its checkpoint interval and size limit, the page cache, on
every pooled connection."""

from __future__ import annotations

import time
from pathlib import Path

from parcelguard.adapters.db.engine import (
    CACHE_KIB,
    WAL_AUTOCHECKPOINT_PAGES,
    WAL_SIZE_LIMIT,
    checkpointer_of,
    make_engine,
)


def test_every_connection_gets_the_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        connections = [engine.connect() for _ in range(3)]  # three pooled connections, each set up
        for connection in connections:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA wal_autocheckpoint").scalar() == WAL_AUTOCHECKPOINT_PAGES
            assert pragma("PRAGMA journal_size_limit").scalar() == WAL_SIZE_LIMIT
            assert pragma("PRAGMA cache_size").scalar() == -CACHE_KIB
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL
        for connection in connections:
            connection.close()
    finally:
        engine.dispose()


def test_the_wal_is_checkpointed_by_a_thread_of_its_own_and_the_thread_ends_with_the_engine(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    checkpointer = checkpointer_of(engine)
    assert checkpointer is not None and checkpointer.alive
    checkpointer.interval_s = 0.05
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (v BLOB)")
        connection.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
            "INSERT INTO t SELECT randomblob(3000) FROM n"
        )
    deadline = time.monotonic() + 30
    while checkpointer.frames_copied == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert checkpointer.frames_copied > 0  # copied without any commit crossing the autocheckpoint threshold
    engine.dispose()
    deadline = time.monotonic() + 30
    while checkpointer.alive and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not checkpointer.alive


def test_no_checkpointer_for_memory_databases_nor_a_created_file_for_a_removed_one(tmp_path: Path) -> None:
    assert checkpointer_of(make_engine("sqlite://")) is None
    path = tmp_path / "gone.db"
    engine = make_engine(f"sqlite:///{path}")
    checkpointer = checkpointer_of(engine)
    assert checkpointer is not None
    checkpointer.interval_s = 0.05
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (v INTEGER)")
    engine.dispose()
    time.sleep(0.2)
    for leftover in tmp_path.iterdir():
        leftover.unlink()
    time.sleep(0.2)
    assert not path.exists()
