"""Public tracking and label tokens, end to end through the services."""

from __future__ import annotations

import re

import pytest

from parcelguard.adapters.rate_limit import make_tracking_limits
from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Principal, Scope
from parcelguard.domain.pii import Mobile
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.errors import ErrorCode, PermissionDeniedError, RateLimitedError, TokenError
from parcelguard.services.issuance import issue_waybill
from parcelguard.services.labels import render_label, resolve_label_token, revoke_label_tokens
from parcelguard.services.tracking import TrackingLimits, track_parcel

PRINTER = Principal(actor="apikey:printer", scopes=frozenset({Scope.LABEL_PRINT, Scope.LABEL_TOKEN_RESOLVE}))


def issued(runtime: Runtime) -> tuple[str, str]:
    order = SyntheticPeople(11).order()
    number = issue_waybill(runtime.ctx, order, actor="t").tracking_number
    return number, Mobile.parse(order["recipient"]["mobile"]).last4


def limiter(per_minute: int = 600, burst: int = 100) -> TrackingLimits:
    return make_tracking_limits(per_minute=per_minute, burst=burst, max_failures=5, lockout_s=60)


def test_anyone_sees_the_status_history_but_not_the_destination(runtime: Runtime) -> None:
    number, _ = issued(runtime)
    view = track_parcel(runtime.ctx, limiter(), number, client="1.2.3.4")
    assert view.status == "created" and not view.verified and view.destination is None
    assert all(event.location == "" for event in view.events)


def test_the_right_last_four_digits_add_the_destination(runtime: Runtime) -> None:
    number, last4 = issued(runtime)
    view = track_parcel(runtime.ctx, limiter(), number, client="c", mobile_last4=last4)
    assert view.verified and view.destination


def test_wrong_last_four_digits_are_refused(runtime: Runtime) -> None:
    number, last4 = issued(runtime)
    wrong = f"{(int(last4) + 1) % 10000:04d}"
    with pytest.raises(PermissionDeniedError) as caught:  # a refusal (403, CLI exit code 4), not bad input
        track_parcel(runtime.ctx, limiter(), number, client="c", mobile_last4=wrong)
    assert caught.value.code == ErrorCode.TRACKING_VERIFICATION_FAILED


def test_a_client_that_queries_too_fast_is_rate_limited(runtime: Runtime) -> None:
    number, _ = issued(runtime)
    strict = limiter(per_minute=1, burst=3)
    for _ in range(3):
        track_parcel(runtime.ctx, strict, number, client="scraper")
    with pytest.raises(RateLimitedError):
        track_parcel(runtime.ctx, strict, number, client="scraper")
    track_parcel(runtime.ctx, strict, number, client="someone-else")


def qr_token_of(runtime: Runtime, number: str) -> str:
    zpl = render_label(runtime.ctx, number, "zpl", principal=PRINTER).decode()
    [token] = re.findall(r"\^BQN[^\n]*\^FD\w+,A?(PGT1[A-Z2-7]+)\^FS", zpl)
    return str(token)


def test_a_label_token_resolves_to_its_waybill_for_an_authorised_session(runtime: Runtime) -> None:
    number, _ = issued(runtime)
    token = qr_token_of(runtime, number)
    assert token == qr_token_of(runtime, number), "reprints carry the same token"
    resolved = resolve_label_token(runtime.ctx, token, principal=PRINTER)
    assert resolved.tracking_number == number
    assert "*" in resolved.masked.recipient.name


def test_a_label_token_is_useless_without_the_resolve_scope(runtime: Runtime) -> None:
    number, _ = issued(runtime)
    token = qr_token_of(runtime, number)
    with pytest.raises(PermissionDeniedError):
        resolve_label_token(
            runtime.ctx, token, principal=Principal("apikey:x", frozenset({Scope.WAYBILL_READ}))
        )


def test_a_revoked_label_token_no_longer_resolves_and_the_next_print_gets_a_new_one(runtime: Runtime) -> None:
    number, _ = issued(runtime)
    old = qr_token_of(runtime, number)
    assert revoke_label_tokens(runtime.ctx, number, principal=PRINTER) == 1
    with pytest.raises(TokenError) as caught:
        resolve_label_token(runtime.ctx, old, principal=PRINTER)
    assert caught.value.code == ErrorCode.TOKEN_REVOKED
    new = qr_token_of(runtime, number)
    assert new != old
    assert resolve_label_token(runtime.ctx, new, principal=PRINTER).tracking_number == number


def test_a_forged_label_token_is_refused(runtime: Runtime) -> None:
    number, _ = issued(runtime)
    token = qr_token_of(runtime, number)
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    with pytest.raises(TokenError):
        resolve_label_token(runtime.ctx, forged, principal=PRINTER)
