"""Rate limits kept in process memory, and the factory that picks them or their Redis twins.

Two kinds of limit, behind the ports of ``services/ports.py``:

- a token bucket per client (``RateLimiter``): ``burst`` queries at once, refilled at ``per_minute``; it
  limits every public tracking lookup (快递市场管理办法 Art. 25, lookups protected against unauthorised
  queries) and the customers' access pages;
- a cap on failed attempts per subject (``AttemptLimiter``): after ``max_failures`` failures the subject is
  refused for ``lockout_s`` seconds, whoever asks (the access pages' one-time codes per parcel). An attempt
  is counted *before* it is checked and refunded when it succeeds, so parallel attempts cannot slip past the
  cap between the check and the count.

Wrong tracking digits are not counted here but in the database (``services/tracking.py``), which every
worker and the CLI share without Redis. The in-process versions are enough for one server process; several
workers share the Redis versions (:mod:`parcelguard.adapters.redis_rate_limit`). Tables are bounded so a
flood of spoofed clients or subjects cannot exhaust memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta

from parcelguard.errors import ErrorCode, RateLimitedError
from parcelguard.services.ports import RateLimiter
from parcelguard.services.tracking import TrackingLimits


class InMemoryRateLimiter:
    """A token bucket per client; ``check`` takes one token or raises RateLimitedError."""

    def __init__(
        self,
        *,
        per_minute: int,
        burst: int,
        max_clients: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Take one token for ``client`` or raise RateLimitedError saying when to retry."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(client, (self._burst, now))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                raise too_many_queries((1.0 - tokens) / self._rate)
            self._buckets[client] = (tokens - 1.0, now)
            while len(self._buckets) > self._max_clients:
                self._buckets.popitem(last=False)


class InMemoryAttemptLimiter:
    """At most ``max_failures`` failed attempts per subject; then the subject is locked for ``lockout_s``.

    Failures are counted in a window that opens with the first one and lasts ``lockout_s``; reaching the
    cap (re)starts the window, so the lock lasts ``lockout_s`` from the last counted failure.
    """

    def __init__(
        self,
        *,
        max_failures: int,
        lockout_s: float,
        max_subjects: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_failures
        self._lockout = float(lockout_s)
        self._max_subjects = max_subjects
        self._clock = clock
        self._counts: OrderedDict[str, tuple[int, float]] = OrderedDict()  # subject -> (count, expires)
        self._lock = threading.Lock()

    def take(self, subject: str) -> None:
        """Count one attempt on ``subject`` as failed until :meth:`refund`; raise when the cap is reached."""
        now = self._clock()
        with self._lock:
            count, expires = self._counts.pop(subject, (0, now + self._lockout))
            if expires <= now:
                count, expires = 0, now + self._lockout
            if count >= self._max:
                self._counts[subject] = (count, expires)
                raise subject_locked(expires - now)
            count += 1
            if count >= self._max:
                expires = now + self._lockout
            self._counts[subject] = (count, expires)
            while len(self._counts) > self._max_subjects:
                self._counts.popitem(last=False)

    def refund(self, subject: str) -> None:
        """The attempt taken on ``subject`` succeeded: it no longer counts."""
        with self._lock:
            entry = self._counts.get(subject)
            if entry is not None and entry[0] > 0:
                self._counts[subject] = (entry[0] - 1, entry[1])


def too_many_queries(retry_after_s: float) -> RateLimitedError:
    return RateLimitedError(
        "too many queries from this client", retry_after_s=retry_after_s, code=ErrorCode.RATE_LIMITED
    )


def subject_locked(retry_after_s: float) -> RateLimitedError:
    return RateLimitedError(
        "too many failed attempts: try again later",
        retry_after_s=retry_after_s,
        code=ErrorCode.RATE_LIMITED,
    )


def make_tracking_limits(
    *,
    per_minute: int,
    burst: int,
    max_failures: int,
    lockout_s: int,
    redis_url: str | None = None,
) -> TrackingLimits:
    """The tracking limits: the per-client query rate in process memory by default, in Redis (shared by
    every worker) given a URL; the caps on wrong digits (``max_failures`` per number in ``lockout_s``)
    as numbers for the database count."""
    per_client: RateLimiter
    if redis_url:
        from parcelguard.adapters.redis_rate_limit import RedisRateLimiter, redis_client

        per_client = RedisRateLimiter(
            redis_client(redis_url), per_minute=per_minute, burst=burst, name="track"
        )
    else:
        per_client = InMemoryRateLimiter(per_minute=per_minute, burst=burst)
    return TrackingLimits(
        per_client=per_client, max_failures=max_failures, lockout=timedelta(seconds=lockout_s)
    )
