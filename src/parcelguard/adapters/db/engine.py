"""Engines for SQLite (embedded default) and PostgreSQL (production), tuned for each.

Both keep a connection pool as large as the web server's thread pool (anyio's default of 40 threads runs the
API's endpoints): with SQLAlchemy's default of 5 + 10 overflow, 20 concurrent clients kept closing and
reopening connections (and re-running SQLite's pragmas) on every request past the fifteenth.

SQLite's WAL is copied back into the database by a thread of the process's own (`WalCheckpointer`), not by
whichever commit crosses the autocheckpoint threshold: at a million waybills such a checkpoint takes 100-200
ms, which one unlucky request used to wait for.

SQLite allows one writer at a time. Threads of one process that collide on its write lock wait in SQLite's
busy handler, which sleeps in steps of up to 100 ms whatever happens meanwhile: under 20 concurrent
single-order requests that sleeping, not work, made the p99 latency. So within a process writers queue on a
Python lock instead, taken at a transaction's first write and released at its commit or rollback, and are
woken as soon as the writer before them is done; between processes SQLite's busy timeout still decides.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from parcelguard.errors import ConfigurationError, ErrorCode

POOL_SIZE = 20
"""Connections kept open; with POOL_OVERFLOW, as many as anyio's 40 worker threads can hold at once."""
POOL_OVERFLOW = 20
BUSY_TIMEOUT_S = 30.0
CACHE_KIB = 8192
"""SQLite's page cache per connection, in KiB (see the pragma below for why not more)."""
WAL_AUTOCHECKPOINT_PAGES = 30000
"""WAL frames (pages of 4 KiB) after which a commit checkpoints: about 117 MiB instead of SQLite's 1,000."""
WAL_SIZE_LIMIT = 128 << 20
"""Bytes the WAL file is cut back to after a checkpoint, so a burst does not keep its disk space."""
CHECKPOINT_INTERVAL_S = 1.0
"""Seconds between the background checkpoints: about as many pages as the 30,000-frame threshold at full
issuance speed, so pages dirtied by several batches are still copied once."""

STOP_TIMEOUT_S = 5.0
"""Longest a disposal waits for the checkpointer's current checkpoint (100-200 ms at a million waybills)."""

_log = logging.getLogger(__name__)
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


URL_SETTING = "PARCELGUARD_DATABASE_URL"
SUPPORTED = "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"


def parse_database_url(url: str) -> URL:
    """``url`` parsed; ConfigurationError ``invalid_configuration`` (field PARCELGUARD_DATABASE_URL) when it
    is not a URL, its port is not a number, or it names a database other than SQLite or PostgreSQL. The
    message never quotes the URL: it may hold a password."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise _invalid_url("is not a database URL (or its port is not a number)") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise _invalid_url(
            f"names a {parsed.get_backend_name()} database; ParcelGuard runs on SQLite and PostgreSQL"
        )
    if "@" in (parsed.host or ""):
        # P@ss@db.example: the URL splits at the first @, so the password's tail would be the host, looked
        # up in DNS and named in "cannot reach the database at ..."
        raise _invalid_url("holds an @ in its user or password that is not percent-encoded (write it %40)")
    return parsed


def _invalid_url(why: str) -> ConfigurationError:
    return ConfigurationError(
        f"{URL_SETTING} {why}: use {SUPPORTED}", code=ErrorCode.INVALID_CONFIGURATION, field=URL_SETTING
    )


def database_error(error: BaseException, url: str | URL) -> ConfigurationError | None:
    """What a driver error raised on ``url``'s database means to an operator, or None when it says nothing
    about the database being there (a bug, a constraint): ``database_unavailable`` (PostgreSQL down or
    unreachable, its user, password or database refused, connections lost; an SQLite file that cannot be
    opened) or ``database_corrupt`` (a file that is not an SQLite database). The message names the host,
    port and database, never the user, password or the driver's own text."""
    if not isinstance(error, DBAPIError):
        return None
    original = error.orig
    if original is None:
        return None
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        name = Path(str(parsed.database or "")).name or "the database"
        text = str(original).lower()
        if isinstance(original, sqlite3.OperationalError) and "unable to open" in text:
            return ConfigurationError(
                f"cannot open the SQLite database {name} (is its folder there and writable?)",
                code=ErrorCode.DATABASE_UNAVAILABLE,
            )
        if isinstance(original, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text):
            return ConfigurationError(
                f"{name} is not an SQLite database or is damaged: restore it from backup",
                code=ErrorCode.DATABASE_CORRUPT,
            )
        return None
    if error.connection_invalidated or _is_connection_error(original):
        text = str(original)
        reason = "it is down, unreachable, or refused the user, password or database name"
        if "password authentication failed" in text or ("role" in text and "does not exist" in text):
            reason = "it refused the user or password"
        elif "database" in text and "does not exist" in text:
            reason = "it has no such database"
        host = parsed.host or "localhost"
        host = host if "@" not in host else "(a host parse_database_url refuses)"  # never a password's tail
        where = f"{host}:{parsed.port or 5432}, database {parsed.database or '(none)'}"
        return ConfigurationError(
            f"cannot reach the PostgreSQL database at {where}: {reason}",
            code=ErrorCode.DATABASE_UNAVAILABLE,
            field=URL_SETTING,
        )
    return None


