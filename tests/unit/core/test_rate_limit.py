"""The limits behind public tracking: a token bucket per client, a failure cap per tracking number."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.adapters.rate_limit import InMemoryAttemptLimiter, InMemoryRateLimiter
from parcelguard.config import Settings
from parcelguard.errors import RateLimitedError
from parcelguard.web.client_address import resolve_client


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


def test_a_subject_locks_after_its_failures_and_unlocks_after_the_lockout() -> None:
    clock = FakeClock()
    attempts = InMemoryAttemptLimiter(max_failures=3, lockout_s=600, clock=clock)
    for _ in range(3):
        attempts.take("PG1")
    clock.now += 100
    with pytest.raises(RateLimitedError) as caught:
        attempts.take("PG1")
    assert caught.value.retry_after_s == pytest.approx(500)
    attempts.take("PG2")  # other numbers are not affected
    clock.now += 500
    attempts.take("PG1")


def test_refunded_attempts_do_not_count() -> None:
    attempts = InMemoryAttemptLimiter(max_failures=2, lockout_s=600, clock=FakeClock())
    for _ in range(10):
        attempts.take("PG1")
        attempts.refund("PG1")
    attempts.take("PG1")
    attempts.take("PG1")
    with pytest.raises(RateLimitedError):
        attempts.take("PG1")


def test_failures_spread_over_more_than_the_window_start_again() -> None:
    clock = FakeClock()
    attempts = InMemoryAttemptLimiter(max_failures=2, lockout_s=60, clock=clock)
    attempts.take("PG1")
    clock.now += 61
    attempts.take("PG1")
    clock.now += 1
    attempts.take("PG1")
    with pytest.raises(RateLimitedError):
        attempts.take("PG1")


def test_the_subject_table_stays_bounded() -> None:
    attempts = InMemoryAttemptLimiter(max_failures=1, lockout_s=60, max_subjects=50, clock=FakeClock())
    for n in range(500):
        attempts.take(f"PG{n}")
    assert len(attempts._counts) == 50


PROXIES = Settings(trusted_proxies="10.0.0.0/8, 192.168.1.1").trusted_proxy_networks


def test_forwarded_headers_are_ignored_unless_the_peer_is_a_trusted_proxy() -> None:
    assert resolve_client("198.51.100.7", ["203.0.113.1"], ()) == "198.51.100.7"
    assert resolve_client("198.51.100.7", ["203.0.113.1"], PROXIES) == "198.51.100.7"


def test_behind_trusted_proxies_the_right_most_untrusted_address_counts() -> None:
    chain = ["6.6.6.6, 203.0.113.1", "10.0.0.2, 192.168.1.1"]
    assert resolve_client("10.0.0.1", chain, PROXIES) == "203.0.113.1"
    assert resolve_client("10.0.0.1", ["10.0.0.3, 10.0.0.2"], PROXIES) == "10.0.0.3"
    assert resolve_client("10.0.0.1", [], PROXIES) == "10.0.0.1"
    assert resolve_client("10.0.0.1", ["not-an-address, 10.0.0.2"], PROXIES) == "10.0.0.2"


def test_ipv6_clients_count_by_their_64_block() -> None:
    one = resolve_client("2001:db8:1:2:aaaa::1", [], ())
    other = resolve_client("2001:db8:1:2:bbbb::9", [], ())
    assert one == other == "2001:db8:1:2::/64"
    assert resolve_client("::ffff:198.51.100.7", [], ()) == "198.51.100.7"


def test_trusted_proxies_must_be_networks() -> None:
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings(trusted_proxies="10.0.0.0/8, proxy.internal")


@given(
    spoofed=st.lists(st.ip_addresses(), max_size=5),
    client=st.ip_addresses(v=4).filter(lambda a: not a.is_private),
    proxies=st.integers(min_value=0, max_value=3),
)
def test_whatever_a_client_writes_it_is_counted_by_its_own_address(
    spoofed: list[ipaddress.IPv4Address | ipaddress.IPv6Address], client: ipaddress.IPv4Address, proxies: int
) -> None:
    hops = [str(a) for a in spoofed] + [str(client)] + [f"10.0.0.{n}" for n in range(proxies)]
    peer = "10.0.0.254"
    assert resolve_client(peer, [", ".join(hops)], PROXIES) == str(client)
    assert resolve_client(str(client), [", ".join(hops)], PROXIES) == str(client)
