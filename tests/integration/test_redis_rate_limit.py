"""The Redis limiters against a real Redis server: several workers share one set of buckets.

Runs against PARCELGUARD_TEST_REDIS_URL (scripts/test sets it and starts Redis; then an unreachable server
fails the tests), else against redis://127.0.0.1:6379/15 when one answers there, else skips.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Iterator

import pytest
import redis

from parcelguard.adapters.rate_limit import make_tracking_limits
from parcelguard.adapters.redis_rate_limit import RedisAttemptLimiter, RedisRateLimiter, redis_client
from parcelguard.errors import ConfigurationError, ErrorCode, RateLimitedError

CONFIGURED = os.environ.get("PARCELGUARD_TEST_REDIS_URL")
REDIS_URL = CONFIGURED or "redis://127.0.0.1:6379/15"


@pytest.fixture
def server() -> Iterator[redis.Redis]:
    client = redis_client(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        if CONFIGURED:
            raise
        pytest.skip("no Redis server at 127.0.0.1:6379 and PARCELGUARD_TEST_REDIS_URL is not set")
    yield client
    client.close()


@pytest.fixture
def name() -> str:
    """A key namespace of this test's own, so tests never see each other's buckets."""
    return f"test-{secrets.token_hex(6)}"


def test_two_limiter_instances_share_one_bucket(server: redis.Redis, name: str) -> None:
    worker_a = RedisRateLimiter(redis_client(REDIS_URL), per_minute=60, burst=4, name=name)
    worker_b = RedisRateLimiter(redis_client(REDIS_URL), per_minute=60, burst=4, name=name)
    for worker in (worker_a, worker_b, worker_a, worker_b):
        worker.check("198.51.100.7")
    with pytest.raises(RateLimitedError) as caught:
        worker_b.check("198.51.100.7")
    assert 0 < caught.value.retry_after_s <= 1.0
    with pytest.raises(RateLimitedError):
        worker_a.check("198.51.100.7")
    worker_a.check("198.51.100.8")


def test_the_bucket_refills_with_time(server: redis.Redis, name: str) -> None:
    limiter = RedisRateLimiter(server, per_minute=600, burst=1, name=name)  # one token every 0.1 s
    limiter.check("c")
    with pytest.raises(RateLimitedError):
        limiter.check("c")
    time.sleep(0.15)
    limiter.check("c")


def test_parallel_workers_never_take_more_than_the_burst(server: redis.Redis, name: str) -> None:
    workers = [RedisRateLimiter(redis_client(REDIS_URL), per_minute=1, burst=25, name=name) for _ in range(4)]
    granted: list[int] = []

    def hammer(limiter: RedisRateLimiter) -> None:
        for _ in range(20):
            try:
                limiter.check("one-client")
                granted.append(1)
            except RateLimitedError:
                pass

    threads = [threading.Thread(target=hammer, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 25


def test_the_failure_cap_is_shared_and_refunds_work(server: redis.Redis, name: str) -> None:
    worker_a = RedisAttemptLimiter(redis_client(REDIS_URL), max_failures=3, lockout_s=60, name=name)
    worker_b = RedisAttemptLimiter(redis_client(REDIS_URL), max_failures=3, lockout_s=60, name=name)
    worker_a.take("PG1")
    worker_a.refund("PG1")  # a right guess
    worker_a.take("PG1")
    worker_b.take("PG1")
    worker_a.take("PG1")
    with pytest.raises(RateLimitedError) as caught:
        worker_b.take("PG1")
    assert 59 < caught.value.retry_after_s <= 60
    worker_b.take("PG2")


def test_keys_expire_on_their_own(server: redis.Redis, name: str) -> None:
    RedisAttemptLimiter(server, max_failures=3, lockout_s=60, name=name).take("PG1")
    RedisRateLimiter(server, per_minute=60, burst=5, name=name).check("c")
    keys = list(server.scan_iter(f"parcelguard:limit:{name}:*"))
    assert len(keys) == 2 and all(0 < server.pttl(k) <= 60_000 for k in keys)


def test_the_settings_pick_redis_when_a_url_is_given(server: redis.Redis) -> None:
    limits = make_tracking_limits(per_minute=60, burst=5, max_failures=5, lockout_s=60, redis_url=REDIS_URL)
    assert isinstance(limits.per_client, RedisRateLimiter)
    # wrong digits are counted in the database whatever the settings (services/tracking.py)
    assert (limits.max_failures, limits.lockout.total_seconds()) == (5, 60)


def test_an_unreachable_redis_fails_closed_with_a_code() -> None:
    limiter = RedisRateLimiter(redis_client("redis://127.0.0.1:1/0"), per_minute=60, burst=5, name="x")
    with pytest.raises(ConfigurationError) as caught:
        limiter.check("c")
    assert caught.value.code == ErrorCode.RATE_LIMITER_UNAVAILABLE
    assert "127.0.0.1" not in caught.value.message


def test_a_url_that_is_not_redis_is_an_invalid_configuration_never_quoted() -> None:
    """A mistyped URL is a configuration error (not a security refusal), and its password is never echoed."""
    from parcelguard.adapters.redis_rate_limit import redis_client
    from parcelguard.errors import ConfigurationError, ErrorCode

    with pytest.raises(ConfigurationError) as refused:
        redis_client("http://user:s3cret-pw@cache.example:6379/0")
    assert refused.value.code is ErrorCode.INVALID_CONFIGURATION
    assert "s3cret" not in str(refused.value)
