"""POST /v1/waybills through SingleOrderFastPath answers exactly as the route does without it (issue 9):
the same status, body (but for the random tracking number) and headers, over generated requests."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Scope
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.api_keys import create_api_key, revoke_api_key
from parcelguard.web.api import waybills
from parcelguard.web.api.waybills import SingleOrderFastPath
from parcelguard.web.app import create_app


def without_fast_path(app: FastAPI) -> FastAPI:
    app.user_middleware = [m for m in app.user_middleware if m.cls is not SingleOrderFastPath]
    return app


@pytest.fixture
def keys(sqlite_runtime: Runtime) -> dict[str, str]:
    ctx = sqlite_runtime.ctx
    shop = create_api_key(ctx, actor="test", name="shop", scopes=(Scope.WAYBILL_ISSUE,))
    reader = create_api_key(ctx, actor="test", name="reader", scopes=(Scope.WAYBILL_READ,))
    revoked = create_api_key(ctx, actor="test", name="revoked", scopes=(Scope.WAYBILL_ISSUE,))
    assert revoke_api_key(ctx, revoked.key_id, actor="test")
    return {"shop": shop.presented, "reader": reader.presented, "revoked": revoked.presented}


@pytest.fixture
def clients(sqlite_runtime: Runtime) -> Iterator[tuple[TestClient, TestClient]]:
    with (
        TestClient(create_app(runtime=sqlite_runtime)) as fast,
        TestClient(without_fast_path(create_app(runtime=sqlite_runtime))) as plain,
    ):
        yield fast, plain


ORDER = SyntheticPeople(77).order()
SERIAL = itertools.count()
PLAIN = json.dumps(ORDER, ensure_ascii=False).encode()
SHOP = ("Authorization", "Bearer {shop}")


def bodies() -> st.SearchStrategy[bytes]:
    def bad_mobile() -> dict[str, Any]:
        order = json.loads(json.dumps(ORDER))
        order["recipient"]["mobile"] = "12345"
        return order

    def unknown_field() -> dict[str, Any]:
        return {**ORDER, "colour": "red"}

    return st.sampled_from(
        [
            PLAIN,
            PLAIN,
            PLAIN,
            json.dumps(bad_mobile()).encode(),
            json.dumps(unknown_field()).encode(),
            json.dumps({k: v for k, v in ORDER.items() if k != "sender"}).encode(),
            b'{"parcel": 1, "parcel": 2}',
            b'{"sender": ',
            b"[1, 2]",
            b"null",
            b"{}",
            b"",
            "\ufeff{}".encode(),
            b'"\\ud800"',
        ]
    )


AUTH = st.sampled_from(
    [
        SHOP,
        SHOP,
        SHOP,
        None,
        ("Authorization", "Bearer {shop}"),
        ("Authorization", "bearer  {shop}"),
        ("Authorization", "Basic {shop}"),
        ("Authorization", "Bearer "),
        ("Authorization", "Bearer {reader}"),
        ("Authorization", "Bearer {revoked}"),
        ("Authorization", "Bearer pgk_nope"),
        ("Authorization", "Bearer pgt_nope"),
        ("X-API-Key", "{shop}"),
        ("X-API-Key", "{reader}"),
        ("X-API-Key", ""),
    ]
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json",
        None,
        "application/json; charset=utf-8",
        "application/merge+json",
        "text/plain",
    ]
)
IDEMPOTENCY = st.sampled_from([None, None, None, None, "order", "", " ", "   ", " order", "a b", "x" * 129])
PATHS = st.sampled_from(["/v1/waybills", "/v1/waybills", "/v1/waybills/", "/v1/waybills?x=1"])


def comparable(answer: httpx.Response) -> tuple[int, Any, dict[str, str]]:
    body: Any = answer.content
    if answer.headers.get("content-type") == "application/json":
        body = answer.json()
        if isinstance(body, dict) and "tracking_number" in body:
            body["tracking_number"] = "issued"
    headers = {k: v for k, v in answer.headers.items() if k not in {"content-length", "date"}}
    return answer.status_code, body, headers


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=bodies(),
    auth=AUTH,
    content_type=CONTENT_TYPES,
    idempotency=IDEMPOTENCY,
    path=PATHS,
    method=st.sampled_from(["POST", "POST", "POST", "PUT"]),
)
@example(PLAIN, SHOP, "application/json", None, "/v1/waybills", "POST")
@example(PLAIN, ("X-API-Key", "{shop}"), "application/json", None, "/v1/waybills", "POST")
@example(PLAIN, ("Authorization", "Bearer {revoked}"), "application/json", None, "/v1/waybills", "POST")
@example(PLAIN, ("Authorization", "Bearer {reader}"), "application/json", None, "/v1/waybills", "POST")
@example(PLAIN, ("Authorization", "Bearer pgt_nope"), "application/json", None, "/v1/waybills", "POST")
@example(b'{"parcel": 1, "parcel": 2}', SHOP, "application/json", None, "/v1/waybills", "POST")
@example(b"{}", SHOP, "application/json", None, "/v1/waybills", "POST")
def test_the_fast_path_answers_every_request_as_the_route_does(
    clients: tuple[TestClient, TestClient],
    keys: dict[str, str],
    body: bytes,
    auth: tuple[str, str] | None,
    content_type: str | None,
    idempotency: str | None,
    path: str,
    method: str,
) -> None:
    headers: dict[str, str] = {}
    if auth is not None:
        headers[auth[0]] = auth[1].format(**keys)
    if content_type is not None:
        headers["Content-Type"] = content_type
    if idempotency is not None:
        headers["Idempotency-Key"] = idempotency
    answers = []
    for client, name in zip(clients, ("fast", "plain"), strict=True):
        if idempotency:  # each its own key, so that neither answers from the other's record
            headers["Idempotency-Key"] = f"{idempotency}-{name}-{next(SERIAL)}"[: len(idempotency) + 20]
        answers.append(comparable(client.request(method, path, content=body, headers=headers)))
    assert answers[0] == answers[1]


def test_the_fast_path_answers_a_plain_order_itself(
    clients: tuple[TestClient, TestClient], keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[bool] = []
    real = waybills.presented_credentials

    async def counted(request: Any) -> tuple[str, bool] | None:
        read.append(True)
        return await real(request)

    monkeypatch.setattr(waybills, "presented_credentials", counted)
    fast, plain = clients
    headers = {"Authorization": f"Bearer {keys['shop']}"}
    assert fast.post("/v1/waybills", json=ORDER, headers=headers).status_code == 201
    assert read == [True]
    assert plain.post("/v1/waybills", json=ORDER, headers=headers).status_code == 201
    assert read == [True]  # the route reads credentials through its dependencies
