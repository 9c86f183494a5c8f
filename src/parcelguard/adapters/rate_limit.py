"""A per-client token bucket kept in process memory.

Enough for one server process; a deployment with several workers swaps in a shared store (Redis) behind the
same RateLimiter port. The table of clients is bounded so a flood of spoofed clients cannot exhaust memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from parcelguard.errors import ErrorCode, RateLimitedError


class InMemoryRateLimiter:
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
                raise RateLimitedError(
                    "too many tracking queries from this client",
                    retry_after_s=(1.0 - tokens) / self._rate,
                    code=ErrorCode.RATE_LIMITED,
                )
            self._buckets[client] = (tokens - 1.0, now)
            while len(self._buckets) > self._max_clients:
                self._buckets.popitem(last=False)
