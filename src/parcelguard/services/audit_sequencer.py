"""The audit log's sequencer inside ``parcelguard serve``: a background thread that integrates committed
audit events into the RFC 9162 tree every few seconds and publishes a signed checkpoint when it is due.

Why in the server: without it the tree grows only when an operator runs ``parcelguard audit integrate``
(from cron, say), or when an auditor or customer asks for a checkpoint or proof; a self-hosted install
that only runs ``serve`` would publish no new checkpoint for witnesses and auditors to keep.

Why a thread, not an asyncio task: every step is blocking database work (SQLAlchemy, sync drivers), which
an event-loop task would hand to a thread anyway; a thread of its own also serves ``serve --workers N``,
where it runs once in the supervising process instead of once in each worker.

Guarantees (docs/audit-log.md, "The sequencer"): several sequencers at once (workers, hosts, ``audit
integrate``) build one tree, as integration moves it only from the head it read and publishers take turns
(services/transparency_log.py); a lease (adapters/db/sequencer_lease.py) lets one of them lead each tick.
A failing tick is logged (the error's class or code, never its message, which may quote SQL parameters)
and retried at the next; it never stops the server. ``stop`` ends the thread within one batch. Each new
checkpoint is then submitted to the configured witnesses (PARCELGUARD_WITNESSES) and their verified
cosignatures stored with it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, MutableMapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import timedelta

from parcelguard.errors import ParcelGuardError
from parcelguard.services import transparency_log as tlog
from parcelguard.services.context import ServiceContext
from parcelguard.services.witness_submission import WitnessEndpoint, submit_latest

EVERY_S = 10.0
"""Default seconds between ticks: a look at a customer's data is in the tree within about this long."""
STOP_TIMEOUT_S = 30.0
"""Longest ``stop`` waits for the current batch (10,000 events: well under a second unless the database
itself hangs); the thread is a daemon, so even a hung one never keeps the process alive."""

Lease = Callable[[], AbstractContextManager[bool]]
_log = logging.getLogger("parcelguard.audit_sequencer")


@dataclass(frozen=True, slots=True)
class SequencerTick:
    """What one tick did: ``led`` False when another sequencer held the lead (nothing done); events
    ``integrated``; the tree's ``size`` afterwards; whether a new checkpoint was ``published``. Counts and
    sizes only, as ticks are logged."""

    led: bool
    integrated: int = 0
    size: int = 0
    published: bool = False
    cosigned: int = 0
    witness_failures: int = 0


def sequence_once(
    ctx: ServiceContext,
    *,
    lease: Lease | None = None,
    checkpoint_every: timedelta = tlog.CHECKPOINT_INTERVAL,
    stopping: Callable[[], bool] = lambda: False,
    witnesses: Sequence[WitnessEndpoint] = (),
    held: MutableMapping[str, int] | None = None,
    catch_up: bool = False,
) -> SequencerTick:
    """One tick: under the lease (None: always lead), integrate every committed event, one batch per
    transaction, then publish a checkpoint when the tree is not empty and has none, or grew and the
    latest is older than ``checkpoint_every``. ``stopping`` is asked between batches, so a stopping
    server waits for one batch at most (the rest goes in at the next start). Errors of the database or
    the keys propagate.

    Then, after the lease is released (a witness is another party's server, maybe slow): a new
    checkpoint goes to every one of ``witnesses`` (services/witness_submission.py; ``held``: the sizes
    they hold, kept between ticks), and with ``catch_up`` (a sequencer's first tick) the latest goes to
    those whose cosignature it lacks. A witness's failure is logged there and never fails the tick."""
    tick = _integrate_and_publish(ctx, lease, checkpoint_every, stopping)
    if not witnesses or not tick.led or not (tick.published or catch_up) or stopping():
        return tick
    submitted = submit_latest(
        ctx, witnesses, held={} if held is None else held, only_missing=not tick.published
    )
    return replace(tick, cosigned=len(submitted.cosigned), witness_failures=len(submitted.failed))


