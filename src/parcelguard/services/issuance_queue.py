"""Group commit for single orders: concurrent ``POST /v1/waybills`` requests issued together.

Most shops send one order per request. Issued one by one, each pays for its own transaction, commit,
tracking-number check, detector model call and credential lookup: about 1 ms of CPU, against 0.2 ms per
waybill in a batch (issue 9). Here, the orders that arrive while an issuing call is busy wait on the event
loop; when it returns, the next caller takes every order waiting (up to ``max_batch``) and issues them
through one ``issue_orders`` call per (actor, organisation): one transaction, one commit, one model call over
their texts, one tracking-number check.

What each caller sees does not change: its own waybill, or its own error with its own code. A refused order
(invalid field, label gate) fails alone while the others are issued. Credentials are checked in the issuing
thread right before the order is issued, as before: an API key once per batch for all of its requests
(never reused across batches), anything else once per request. Should the batch be refused whole before its
commit (a ParcelGuardError, such as a key file gone meanwhile), each of its orders is issued again on its own
through ``issue_waybill``, so that each gets the answer it would have had alone; a database error, which may
have struck the commit with an unknown outcome, is every caller's answer instead (never issued twice).
Idempotency-keyed requests do not come here: they keep ``issue_waybill``'s own path. The audit trail is the
one the same orders issued one by one would leave: one ``waybill:issued`` event per waybill and nothing else;
a batch whose every order is refused commits nothing.

The queue belongs to one asyncio event loop (the web layer keeps one per loop; callers wait on plain asyncio
futures, cheaper than anyio's events on every request); the issuing itself runs in worker threads, at most
``concurrency`` at once (the web layer asks for 1: the fewer calls in flight, the larger each batch).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread
from anyio import CapacityLimiter

from parcelguard.domain.access import Principal
from parcelguard.errors import ParcelGuardError
from parcelguard.services.context import ServiceContext
from parcelguard.services.issuance import IssuedWaybill, issue_orders, issue_waybill

MAX_COALESCED = 100
"""Orders issued together at most: beyond this the rest wait for the next call, so one transaction stays
short (at 20 clients a batch holds at most 20 anyway)."""


@dataclass(eq=False, slots=True)
class _Pending:
    order: Any
    authenticate: Callable[[], Principal]
    credential: Hashable | None
    done: asyncio.Future[None] | None = None  # set when it waits: answered, or chosen to lead
    lead: bool = False  # this caller issues a batch: its own order and those waiting (never in the queue)
    finished: bool = False
    result: IssuedWaybill | None = None
    error: BaseException | None = None

    def wake(self) -> None:
        if self.done is not None and not self.done.done():  # a cancelled caller's future is done already
            self.done.set_result(None)


class IssuanceQueue:
    """Coalesces concurrent single orders of one event loop into batched issuance (see the module).

    ``concurrency``: issuing calls in flight at once (each in its own worker thread). ``max_batch``: orders
    per call at most (1 to 1,000).
    """

    def __init__(self, ctx: ServiceContext, *, concurrency: int = 1, max_batch: int = MAX_COALESCED) -> None:
        if concurrency < 1 or not 1 <= max_batch <= 1000:
            raise ValueError("concurrency must be at least 1 and max_batch 1 to 1000")
        self._ctx = ctx
        self._concurrency = concurrency
        self._max_batch = max_batch
        self._pending: deque[_Pending] = deque()
        self._leaders = 0
        self._limiter = CapacityLimiter(concurrency)

    async def issue(
        self, order: Any, *, authenticate: Callable[[], Principal], credential: Hashable | None = None
    ) -> IssuedWaybill:
        """Issue ``order`` for the principal ``authenticate`` returns, together with the orders waiting.

        ``authenticate`` is blocking (it runs in the issuing thread) and raises the request's
        authentication or permission error. ``credential``: requests with equal credentials, issued in one
        batch, share one ``authenticate`` call (None: never shared). Raises the order's own error exactly as
        ``issue_waybill`` would (ValidationError, LabelComplianceError, ...).
        """
        item = _Pending(order, authenticate, credential)
        if self._leaders < self._concurrency:
            self._leaders += 1
            item.lead = True
        else:
            self._pending.append(item)
            try:
                item.done = asyncio.get_running_loop().create_future()
                await item.done
            except BaseException:
                self._abandon(item)
                raise
        if item.lead:
            # Shielded: the batch this caller issues answers other callers too, and the lead passes on.
            with anyio.CancelScope(shield=True):
                await self._lead(item)
        if item.error is not None:
            raise item.error
        assert item.result is not None  # noqa: S101 - every finished item holds a result or an error
        return item.result

    def _abandon(self, item: _Pending) -> None:
        """A waiting caller went away (cancelled): forget its order if not taken yet, pass on its lead."""
        if item.lead:
            self._hand_over()
        elif not item.finished and item in self._pending:
            self._pending.remove(item)
        # else: its order is in a batch being issued; the answer is dropped, as for a client gone away

    async def _lead(self, item: _Pending) -> None:
        """Issue ``item`` with the orders waiting before it (a leader's item is never in the queue)."""
        taken = min(self._max_batch - 1, len(self._pending))
        batch = [item, *(self._pending.popleft() for _ in range(taken))]
        try:
            await anyio.to_thread.run_sync(self._issue, batch, limiter=self._limiter)
        except BaseException as error:  # _issue answers each item itself: here only if it failed whole
            for done in batch:
                if done.result is None and done.error is None:
                    done.error = error
            raise
        finally:
            for done in batch:
                done.finished = True
                done.wake()
            self._hand_over()

    def _hand_over(self) -> None:
        """The first waiting caller leads the next batch (its own order first), or one leader fewer."""
        if self._pending:
            nxt = self._pending.popleft()
            nxt.lead = True
            nxt.wake()
        else:
            self._leaders -= 1

    def _issue(self, batch: Sequence[_Pending]) -> None:
        """In a worker thread: check each caller's credentials, then issue per (actor, organisation)."""
        principals: dict[Hashable, Principal] = {}
        groups: dict[tuple[str, int], list[_Pending]] = {}
        for item in batch:
            try:
                principal = principals.get(item.credential) if item.credential is not None else None
                if principal is None:
                    principal = item.authenticate()
                    if item.credential is not None:
                        principals[item.credential] = principal
            except Exception as error:  # the caller's own error, raised in its own task
                item.error = error
                continue
            groups.setdefault((principal.actor, principal.organisation_id), []).append(item)
        for (actor, organisation_id), items in groups.items():
            _issue_together(self._ctx, items, actor=actor, organisation_id=organisation_id)


def _issue_together(
    ctx: ServiceContext, items: Sequence[_Pending], *, actor: str, organisation_id: int
) -> None:
    """Issue ``items``' orders in one transaction, each item receiving its own result or error; one alone,
    or all of them one by one when the batch's transaction fails, through ``issue_waybill``."""
    if len(items) > 1:
        try:
            answers = issue_orders(
                ctx, [item.order for item in items], actor=actor, organisation_id=organisation_id
            )
        except ParcelGuardError:
            pass
        except Exception as failed:
            # A database or driver error may have struck the commit itself, whose outcome is then unknown
            # (a lost connection): issuing the orders again could issue them twice. Each caller gets the
            # error, as one order issued alone would have (a 500), and may retry with an idempotency key.
            for item in items:
                item.error = failed
            return
        else:
            for item, answer in zip(items, answers, strict=True):
                if isinstance(answer, IssuedWaybill):
                    item.result = answer
                else:
                    item.error = answer
            return
    for item in items:
        try:
            item.result = issue_waybill(ctx, item.order, actor=actor, organisation_id=organisation_id)
        except Exception as error:  # the caller's own error, raised in its own task
            item.error = error
