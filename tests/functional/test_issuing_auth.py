"""POST /v1/waybills checks its credentials in its own worker thread (issue 9): the same answers as every
other route, on every request, before the order is looked at (HTTP, SQLite)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Scope
from parcelguard.domain.people import Role
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services import people
from parcelguard.services.api_keys import create_api_key, revoke_api_key
from parcelguard.web.app import create_app
from tests.people_support import PASSWORD, Clock, add_person, fast_runtime, with_station


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fast(sqlite_runtime: Runtime, clock: Clock) -> Runtime:
    runtime = fast_runtime(sqlite_runtime, clock)
    with_station(runtime.ctx)
    return runtime


@pytest.fixture
def api(fast: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=fast)) as test_client:
        yield test_client


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def code(answer: httpx.Response) -> tuple[int, str]:
    return answer.status_code, str(answer.json().get("code"))


def test_keys_are_checked_on_every_issuing_request_and_before_the_order(
    api: TestClient, fast: Runtime
) -> None:
    orders = SyntheticPeople(91)
    shop = create_api_key(fast.ctx, actor="test", name="shop", scopes=(Scope.WAYBILL_ISSUE,))
    reader = create_api_key(fast.ctx, actor="test", name="reader", scopes=(Scope.WAYBILL_READ,))
    assert api.post("/v1/waybills", json=orders.order(), headers=bearer(shop.presented)).status_code == 201
    assert (
        api.post("/v1/waybills", json=orders.order(), headers={"X-API-Key": shop.presented}).status_code
        == 201
    )
    assert code(api.post("/v1/waybills", json=orders.order())) == (401, "unauthenticated")
    assert code(api.post("/v1/waybills", json=orders.order(), headers=bearer("pgk_nope"))) == (
        401,
        "unauthenticated",
    )
    assert code(api.post("/v1/waybills", json=orders.order(), headers=bearer(reader.presented))) == (
        403,
        "forbidden",
    )
    # Credentials come before the order: a key that is not valid never learns what is wrong with a body.
    assert code(api.post("/v1/waybills", json={"nothing": 1}, headers=bearer(reader.presented))) == (
        403,
        "forbidden",
    )
    assert revoke_api_key(fast.ctx, shop.key_id, actor="test")
    # Revoked at once: no cache stands between the key table and the next request.
    refused = api.post("/v1/waybills", json=orders.order(), headers=bearer(shop.presented))
    assert code(refused) == (401, "unauthenticated")
    assert code(api.post("/v1/waybills", json={"nothing": 1}, headers=bearer(shop.presented))) == (
        401,
        "unauthenticated",
    )


def test_a_persons_token_on_the_issuing_route_follows_their_current_state(
    api: TestClient, fast: Runtime, clock: Clock
) -> None:
    orders = SyntheticPeople(92)
    add_person(fast.ctx, "courier.01", Role.COURIER)
    add_person(fast.ctx, "courier.02", Role.COURIER)
    tokens = []
    for username in ("courier.01", "courier.02"):
        answer = api.post("/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert answer.status_code == 200
        tokens.append(str(answer.json()["access_token"]))
    first, second = tokens
    # A courier's role has no waybill:issue: the token is valid, the scope is missing.
    assert code(api.post("/v1/waybills", json=orders.order(), headers=bearer(first))) == (403, "forbidden")
    people.disable_user(fast.ctx, "courier.01", actor="test")
    assert code(api.post("/v1/waybills", json=orders.order(), headers=bearer(first))) == (
        403,
        "user_disabled",
    )
    people.offboard_user(fast.ctx, "courier.02", from_=clock.now, actor="test")
    assert code(api.post("/v1/waybills", json=orders.order(), headers=bearer(second))) == (403, "offboarding")


def test_a_retry_is_answered_with_the_first_answer_and_the_replay_header(
    api: TestClient, fast: Runtime
) -> None:
    key = create_api_key(fast.ctx, actor="test", name="shop", scopes=(Scope.WAYBILL_ISSUE,))
    order = SyntheticPeople(93).order()
    headers = bearer(key.presented) | {"Idempotency-Key": "order-93"}
    first = api.post("/v1/waybills", json=order, headers=headers)
    again = api.post("/v1/waybills", json=order, headers=headers)
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first.headers and again.headers["Idempotent-Replayed"] == "true"
    assert (
        first.headers["Content-Type"] == "application/json" and first.headers["Cache-Control"] == "no-store"
    )
    assert again.json() == first.json() and set(first.json()) == {"tracking_number", "masked"}
    assert "*" in first.json()["masked"]["recipient"]["mobile"]
