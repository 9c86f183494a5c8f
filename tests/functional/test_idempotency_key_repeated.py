"""A request carrying ``Idempotency-Key`` twice (two field lines) says two things at once: which order is
it a retry of? It is refused with ``invalid_request`` naming the header, on both issuing routes and the
single-order fast path, and issues nothing; the first line must not silently win (a retry that put its
key second would issue again)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from tests.functional.test_idempotency_key_header import ROUTES, client, headers, issued_count

__all__ = ["client", "headers"]  # fixtures


@pytest.mark.parametrize(("path", "body"), ROUTES, ids=["single", "batch"])
@pytest.mark.parametrize("values", [("order-1", "order-2"), ("order-1", "order-1"), ("order-1", "")])
def test_a_repeated_key_header_is_invalid_request_and_issues_nothing(
    client: TestClient,
    headers: dict[str, str],
    sqlite_runtime: Runtime,
    path: str,
    body: Any,
    values: tuple[str, str],
) -> None:
    before = issued_count(sqlite_runtime)
    sent = [*headers.items(), *(("Idempotency-Key", value) for value in values)]
    answer = client.post(path, json=body, headers=sent)
    assert answer.status_code == 422, answer.text
    assert (answer.json()["code"], answer.json()["field"]) == ("invalid_request", "Idempotency-Key")
    assert "order-" not in answer.json()["message"]
    assert issued_count(sqlite_runtime) == before
