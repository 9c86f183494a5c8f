"""The per-client token bucket behind public tracking."""

from __future__ import annotations

import pytest

from parcelguard.adapters.rate_limit import InMemoryRateLimiter
from parcelguard.errors import RateLimitedError


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_its_burst_then_waits_for_the_refill() -> None:
    clock = FakeClock()
    limiter = InMemoryRateLimiter(per_minute=60, burst=3, clock=clock)
    for _ in range(3):
        limiter.check("a")
    with pytest.raises(RateLimitedError) as caught:
        limiter.check("a")
    assert 0 < caught.value.retry_after_s <= 1.0
    clock.now += 1.0
    limiter.check("a")


def test_clients_are_counted_separately() -> None:
    limiter = InMemoryRateLimiter(per_minute=1, burst=1, clock=FakeClock())
    limiter.check("a")
    limiter.check("b")
    with pytest.raises(RateLimitedError):
        limiter.check("a")


def test_the_client_table_stays_bounded() -> None:
    limiter = InMemoryRateLimiter(per_minute=1, burst=1, max_clients=100, clock=FakeClock())
    for n in range(1000):
        limiter.check(f"client-{n}")
    assert len(limiter._buckets) == 100
