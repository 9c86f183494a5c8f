"""Which of several audit log sequencers leads a tick: a PostgreSQL advisory lock, or SQLite's one writer.

Why a lease on top of the tree's own guard: integration already moves the tree only from the head it read
(``SqlTransparencyStore.claim``, the state row's lock), so two sequencers at once never integrate an event
twice; but on PostgreSQL every integration first takes ``LOCK TABLE audit_event IN SHARE MODE`` (see
transparency_repository.py), which holds back every audit insert while it waits. With one sequencer per
server process and several hosts, N of them would take it every tick. Under the lease only the one that
wins ``pg_try_advisory_xact_lock`` works; the others skip the tick at the price of one query, and take over
at the next tick when the leader's process or host is gone (the lock ends with its transaction or session).

The lock is keyed by the schema as well (``hashtext(current_schema())``): two installations in one database
(one schema each) sequence their own logs independently. SQLite has no advisory locks and needs none: it
has one writer at a time, so ``claim`` already serialises sequencers, and the lease always leads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import Engine, text

LOCK_CLASS = 0x50474C47  # "PGLG": the advisory lock's first key; the second is the schema's hash
_TRY_LEAD = text("SELECT pg_try_advisory_xact_lock(:cls, hashtext(current_schema()))")


def sequencer_lease(engine: Engine) -> Callable[[], AbstractContextManager[bool]]:
    """A lease factory for ``AuditSequencer``: each call gives a context that yields whether this process
    leads the tick, and holds the lead (one idle transaction on its own connection) until it exits."""
    if engine.dialect.name != "postgresql":
        return _always_lead

    @contextmanager
    def lease() -> Iterator[bool]:
        with engine.connect() as connection, connection.begin():
            yield bool(connection.execute(_TRY_LEAD, {"cls": LOCK_CLASS}).scalar())

    return lease


@contextmanager
def _always_lead() -> Iterator[bool]:
    yield True
