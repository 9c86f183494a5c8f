"""Public tracking's limits hold against spoofed headers, many addresses and the HTML page."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from parcelguard.adapters.rate_limit import make_tracking_limits
from parcelguard.bootstrap import Runtime
from parcelguard.domain.pii import Mobile
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.issuance import issue_waybill
from parcelguard.web.app import create_app


def issued(runtime: Runtime) -> tuple[str, str]:
    order = SyntheticPeople(17).order()
    number = issue_waybill(runtime.ctx, order, actor="test").tracking_number
    return number, Mobile.parse(order["recipient"]["mobile"]).last4


def wrong(last4: str, n: int = 1) -> str:
    return f"{(int(last4) + n) % 10000:04d}"


def with_settings(runtime: Runtime, **changes: object) -> Runtime:
    """The same runtime (database, keys) under changed settings, with fresh limiters."""
    settings = runtime.settings.model_copy(update=changes)
    limits = make_tracking_limits(
        per_minute=settings.track_rate_per_minute,
        burst=settings.track_burst,
        max_failures=settings.track_verify_max_failures,
        lockout_s=settings.track_verify_lockout_s,
    )
    return dataclasses.replace(runtime, settings=settings, track_limiter=limits)


@pytest.fixture
def peer(runtime: Runtime) -> Iterator[TestClient]:
    """A client connecting from 198.51.100.7, no proxy in between."""
    with TestClient(create_app(runtime=runtime), client=("198.51.100.7", 40000)) as test_client:
        yield test_client


def test_x_forwarded_for_does_not_make_a_new_client(peer: TestClient, runtime: Runtime) -> None:
    number, _ = issued(runtime)
    statuses = [
        peer.get(f"/v1/track/{number}", headers={"X-Forwarded-For": f"10.0.{n // 256}.{n % 256}"}).status_code
        for n in range(runtime.settings.track_burst + 1)
    ]
    assert statuses[-1] == 429 and statuses[:-1] == [200] * runtime.settings.track_burst


def test_ten_thousand_guesses_from_spoofed_addresses_never_reach_the_right_digits(
    peer: TestClient, runtime: Runtime
) -> None:
    """The attack of issue 7: every guess with a fresh X-Forwarded-For, the right digits among them."""
    number, last4 = issued(runtime)
    generous = with_settings(runtime, track_rate_per_minute=100_000, track_burst=10_000)
    with TestClient(create_app(runtime=generous), client=("198.51.100.7", 40000)) as attacker:
        answers = []
        for n in range(1, 40):
            guess = last4 if n == 30 else wrong(last4, n)
            response = attacker.post(
                f"/v1/track/{number}",
                json={"mobile_last4": guess},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            )
            answers.append(response)
    cap = runtime.settings.track_verify_max_failures
    assert [r.status_code for r in answers[:cap]] == [403] * cap
    assert all(r.status_code == 429 for r in answers[cap:])
    assert all("destination" not in r.json() or r.json()["destination"] is None for r in answers)
    assert answers[-1].json()["code"] == "rate_limited" and int(answers[-1].headers["Retry-After"]) > 60


def test_the_failure_cap_holds_for_every_client_and_spares_the_status_history(runtime: Runtime) -> None:
    number, last4 = issued(runtime)
    app = create_app(runtime=runtime)
    for n in range(runtime.settings.track_verify_max_failures):
        with TestClient(app, client=(f"192.0.2.{n + 1}", 1000)) as guesser:
            assert guesser.post(f"/v1/track/{number}", json={"mobile_last4": wrong(last4)}).status_code == 403
    with TestClient(app, client=("198.51.100.200", 1000)) as recipient:
        locked = recipient.post(f"/v1/track/{number}", json={"mobile_last4": last4})
        assert locked.status_code == 429 and locked.json()["code"] == "rate_limited"
        assert recipient.get(f"/v1/track/{number}").status_code == 200


def test_a_right_guess_does_not_count_against_the_cap(peer: TestClient, runtime: Runtime) -> None:
    number, last4 = issued(runtime)
    for _ in range(runtime.settings.track_verify_max_failures - 1):
        assert peer.post(f"/v1/track/{number}", json={"mobile_last4": wrong(last4)}).status_code == 403
    for _ in range(3):
        assert peer.post(f"/v1/track/{number}", json={"mobile_last4": last4}).json()["verified"] is True


def test_full_width_last_four_digits_verify(peer: TestClient, runtime: Runtime) -> None:
    number, last4 = issued(runtime)
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in last4)
    response = peer.post(f"/v1/track/{number}", json={"mobile_last4": full_width})
    assert response.status_code == 200 and response.json()["verified"] is True
    page = peer.post("/track", data={"tracking_number": number, "mobile_last4": full_width})
    assert page.status_code == 200 and "目的地" in page.text


def test_a_trusted_proxy_forwards_the_right_most_untrusted_address(runtime: Runtime) -> None:
    number, _ = issued(runtime)
    behind = with_settings(runtime, trusted_proxies="10.0.0.0/8")
    burst = runtime.settings.track_burst
    with TestClient(create_app(runtime=behind), client=("10.1.2.3", 1000)) as proxy:
        for client in ("203.0.113.1", "203.0.113.2"):
            # The client put a spoofed address first; the proxies appended the real one and their own.
            xff = f"1.2.3.4, {client}, 10.9.9.9"
            statuses = [
                proxy.get(f"/v1/track/{number}", headers={"X-Forwarded-For": xff}).status_code
                for _ in range(burst + 1)
            ]
            assert statuses == [200] * burst + [429], client


def test_the_tracking_page_answers_429_when_limited(peer: TestClient, runtime: Runtime) -> None:
    number, _ = issued(runtime)
    for _ in range(runtime.settings.track_burst):
        assert peer.post("/track", data={"tracking_number": number}).status_code == 200
    limited = peer.post("/track", data={"tracking_number": number})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert 'data-code="rate_limited"' in limited.text


def test_the_tracking_page_shows_china_time_and_both_languages(peer: TestClient, runtime: Runtime) -> None:
    number, _ = issued(runtime)
    [event] = peer.get(f"/v1/track/{number}").json()["events"]
    occurred = datetime.fromisoformat(event["occurred_at"].replace("Z", "+00:00"))
    in_china = occurred.astimezone(timezone(timedelta(hours=8)))
    page = peer.post("/track", data={"tracking_number": number})
    assert f"{in_china:%Y-%m-%d %H:%M} 北京时间 (UTC+8)" in page.text
    assert re.search(r'datetime="[^"]+\+08:00"', page.text)
    assert "已下单" in page.text and "Order created" in page.text
