"""The ``Idempotency-Key`` header on both issuing routes: 1-128 printable ASCII characters, neither first nor
last a blank. A value that is empty or blank (what an HTTP server hands on for ``Idempotency-Key:`` or
``Idempotency-Key:   ``, RFC 9110 section 5.5 strips the blanks around a field value) is refused with
``invalid_request`` naming the header, never read as no key: a retry would otherwise issue again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Scope
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.api_keys import create_api_key
from parcelguard.web.app import create_app
from tests.functional.test_single_order_fast_path import without_fast_path


@pytest.fixture(params=["fast path", "routed"])
def client(sqlite_runtime: Runtime, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    app = create_app(runtime=sqlite_runtime)
    with TestClient(app if request.param == "fast path" else without_fast_path(app)) as test_client:
        yield test_client


@pytest.fixture
def headers(sqlite_runtime: Runtime) -> dict[str, str]:
    key = create_api_key(sqlite_runtime.ctx, actor="test", name="shop", scopes=(Scope.WAYBILL_ISSUE,))
    return {"Authorization": f"Bearer {key.presented}"}


def issued_count(runtime: Runtime) -> int:
    with runtime.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM waybill").scalar_one())


ROUTES: list[tuple[str, Any]] = [
    ("/v1/waybills", SyntheticPeople(3).order()),
    ("/v1/waybills/batch", {"orders": [SyntheticPeople(3).order()]}),
]


@pytest.mark.parametrize(("path", "body"), ROUTES, ids=["single", "batch"])
@pytest.mark.parametrize("value", ["", " ", "   ", " order-1", "order-1 ", "\t", "x" * 129, "clé"])
def test_an_empty_blank_or_padded_key_is_invalid_request_and_issues_nothing(
    client: TestClient,
    headers: dict[str, str],
    sqlite_runtime: Runtime,
    path: str,
    body: Any,
    value: str,
) -> None:
    before = issued_count(sqlite_runtime)
    for _ in range(2):  # a retry is refused the same way
        answer = client.post(path, json=body, headers={**headers, "Idempotency-Key": value.encode()})
        assert answer.status_code == 422, answer.text
        assert (answer.json()["code"], answer.json()["field"]) == ("invalid_request", "Idempotency-Key")
        assert value.strip() == "" or value.strip() not in answer.json()["message"]
    assert issued_count(sqlite_runtime) == before


@pytest.mark.parametrize(("path", "body"), ROUTES, ids=["single", "batch"])
@pytest.mark.parametrize("value", ["a", "order 1", "~!" * 64])
def test_a_key_of_printable_characters_with_blanks_inside_still_replays(
    client: TestClient, headers: dict[str, str], sqlite_runtime: Runtime, path: str, body: Any, value: str
) -> None:
    keyed = {**headers, "Idempotency-Key": value}
    first = client.post(path, json=body, headers=keyed)
    again = client.post(path, json=body, headers=keyed)
    assert first.status_code in (200, 201), first.text
    numbers = [
        r.json().get("tracking_number") or r.json()["results"][0]["tracking_number"] for r in (first, again)
    ]
    assert numbers[0] == numbers[1]
    assert again.headers.get("Idempotent-Replayed") == "true" or again.json()["replayed"] is True


def test_the_openapi_document_names_the_header_as_sent(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path in ("/v1/waybills", "/v1/waybills/batch"):
        names = [p["name"] for p in document["paths"][path]["post"]["parameters"] if p["in"] == "header"]
        assert names == ["Idempotency-Key"], path