def _is_connection_error(original: BaseException) -> bool:
    # psycopg raises OperationalError itself for connections refused, lost or never made, InterfaceError for
    # one used after it closed, and the SQLSTATE 57P classes while the server shuts down or starts: the
    # database's absence, whatever statement ran. Its other OperationalError subclasses (serialization
    # failures, deadlocks, lock and statement timeouts) are not, and stay driver errors.
    kind = type(original)
    return kind.__module__.split(".")[0] in ("psycopg", "psycopg2") and kind.__name__ in _CONNECTION_ERRORS


_CONNECTION_ERRORS = frozenset(
    {"OperationalError", "InterfaceError", "AdminShutdown", "CrashShutdown", "CannotConnectNow"}
)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL (checkpointed every 30,000 pages), foreign keys, a busy timeout,
    an 8 MiB page cache and one writer at a time per process; both get a pool sized for the web server's
    threads. Raises ConfigurationError ``invalid_configuration`` for a URL that is not an SQLite or
    PostgreSQL one, or whose driver is not installed (:func:`parse_database_url`)."""
    parsed = parse_database_url(url)
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
        _translate_errors(engine, parsed)

        if not in_memory and not parsed.query:
            checkpointer = WalCheckpointer(Path(str(parsed.database)), engine)
            _checkpointers[engine] = checkpointer
            event.listen(engine, "engine_disposed", lambda _engine: checkpointer.stop())
            checkpointer.start()

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # 8 MiB of page cache per connection. Measured (issue 9, the floor's inserts at 0, 100k and 500k
            # waybills, each setting on its own copy): 8 MiB and 64 MiB were within 5% of each other, as the
            # random-key indexes outgrow either and their pages come from the OS cache; 64 MiB made the CLI's
            # memory grow with the database and could reach 2.5 GiB over the web server's 40 connections.
            # 16 MiB, the setting before, filled within 20 batches and was 8 MiB of `waybill issue`'s peak.
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
    try:
        engine = create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
    except (NoSuchModuleError, ImportError):
        raise _invalid_url("names a driver that is not installed") from None
    _translate_errors(engine, parsed)
    return engine


def _translate_errors(engine: Engine, url: URL) -> None:
    """Have ``engine`` raise :func:`database_error`'s ConfigurationError instead of a driver error that
    means the database is unavailable or corrupt, wherever it happens (connecting, in a request, in a CLI
    command), so the web answers 503 ``database_unavailable`` and the CLI one coded line, not a bug.
    Pre-ping failures are left to the pool, which reconnects."""

    @event.listens_for(engine, "handle_error")
    def _translated(context: ExceptionContext) -> BaseException | None:
        if context.is_pre_ping or context.sqlalchemy_exception is None:
            return None
        return database_error(context.sqlalchemy_exception, url)


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


_checkpointers: weakref.WeakKeyDictionary[Engine, WalCheckpointer] = weakref.WeakKeyDictionary()


def checkpointer_of(engine: Engine) -> WalCheckpointer | None:
    """The background checkpointer of an SQLite file engine made by :func:`make_engine` (None otherwise)."""
    return _checkpointers.get(engine)


class WalCheckpointer:
    """Copies an SQLite database's WAL back into the database every ``interval_s`` seconds from a daemon
    thread with a connection of its own (``PRAGMA wal_checkpoint(PASSIVE)``: it never waits for, nor blocks,
    readers and writers; sqlite3 releases the GIL while it copies, so the copying uses another core).

    Commits still checkpoint past ``WAL_AUTOCHECKPOINT_PAGES`` should this thread fall behind. The thread
    ends when the engine is disposed or garbage-collected. ``runs`` and ``frames_copied`` count what it did.
    """

    def __init__(self, path: Path, engine: Engine, *, interval_s: float = CHECKPOINT_INTERVAL_S) -> None:
        self.path = path
        self.interval_s = interval_s
        self.runs = 0
        self.frames_copied = 0
        self._engine = weakref.ref(engine)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-wal-checkpoint", daemon=True)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Stop the thread and wait (at most ``timeout_s``) until it has closed its connection: a process
        that exits right after disposing its engine (a CLI command) then leaves no ``-wal`` and ``-shm``
        files behind, which the daemon thread's open connection kept when the interpreter ended first."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        connection: sqlite3.Connection | None = None
        try:
            while not self._stop.wait(self.interval_s) and self._engine() is not None:
                if not self.path.with_name(self.path.name + "-wal").exists():
                    continue  # nothing written yet (or not in WAL mode yet)
                if connection is None:
                    # mode=rw: never create a database that was removed meanwhile
                    uri = self.path.resolve().as_uri() + "?mode=rw"
                    connection = sqlite3.connect(uri, uri=True, timeout=0, check_same_thread=False)
                _busy, _log_frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                self.runs += 1
                self.frames_copied += max(0, copied)
        except sqlite3.Error as error:  # the database went away: commits checkpoint as before
            _log.warning("background WAL checkpoints stopped: %s", type(error).__name__)
        finally:
            if connection is not None:
                connection.close()
