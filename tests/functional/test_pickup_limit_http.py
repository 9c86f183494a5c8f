"""Unknown pickup codes over HTTP: past the person's limit the counter page and POST /v1/pickup/handover
answer 429 with Retry-After (the page in words), and the right code waits for the lock too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.services.pickup import MAX_COUNTER_FAILURES
from tests.page_support import at_counter, page_site, sign_in, unknown_codes
from tests.reveal_world import PASSWORD, World, build_world


@pytest.fixture
def world(sqlite_runtime: Runtime) -> World:
    return build_world(sqlite_runtime.ctx, only=("courier.ns", "manager.ns", "clerk.ns"))


@pytest.fixture
def site(sqlite_runtime: Runtime, world: World) -> Iterator[TestClient]:
    with page_site(sqlite_runtime, world) as client:
        yield client


def test_the_counter_page_answers_429_with_retry_after_once_the_clerk_has_guessed_too_often(
    site: TestClient, world: World
) -> None:
    _number, code, last4 = at_counter(world)
    csrf = sign_in(site, world, "clerk.ns")
    for guess in unknown_codes(code, MAX_COUNTER_FAILURES):
        answer = site.post(
            "/outlet/handover", data={"pickup_code": guess, "last4": last4, "csrf_token": csrf}
        )
        assert answer.status_code == 403 and 'data-code="pickup_verification_failed"' in answer.text
    answer = site.post("/outlet/handover", data={"pickup_code": code, "last4": last4, "csrf_token": csrf})
    assert answer.status_code == 429 and 'data-code="rate_limited"' in answer.text
    lockout_s = world.ctx.login_policy.lockout.total_seconds()
    assert 0 < int(answer.headers["Retry-After"]) <= lockout_s
    assert 'class="staff-nav"' in answer.text  # still the counter page, still signed in
    world.clock.advance(seconds=lockout_s + 1)
    csrf = sign_in(site, world, "clerk.ns")  # the wait is longer than the idle timeout
    answer = site.post("/outlet/handover", data={"pickup_code": code, "last4": last4, "csrf_token": csrf})
    assert answer.status_code == 200 and 'id="handed"' in answer.text


def test_the_api_answers_429_with_retry_after_and_its_code(site: TestClient, world: World) -> None:
    _number, code, last4 = at_counter(world)
    token = site.post("/v1/auth/token", json={"username": "clerk.ns", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    for guess in unknown_codes(code, MAX_COUNTER_FAILURES):
        answer = site.post(
            "/v1/pickup/handover", json={"pickup_code": guess, "last4": last4}, headers=headers
        )
        assert answer.status_code == 403 and answer.json()["code"] == "pickup_verification_failed"
    answer = site.post("/v1/pickup/handover", json={"pickup_code": code, "last4": last4}, headers=headers)
    assert answer.status_code == 429 and answer.json()["code"] == "rate_limited"
    assert 0 < int(answer.headers["Retry-After"]) <= world.ctx.login_policy.lockout.total_seconds()
    assert code not in answer.text and last4 not in answer.text


def test_the_openapi_document_lists_429_rate_limited_with_retry_after_for_the_handover(
    site: TestClient,
) -> None:
    operation = site.get("/openapi.json").json()["paths"]["/v1/pickup/handover"]["post"]
    limited = operation["responses"]["429"]
    assert "`rate_limited`" in limited["description"]
    assert "Retry-After" in limited["headers"]
