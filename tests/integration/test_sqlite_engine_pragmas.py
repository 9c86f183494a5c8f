"""The SQLite engine's pragmas (issue 9): WAL, its checkpoint interval and size limit, the page cache, on
every pooled connection."""

from __future__ import annotations

from pathlib import Path

from parcelguard.adapters.db.engine import (
    CACHE_KIB,
    WAL_AUTOCHECKPOINT_PAGES,
    WAL_SIZE_LIMIT,
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
