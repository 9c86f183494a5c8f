"""Rate limits kept in Redis, so every server worker counts against the same buckets: the per-client rate
of public tracking lookups and of the access pages, and the access pages' cap on one-time codes per parcel
(wrong tracking digits are counted in the database instead, ``services/tracking.py``).

Each check is one Lua script, run atomically by the server with the server's clock (``TIME``), so workers
with skewed clocks still agree and two workers cannot both take the last token. Keys expire on their own
once a bucket would be full again or a lock has passed. When Redis cannot be reached the limiter fails
closed: the limited paths answer ``rate_limiter_unavailable`` rather than letting every query through.
"""

from __future__ import annotations

from typing import Any

import redis
from redis.commands.core import Script

from parcelguard.adapters.rate_limit import subject_locked, too_many_queries
from parcelguard.errors import ConfigurationError, ErrorCode

KEY_PREFIX = "parcelguard:limit:"

# KEYS[1] bucket; ARGV rate (tokens/s), burst. Returns {allowed (0/1), seconds to wait (string)}.
_BUCKET_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, tostring(wait)}
"""

# KEYS[1] failure counter; ARGV max failures, lockout (ms). Returns -1 when taken, else ms left locked.
_TAKE_SCRIPT = """
local limit = tonumber(ARGV[1])
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= limit then
  local left = redis.call('PTTL', KEYS[1])
  if left < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    left = tonumber(ARGV[2])
  end
  return left
end
count = redis.call('INCR', KEYS[1])
if count == 1 or count >= limit then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return -1
"""

# KEYS[1] failure counter. DECR keeps the key's expiry.
_REFUND_SCRIPT = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then
  redis.call('DECR', KEYS[1])
end
return 0
"""


def redis_client(url: str) -> redis.Redis:
    """A client for ``url`` (``redis://[:password@]host:6379/0``, ``rediss://`` for TLS), short timeouts."""
    try:
        return redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
    except ValueError:
        raise ConfigurationError(
            "PARCELGUARD_REDIS_URL is not a redis:// or rediss:// URL", code=ErrorCode.INVALID_CONFIGURATION
        ) from None


def _unavailable() -> ConfigurationError:
    return ConfigurationError(
        "the rate limiter's Redis server cannot be reached", code=ErrorCode.RATE_LIMITER_UNAVAILABLE
    )


def _run(script: Script, keys: list[str], args: list[Any]) -> Any:
    try:
        return script(keys=keys, args=args)
    except redis.RedisError:
        # The error's text may hold the server address; the operator finds it in the settings instead.
        raise _unavailable() from None


class RedisRateLimiter:
    """A token bucket per client in Redis: the same behaviour as InMemoryRateLimiter, shared."""

    def __init__(self, client: redis.Redis, *, per_minute: int, burst: int, name: str) -> None:
        self._rate = per_minute / 60.0
        self._burst = burst
        self._prefix = f"{KEY_PREFIX}{name}:"
        self._script = client.register_script(_BUCKET_SCRIPT)

    def check(self, client: str) -> None:
        """Take one token for ``client`` or raise RateLimitedError saying when to retry."""
        allowed, wait = _run(self._script, [self._prefix + client], [repr(self._rate), self._burst])
        if int(allowed) != 1:
            raise too_many_queries(float(wait))


class RedisAttemptLimiter:
    """At most ``max_failures`` failed attempts per subject, shared: InMemoryAttemptLimiter in Redis."""

    def __init__(self, client: redis.Redis, *, max_failures: int, lockout_s: int, name: str) -> None:
        self._max = max_failures
        self._lockout_ms = lockout_s * 1000
        self._prefix = f"{KEY_PREFIX}{name}:"
        self._take = client.register_script(_TAKE_SCRIPT)
        self._refund = client.register_script(_REFUND_SCRIPT)

    def take(self, subject: str) -> None:
        """Count one attempt on ``subject`` as failed until :meth:`refund`; raise when the cap is reached."""
        left_ms = int(_run(self._take, [self._prefix + subject], [self._max, self._lockout_ms]))
        if left_ms >= 0:
            raise subject_locked(left_ms / 1000.0)

    def refund(self, subject: str) -> None:
        """The attempt taken on ``subject`` succeeded: it no longer counts."""
        _run(self._refund, [self._prefix + subject], [])