def _integrate_and_publish(
    ctx: ServiceContext,
    lease: Lease | None,
    checkpoint_every: timedelta,
    stopping: Callable[[], bool],
) -> SequencerTick:
    with (lease or _lead)() as led:
        if not led:
            return SequencerTick(led=False)
        integrated = 0
        while not stopping() and _pending(ctx):
            added = tlog.integrate_pending(ctx, max_batches=1)
            integrated += added
            if added < tlog.BATCH:
                break
        if stopping():
            return SequencerTick(led=True, integrated=integrated)
        with ctx.uow() as uow:
            size = uow.transparency.state()[0]
        published = size > 0 and tlog.checkpoint_if_due(ctx, checkpoint_every)[1]
    return SequencerTick(led=True, integrated=integrated, size=size, published=published)


def _pending(ctx: ServiceContext) -> bool:
    """Whether a committed event waits beyond the tree, by a plain indexed read: on PostgreSQL
    integration first locks ``audit_event`` against new inserts (transparency_repository.settled_seq),
    which an idle tick has no reason to do. An event committed just after this read waits for the next
    tick."""
    with ctx.uow() as uow:
        store = uow.transparency
        return bool(store.events_after(store.state()[1], _LAST_SEQ, 1))


_LAST_SEQ = (1 << 63) - 1


def _lead() -> AbstractContextManager[bool]:
    return nullcontext(True)


class AuditSequencer:
    """A daemon thread that runs ``sequence_once`` every ``every`` seconds (the first at once) until
    ``stop``. Start it once; a stopped sequencer is not restarted (make a new one)."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        every: float = EVERY_S,
        lease: Lease | None = None,
        checkpoint_every: timedelta = tlog.CHECKPOINT_INTERVAL,
        witnesses: Sequence[WitnessEndpoint] = (),
    ) -> None:
        if every <= 0:
            raise ValueError("the sequencer's interval is a positive number of seconds")
        self._ctx = ctx
        self._every = every
        self._lease = lease
        self._checkpoint_every = checkpoint_every
        self._witnesses = tuple(witnesses)
        self._held: dict[str, int] = {}  # witness name -> the size it holds, as last answered
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="parcelguard-audit-sequencer", daemon=True)
        self.ticks = 0
        self.failures = 0  # consecutive failed ticks (0 after a good one)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()
        _log.info("audit log sequencer started (every %.1f s)", self._every)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """Ask the thread to end after its current batch and wait up to ``timeout`` seconds; whether it
        ended (always True for one never started)."""
        self._stop.set()
        if not self._thread.is_alive():
            return True
        self._thread.join(timeout)
        if self._thread.is_alive():
            _log.warning("audit log sequencer still busy %.0f s after stop; leaving it to exit", timeout)
            return False
        _log.info("audit log sequencer stopped")
        return True

    def tick(self) -> SequencerTick | None:
        """Run one tick now; its report, or None when it failed (logged, counted in ``failures``)."""
        try:
            done = sequence_once(
                self._ctx,
                lease=self._lease,
                checkpoint_every=self._checkpoint_every,
                stopping=self._stop.is_set,
                witnesses=self._witnesses,
                held=self._held,
                catch_up=self.ticks == 0,
            )
        except Exception as error:
            self.failures += 1
            _log.warning(
                "audit log sequencer tick failed (%s; %d in a row); retrying in %.1f s",
                describe_error(error),
                self.failures,
                self._every,
            )
            return None
        finally:
            self.ticks += 1
        if self.failures:
            _log.info("audit log sequencer works again after %d failed tick(s)", self.failures)
            self.failures = 0
        if done.integrated or done.published or done.cosigned:
            _log.debug(
                "audit log: integrated %d, tree size %d, checkpoint published: %s, cosigned by %d",
                done.integrated,
                done.size,
                done.published,
                done.cosigned,
            )
        return done

    def _run(self) -> None:
        while not self._stop.is_set():
            self.tick()
            if self._stop.wait(self._every):
                break


def describe_error(error: BaseException) -> str:
    """The error's kind without its message: ParcelGuard's error code, or the class names (with the
    database's SQLSTATE or SQLite error name when the driver gives one). Messages of database errors
    quote the statement's parameters (tracking numbers, actors), which stay out of logs."""
    if isinstance(error, ParcelGuardError):
        return f"{type(error).__name__} {error.code.value}"
    kinds = [type(error).__name__]
    original = getattr(error, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
    if isinstance(original, BaseException):
        kinds.append(type(original).__name__)
        for attribute in ("sqlstate", "sqlite_errorname"):
            value = getattr(original, attribute, None)
            if isinstance(value, str) and value.isascii() and len(value) <= 40:
                kinds.append(value)
    return " ".join(kinds)
