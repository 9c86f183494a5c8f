"""Wrong tracking digits are counted in the database (login_throttle, the attempt limiter sign-in and pickup
use), per tracking number and per client, on SQLite and PostgreSQL: every process shares the count, and
guesses sent at once each use one up."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from parcelguard.adapters.db import models as m
from parcelguard.adapters.rate_limit import make_tracking_limits
from parcelguard.bootstrap import Runtime
from parcelguard.domain.pii import Mobile
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.errors import ErrorCode, PermissionDeniedError, RateLimitedError
from parcelguard.services import tracking
from parcelguard.services.auth import forget_stale_counts
from parcelguard.services.context import ServiceContext
from parcelguard.services.issuance import issue_waybill
from parcelguard.services.tracking import TrackingLimits, track_parcel

CAP = 5
LOCKOUT_S = 3600


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def limits(client_max_failures: int = 1000) -> TrackingLimits:
    """Generous query rates (only the digit caps are under test), the default caps per number."""
    generous = make_tracking_limits(per_minute=100_000, burst=10_000, max_failures=CAP, lockout_s=LOCKOUT_S)
    return dataclasses.replace(generous, client_max_failures=client_max_failures)


def issued(ctx: ServiceContext, seed: int = 21) -> tuple[str, str]:
    order = SyntheticPeople(seed).order()
    number = issue_waybill(ctx, order, actor="test").tracking_number
    return number, Mobile.parse(order["recipient"]["mobile"]).last4


def wrong(last4: str, n: int = 1) -> str:
    return f"{(int(last4) + n) % 10000:04d}"


def answer(ctx: ServiceContext, guard: TrackingLimits, number: str, digits: str, client: str) -> str:
    try:
        track_parcel(ctx, guard, number, client=client, mobile_last4=digits)
    except (PermissionDeniedError, RateLimitedError) as refused:
        return refused.code.value
    return "verified"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(runtime: Runtime, clock: Clock) -> ServiceContext:
    return dataclasses.replace(runtime.ctx, clock=clock)


def test_guesses_sent_at_once_from_many_clients_get_exactly_the_cap_compared(ctx: ServiceContext) -> None:
    number, last4 = issued(ctx)
    guard = limits()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(
                lambda n: answer(ctx, guard, number, wrong(last4, n), f"192.0.2.{n}"), range(1, 3 * CAP + 1)
            )
        )
    assert sorted(answers) == sorted(["tracking_verification_failed"] * CAP + ["rate_limited"] * (2 * CAP))
    assert answer(ctx, guard, number, last4, "198.51.100.1") == "rate_limited"  # the right digits too


def test_guesses_sent_at_once_from_one_client_on_many_numbers_stop_at_the_clients_cap(
    ctx: ServiceContext,
) -> None:
    numbers = [issued(ctx, seed) for seed in (31, 32, 33)]
    guard = limits(client_max_failures=7)
    guesses = [(number, wrong(last4, n)) for number, last4 in numbers for n in range(1, 5)]  # 4 per number
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda g: answer(ctx, guard, g[0], g[1], "203.0.113.9"), guesses))
    assert sorted(answers) == sorted(["tracking_verification_failed"] * 7 + ["rate_limited"] * 5)
    number, last4 = numbers[0]
    assert answer(ctx, guard, number, last4, "203.0.113.9") == "rate_limited"
    assert answer(ctx, guard, number, last4, "203.0.113.10") == "verified"  # another client


def test_the_lock_answers_retry_after_until_it_ends_then_the_right_digits_verify(
    ctx: ServiceContext, clock: Clock
) -> None:
    number, last4 = issued(ctx)
    guard = limits()
    for n in range(1, CAP + 1):
        assert answer(ctx, guard, number, wrong(last4, n), f"192.0.2.{n}") == "tracking_verification_failed"
    clock.advance(600)
    with pytest.raises(RateLimitedError) as locked:
        track_parcel(ctx, guard, number, client="198.51.100.1", mobile_last4=last4)
    assert locked.value.code is ErrorCode.RATE_LIMITED
    assert locked.value.retry_after_s == LOCKOUT_S - 600
    assert track_parcel(ctx, guard, number, client="198.51.100.1").status == "created"  # history stays public
    clock.advance(LOCKOUT_S - 600)
    assert answer(ctx, guard, number, last4, "198.51.100.1") == "verified"


def test_a_window_that_restarts_during_the_lock_gives_no_extra_guess(
    ctx: ServiceContext, clock: Clock
) -> None:
    """Four wrong at the window's start, the fifth near its end: the lock runs an hour from the fifth, and
    guesses after the window has restarted are still refused unseen (nothing counted while locked)."""
    number, last4 = issued(ctx)
    guard = limits()
    for n in range(1, CAP):
        assert answer(ctx, guard, number, wrong(last4, n), "192.0.2.1") == "tracking_verification_failed"
    clock.advance(LOCKOUT_S - 1)
    assert answer(ctx, guard, number, wrong(last4, CAP), "192.0.2.1") == "tracking_verification_failed"
    clock.advance(2)
    assert [answer(ctx, guard, number, wrong(last4, n), "192.0.2.1") for n in range(10, 10 + 2 * CAP)] == [
        "rate_limited"
    ] * (2 * CAP)
    clock.advance(LOCKOUT_S)
    answers = [answer(ctx, guard, number, wrong(last4, n), "192.0.2.1") for n in range(30, 30 + CAP + 1)]
    assert answers == ["tracking_verification_failed"] * CAP + ["rate_limited"]


def test_right_digits_take_back_their_own_attempt_only(ctx: ServiceContext) -> None:
    number, last4 = issued(ctx)
    guard = limits()
    for n in range(1, CAP):
        assert answer(ctx, guard, number, wrong(last4, n), "192.0.2.1") == "tracking_verification_failed"
    for _ in range(3):
        assert answer(ctx, guard, number, last4, "192.0.2.2") == "verified"
    assert answer(ctx, guard, number, wrong(last4, CAP), "192.0.2.1") == "tracking_verification_failed"
    assert answer(ctx, guard, number, last4, "192.0.2.2") == "rate_limited"


def test_malformed_digits_and_unknown_numbers_are_not_counted(ctx: ServiceContext, runtime: Runtime) -> None:
    number, last4 = issued(ctx)
    guard = limits()
    for _ in range(CAP + 2):
        with pytest.raises(Exception) as caught:
            track_parcel(ctx, guard, number, client="192.0.2.1", mobile_last4="12a4")
        assert getattr(caught.value, "code", None) is ErrorCode.INVALID_REQUEST
    with runtime.engine.connect() as connection:
        assert connection.execute(select(m.login_throttle)).all() == []
    assert answer(ctx, guard, number, last4, "192.0.2.1") == "verified"


def test_counts_are_kept_under_keyed_digests_never_the_number_or_the_address(
    ctx: ServiceContext, runtime: Runtime
) -> None:
    number, last4 = issued(ctx)
    client = "2001:db8:1:2::/64"
    assert answer(ctx, limits(), number, wrong(last4), client) == "tracking_verification_failed"
    with runtime.engine.connect() as connection:
        rows = connection.execute(select(m.login_throttle)).all()
    size = len(ctx.index.digest("any", "value"))
    assert len(rows) == 2 and all(row.failures == 1 and len(bytes(row.subject)) == size for row in rows)
    stored = b"".join(bytes(row.subject) for row in rows)
    for plain in (number, client, "2001:db8", "db8:1:2"):
        assert plain.encode() not in stored


def test_the_sweep_wrong_digits_run_keeps_counts_whose_window_still_runs(
    ctx: ServiceContext, clock: Clock, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every wrong guess sweeps here (one in 32 otherwise): only counts past the longest window go."""
    monkeypatch.setattr(tracking, "_FORGET_EVERY", 1)
    (first, first_last4), (second, second_last4) = issued(ctx, 41), issued(ctx, 42)
    guard = limits()
    assert answer(ctx, guard, first, wrong(first_last4), "192.0.2.1") == "tracking_verification_failed"

    def subjects() -> int:
        with runtime.engine.connect() as connection:
            return len(connection.execute(select(m.login_throttle)).all())

    clock.advance(LOCKOUT_S - 60)  # past sign-in's window, within tracking's
    assert answer(ctx, guard, second, wrong(second_last4), "192.0.2.2") == "tracking_verification_failed"
    assert subjects() == 4
    clock.advance(120)  # the first number's and client's windows have ended
    assert answer(ctx, guard, second, wrong(second_last4, 2), "192.0.2.2") == "tracking_verification_failed"
    assert subjects() == 2


def test_sign_ins_sweep_of_stale_counts_keeps_a_tracking_count_whose_window_still_runs(
    ctx: ServiceContext, clock: Clock
) -> None:
    number, last4 = issued(ctx)
    guard = limits()
    for n in range(1, CAP):
        assert answer(ctx, guard, number, wrong(last4, n), "192.0.2.1") == "tracking_verification_failed"
    clock.advance(ctx.login_policy.window.total_seconds() + 60)
    with ctx.uow() as uow:  # what a failed sign-in does, one time in 32 (services/auth.py _refuse)
        forget_stale_counts(uow, ctx.login_policy, clock.now)
        uow.commit()
    assert answer(ctx, guard, number, wrong(last4, CAP), "192.0.2.1") == "tracking_verification_failed"
    assert answer(ctx, guard, number, last4, "192.0.2.1") == "rate_limited"
