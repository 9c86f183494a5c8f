"""Engines for SQLite (embedded default) and PostgreSQL (production), tuned for each.

Both keep a connection pool as large as the web server's thread pool (anyio's default of 40 threads runs the
API's endpoints): with SQLAlchemy's default of 5 + 10 overflow, 20 concurrent clients kept closing and
reopening connections (and re-running SQLite's pragmas) on every request past the fifteenth.

SQLite allows one writer at a time. Threads of one process that collide on its write lock wait in SQLite's
busy handler, which sleeps in steps of up to 100 ms whatever happens meanwhile: under 20 concurrent
single-order requests that sleeping, not work, made the p99 latency. So within a process writers queue on a
Python lock instead, taken at a transaction's first write and released at its commit or rollback, and are
woken as soon as the writer before them is done; between processes SQLite's busy timeout still decides.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

POOL_SIZE = 20
"""Connections kept open; with POOL_OVERFLOW, as many as anyio's 40 worker threads can hold at once."""
POOL_OVERFLOW = 20
BUSY_TIMEOUT_S = 30.0
CACHE_KIB = 16384
"""SQLite's page cache per connection, in KiB (see the pragma below for why not more)."""
WAL_AUTOCHECKPOINT_PAGES = 30000
"""WAL frames (pages of 4 KiB) after which a commit checkpoints: about 117 MiB instead of SQLite's 1,000."""
WAL_SIZE_LIMIT = 128 << 20
"""Bytes the WAL file is cut back to after a checkpoint, so a burst does not keep its disk space."""
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL (checkpointed every 30,000 pages), foreign keys, a busy timeout,
    a 16 MiB page cache and one writer at a time per process; both get a pool sized for the web server's
    threads."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:")
        # Last in, first out: each SQLite connection has a page cache of its own, so the most recently used
        # (warmest) one is handed out first and the others stay idle instead of each holding a cold cache.
        pool: dict[str, Any] = {}
        if not in_memory:
            pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW, "pool_use_lifo": True}
        lock = threading.Lock()
        factory = type("SqliteConnection", (_QueuedWriterConnection,), {"write_lock": lock})
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "factory": factory}, **pool)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # 16 MiB of page cache per connection. Measured (issue 9, the floor's inserts at 0, 100k and 500k
            # waybills, each setting on its own copy): 8 MiB and 64 MiB were within 5% of each other, as the
            # random-key indexes outgrow either and their pages come from the OS cache; 64 MiB made the CLI's
            # memory grow with the database and could reach 2.5 GiB over the web server's 40 connections.
            cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            # Checkpoint after 30,000 WAL frames, not 1,000. Every waybill adds an entry at a random place in
            # seven indexes (blind indexes, tracking number, audit subject); once those outgrow the cache a
            # batch of 1,000 dirties about 7,000 pages, and with the default every commit copied all of them
            # back into the database. Waiting longer lets pages dirtied by several batches be copied once:
            # measured (issue 9, the floor's rows at 1,000,000 existing waybills, 40 batches, means) commit
            # CPU grew 10 -> 40 us a waybill with the default and 12 -> 29 with 30,000 (10,000: -> 38;
            # 100,000: -> 33, with longer pauses). The price: a checkpoint every few batches takes 100-200 ms
            # at that size, and a crash replays up to that much WAL.
            cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
            cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
            cursor.close()

        @event.listens_for(engine, "before_cursor_execute")
        def _before_write(
            _connection: Connection, cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
        ) -> None:
            if statement.lstrip()[:7].upper().startswith(_WRITES):
                cursor.connection.queue_for_write()

        @event.listens_for(engine, "checkin")
        def _returned(dbapi_connection: Any, _record: Any) -> None:
            # A connection given back without commit or rollback (the pool resets it) lets the next go.
            if isinstance(dbapi_connection, _QueuedWriterConnection):
                dbapi_connection.release_write_lock()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)


class _QueuedWriterConnection(sqlite3.Connection):
    """A sqlite3 connection that queues on its engine's ``write_lock`` from its first write in a transaction
    until just after that transaction's commit or rollback.

    The lock is not re-entrant on purpose (a connection given back to the pool from another thread must be
    able to release it); a thread that writes in two transactions at the same time waits at most the busy
    timeout for the lock, then goes on to SQLite, which decides as it did before.
    """

    write_lock: threading.Lock
    _holds = False

    def queue_for_write(self) -> None:
        if not self._holds and self.write_lock.acquire(timeout=BUSY_TIMEOUT_S):
            self._holds = True

    def release_write_lock(self) -> None:
        if self._holds:
            self._holds = False
            self.write_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_write_lock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_write_lock()
