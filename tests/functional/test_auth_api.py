"""POST /v1/auth/token and people's bearer tokens on the API, beside API keys (HTTP, SQLite)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Scope
from parcelguard.domain.people import Role
from parcelguard.services import people
from parcelguard.services.api_keys import create_api_key
from parcelguard.web.app import create_app
from tests.people_support import PASSWORD, Clock, add_person, fast_runtime, with_station

MISSING = "/v1/waybills/PG0000000000000"  # a well-formed number no waybill has: 404 once authenticated


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


def token_for(api: TestClient, username: str, otp: str | None = None) -> str:
    body = {"username": username, "password": PASSWORD} | ({"otp": otp} if otp else {})
    response = api.post("/v1/auth/token", json=body)
    assert response.status_code == 200, response.json()
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_courier_gets_a_short_lived_token_and_reads_with_the_scopes_of_the_role(
    api: TestClient, fast: Runtime
) -> None:
    add_person(fast.ctx, "courier.01", Role.COURIER)
    response = api.post("/v1/auth/token", json={"username": "courier.01", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert body["expires_in"] == 900 and body["token_type"] == "Bearer"
    assert response.headers["Cache-Control"] == "no-store"  # RFC 6749 section 5.1
    headers = bearer(body["access_token"])
    assert api.get(MISSING, headers=headers).json()["code"] == "waybill_not_found"
    denied = api.post("/v1/waybills", json={}, headers=headers)
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"


def test_wrong_credentials_missing_or_replayed_codes_and_lockout_answer_their_codes(
    api: TestClient, fast: Runtime, clock: Clock
) -> None:
    secret = add_person(fast.ctx, "security.01", Role.SECURITY_OFFICER)
    assert secret is not None
    wrong = api.post(
        "/v1/auth/token", json={"username": "security.01", "password": "x" * 20, "otp": "123456"}
    )
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
    missing = api.post("/v1/auth/token", json={"username": "security.01", "password": PASSWORD})
    assert missing.status_code == 403 and missing.json()["code"] == "second_factor_required"
    code = fast.ctx.otp.code_at(secret, clock.now)
    assert token_for(api, "security.01", otp=code)
    replay = api.post("/v1/auth/token", json={"username": "security.01", "password": PASSWORD, "otp": code})
    assert replay.status_code == 401 and replay.json()["code"] == "invalid_credentials"
    # The success cleared the account's count; the replay was one failure, these make the limit.
    for _ in range(fast.ctx.login_policy.max_failures - 1):
        api.post("/v1/auth/token", json={"username": "security.01", "password": "x" * 20, "otp": "000000"})
    clock.advance(seconds=30)
    locked = api.post(
        "/v1/auth/token",
        json={
            "username": "security.01",
            "password": PASSWORD,
            "otp": fast.ctx.otp.code_at(secret, clock.now),
        },
    )
    assert locked.status_code == 429 and locked.json()["code"] == "account_locked"
    assert 0 < int(locked.headers["Retry-After"]) <= 900


def test_a_disabled_or_offboarded_persons_token_stops_on_the_next_request(
    api: TestClient, fast: Runtime, clock: Clock
) -> None:
    add_person(fast.ctx, "courier.01", Role.COURIER)
    add_person(fast.ctx, "courier.02", Role.COURIER)
    first, second = token_for(api, "courier.01"), token_for(api, "courier.02")
    assert api.get(MISSING, headers=bearer(first)).status_code == 404
    people.disable_user(fast.ctx, "courier.01", actor="test")
    refused = api.get(MISSING, headers=bearer(first))
    assert refused.status_code == 403 and refused.json()["code"] == "user_disabled"
    people.offboard_user(fast.ctx, "courier.02", from_=clock.now, actor="test")
    refused = api.get(MISSING, headers=bearer(second))
    assert refused.status_code == 403 and refused.json()["code"] == "offboarding"


def test_a_token_signed_out_or_altered_is_unauthenticated(api: TestClient, fast: Runtime) -> None:
    add_person(fast.ctx, "courier.01", Role.COURIER)
    token = token_for(api, "courier.01")
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert api.get(MISSING, headers=bearer(altered)).json()["code"] == "unauthenticated"
    assert api.post("/v1/auth/token/revoke", headers=bearer(token)).status_code == 204
    gone = api.get(MISSING, headers=bearer(token))
    assert gone.status_code == 401 and gone.json()["code"] == "unauthenticated"
    assert api.post("/v1/auth/token/revoke").status_code == 401


def test_api_keys_work_as_before_beside_people_tokens(api: TestClient, fast: Runtime) -> None:
    key = create_api_key(fast.ctx, actor="test", name="shop", scopes=(Scope.WAYBILL_READ,))
    assert api.get(MISSING, headers=bearer(key.presented)).status_code == 404
    assert api.get(MISSING, headers={"X-API-Key": key.presented}).status_code == 404
    # The token route is for people: an API key is no person and cannot sign out a token with it.
    assert api.post("/v1/auth/token/revoke", headers=bearer(key.presented)).status_code == 403
    assert api.get(MISSING, headers=bearer("pgk_nope")).json()["code"] == "unauthenticated"


def test_the_token_request_is_strict_and_keeps_credentials_out_of_the_url(api: TestClient) -> None:
    extra = api.post("/v1/auth/token", json={"username": "a.b.c", "password": PASSWORD, "role": "admin"})
    assert extra.status_code == 422 and extra.json()["code"] == "unknown_field"
    as_query = api.post(f"/v1/auth/token?username=a.b.c&password={PASSWORD}")
    assert as_query.status_code == 422 and PASSWORD not in as_query.text
    typed = api.post("/v1/auth/token", json={"username": "a.b.c", "password": 12345678901234})
    assert typed.status_code == 422 and "12345678901234" not in typed.text


def test_no_password_code_or_token_reaches_the_logs(
    api: TestClient, fast: Runtime, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = add_person(fast.ctx, "admin.01", Role.ADMIN)
    assert secret is not None
    code = fast.ctx.otp.code_at(secret, clock.now)
    token = token_for(api, "admin.01", otp=code)
    api.get(MISSING, headers=bearer(token))
    api.post("/v1/auth/token", json={"username": "admin.01", "password": "wrong" * 4, "otp": code})
    api.post("/v1/auth/token", json={"username": PASSWORD.replace(" ", "."), "password": PASSWORD})
    people.disable_user(fast.ctx, "admin.01", actor="test")
    api.get(MISSING, headers=bearer(token))
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "/v1/auth/token" in logged  # the capture sees the requests (httpx logs each one)
    for secret_text in (PASSWORD, PASSWORD.replace(" ", "."), "wrong" * 4, code, token, token[4:], secret):
        assert secret_text not in logged


def test_the_openapi_document_lists_the_sign_in_codes(api: TestClient) -> None:
    operation = api.get("/openapi.json").json()["paths"]["/v1/auth/token"]["post"]
    text = str(operation["responses"])
    for code in (
        "invalid_credentials",
        "second_factor_required",
        "account_locked",
        "user_disabled",
        "offboarding",
    ):
        assert code in text
    assert "Retry-After" in str(operation["responses"]["429"])
