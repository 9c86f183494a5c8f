"""Unknown pickup codes and wrong digits count against the person at the counter, in the attempt limiter
sign-in uses (login_throttle, in the database: SQLite and PostgreSQL), with sign-in's window and lockout."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.errors import ErrorCode, PermissionDeniedError, RateLimitedError, ValidationError
from parcelguard.services.audit_events import HANDOVER_REFUSED, PARCEL_HANDED_OVER
from parcelguard.services.pickup import MAX_COUNTER_FAILURES, hand_over
from tests.page_support import at_counter, unknown_codes
from tests.reveal_world import World, build_world

LIMIT = MAX_COUNTER_FAILURES


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime.ctx, only=("courier.ns", "manager.ns", "clerk.ns", "clerk.ft"))


def refusal(call: Any) -> ErrorCode:
    with pytest.raises(PermissionDeniedError) as caught:
        call()
    return caught.value.code


def handover_events(world: World) -> list[dict[str, Any]]:
    with world.ctx.uow() as uow:
        events = uow.audit_search.search(actor="user:clerk.ns")
    return [
        {"action": e.action, "subject": e.subject, **e.details}
        for e in events
        if e.action in (HANDOVER_REFUSED, PARCEL_HANDED_OVER)
    ]


def test_unknown_pickup_codes_lock_the_clerk_out_with_a_retry_after_even_for_the_right_code(
    world: World,
) -> None:
    number, code, last4 = at_counter(world)
    clerk = world.principal("clerk.ns")
    for guess in unknown_codes(code, LIMIT):
        assert refusal(lambda g=guess: hand_over(world.ctx, pickup_code=g, last4=last4, principal=clerk)) is (
            ErrorCode.PICKUP_VERIFICATION_FAILED
        )
    with pytest.raises(RateLimitedError) as locked:
        hand_over(world.ctx, pickup_code=code, last4=last4, principal=clerk)
    lockout_s = world.ctx.login_policy.lockout.total_seconds()
    assert locked.value.code is ErrorCode.RATE_LIMITED
    assert 0 < locked.value.retry_after_s <= lockout_s
    events = handover_events(world)
    assert len(events) == LIMIT + 1 and all(e["action"] == HANDOVER_REFUSED for e in events)
    assert events[LIMIT - 1]["locked"] == "counter" and "locked" not in events[LIMIT - 2]
    assert events[-1]["reason"] == "rate_limited" and events[-1]["subject"] == "pickup_code:unchecked"
    assert code not in repr(events) and last4 not in repr(events[-1])
    world.clock.advance(seconds=lockout_s + 1)
    view = hand_over(world.ctx, pickup_code=code, last4=last4, principal=clerk)
    assert view.tracking_number == number and view.status == "delivered"


def test_wrong_digits_for_a_real_code_count_too_and_still_void_the_code_at_five(world: World) -> None:
    clerk = world.principal("clerk.ns")
    _number, code, last4 = at_counter(world)
    wrong = f"{(int(last4) + 1) % 10000:04d}"
    for _ in range(5):
        refusal(lambda: hand_over(world.ctx, pickup_code=code, last4=wrong, principal=clerk))
    assert refusal(lambda: hand_over(world.ctx, pickup_code=code, last4=last4, principal=clerk)) is (
        ErrorCode.PICKUP_VERIFICATION_FAILED  # voided after five wrong digits: the per-waybill limit
    )
    _next, next_code, next_last4 = at_counter(world)
    for guess in unknown_codes(next_code, LIMIT - 6):  # 6 failures so far, for this person
        refusal(lambda g=guess: hand_over(world.ctx, pickup_code=g, last4=next_last4, principal=clerk))
    with pytest.raises(RateLimitedError):
        hand_over(world.ctx, pickup_code=next_code, last4=next_last4, principal=clerk)


def test_the_limit_is_per_person_another_clerk_is_not_locked(world: World) -> None:
    _number, code, last4 = at_counter(world)
    clerk = world.principal("clerk.ns")
    for guess in unknown_codes(code, LIMIT + 3):
        with pytest.raises((PermissionDeniedError, RateLimitedError)):
            hand_over(world.ctx, pickup_code=guess, last4=last4, principal=clerk)
    colleague = world.principal("clerk.ft")  # another station: its own count, and not this parcel
    assert refusal(lambda: hand_over(world.ctx, pickup_code=code, last4=last4, principal=colleague)) is (
        ErrorCode.PICKUP_VERIFICATION_FAILED
    )


def test_a_right_code_takes_back_its_own_attempt_and_no_earlier_failure(world: World) -> None:
    """Handing real parcels over between guesses resets nothing: LIMIT - 1 failures, a success, then
    one more failure reaches the limit."""
    _number, code, last4 = at_counter(world)
    _other, other_code, other_last4 = at_counter(world)
    clerk = world.principal("clerk.ns")
    guesses = [g for g in unknown_codes(code, LIMIT + 1) if g != other_code]
    for guess in guesses[: LIMIT - 1]:
        refusal(lambda g=guess: hand_over(world.ctx, pickup_code=g, last4=last4, principal=clerk))
    hand_over(world.ctx, pickup_code=code, last4=last4, principal=clerk)
    assert refusal(
        lambda: hand_over(world.ctx, pickup_code=guesses[LIMIT - 1], last4=last4, principal=clerk)
    ) is (ErrorCode.PICKUP_VERIFICATION_FAILED)
    with pytest.raises(RateLimitedError):
        hand_over(world.ctx, pickup_code=other_code, last4=other_last4, principal=clerk)


def test_a_success_right_at_the_limit_lifts_the_lock_it_set(world: World) -> None:
    """The attempt that reaches the limit still runs (as at sign-in); when it is right, its own count
    comes back and the lock with it."""
    _number, code, last4 = at_counter(world)
    _other, other_code, other_last4 = at_counter(world)
    clerk = world.principal("clerk.ns")
    guesses = [g for g in unknown_codes(code, LIMIT + 1) if g != other_code]
    for guess in guesses[: LIMIT - 1]:
        refusal(lambda g=guess: hand_over(world.ctx, pickup_code=g, last4=last4, principal=clerk))
    hand_over(world.ctx, pickup_code=code, last4=last4, principal=clerk)  # the LIMIT-th attempt
    hand_over(world.ctx, pickup_code=other_code, last4=other_last4, principal=clerk)


def test_a_malformed_code_is_refused_as_input_and_not_counted(world: World) -> None:
    _number, code, last4 = at_counter(world)
    clerk = world.principal("clerk.ns")
    for _ in range(LIMIT + 2):
        with pytest.raises(ValidationError):
            hand_over(world.ctx, pickup_code="12", last4=last4, principal=clerk)
    assert hand_over(world.ctx, pickup_code=code, last4=last4, principal=clerk).status == "delivered"


def test_guesses_sent_at_once_each_use_up_an_attempt(world: World) -> None:
    """Counted before anything is looked up, in one atomic step: 2 x LIMIT guesses in parallel get
    exactly LIMIT looked at, whatever the interleaving."""
    _number, code, last4 = at_counter(world)
    clerk = world.principal("clerk.ns")

    def guess(candidate: str) -> str:
        try:
            hand_over(world.ctx, pickup_code=candidate, last4=last4, principal=clerk)
        except PermissionDeniedError as refused:
            return refused.code.value
        except RateLimitedError as limited:
            return limited.code.value
        return "handed_over"

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(guess, unknown_codes(code, 2 * LIMIT)))
    assert sorted(answers) == sorted(["pickup_verification_failed"] * LIMIT + ["rate_limited"] * LIMIT)
