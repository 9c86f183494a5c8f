"""POST /v1/labels/batch answers a batch of no numbers, or of one more than the limit, with the service's
own code (413 batch_too_large, as the CLI does), not the schema's invalid_request; the limit itself prints.
The OpenAPI document states the same limit and code."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.domain.audit import LABEL_RENDERED
from parcelguard.services.labels import MAX_LABEL_BATCH
from parcelguard.web.app import create_app
from tests.functional.test_api import an_order, bearer


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client


def _printed(runtime: Runtime, number: str) -> int:
    with runtime.ctx.uow() as uow:
        return sum(e.action == LABEL_RENDERED for e in uow.audit.for_subject(number))


@pytest.mark.parametrize("count", [0, MAX_LABEL_BATCH + 1])
@pytest.mark.parametrize("fmt", ["pdf", "zpl"])
def test_no_numbers_or_one_over_the_limit_is_batch_too_large_and_prints_nothing(
    client: TestClient, runtime: Runtime, count: int, fmt: str
) -> None:
    headers = bearer(runtime)
    number = client.post("/v1/waybills", json=an_order(), headers=headers).json()["tracking_number"]

    refused = client.post(
        "/v1/labels/batch", json={"tracking_numbers": [number] * count, "format": fmt}, headers=headers
    )

    assert refused.status_code == 413, refused.text
    assert (refused.json()["code"], refused.json()["field"]) == ("batch_too_large", "tracking_numbers")
    assert _printed(runtime, number) == 0


def test_the_limit_itself_prints_every_label(client: TestClient, runtime: Runtime) -> None:
    headers = bearer(runtime)
    number = client.post("/v1/waybills", json=an_order(), headers=headers).json()["tracking_number"]

    printed = client.post(
        "/v1/labels/batch",
        json={"tracking_numbers": [number] * MAX_LABEL_BATCH, "format": "zpl"},
        headers=headers,
    )

    assert printed.status_code == 200, printed.text
    assert printed.content.count(b"^XA") == MAX_LABEL_BATCH
    assert _printed(runtime, number) == MAX_LABEL_BATCH


def test_the_openapi_document_states_the_limit_and_its_code(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/v1/labels/batch"]["post"]
    limit = f"{MAX_LABEL_BATCH:,}"
    assert "batch_too_large" in json.dumps(operation["responses"]["413"])
    assert limit in operation["description"] and "batch_too_large" in operation["description"]
    field = document["components"]["schemas"]["LabelBatchRequest"]["properties"]["tracking_numbers"]
    assert (field["minItems"], field["maxItems"]) == (1, MAX_LABEL_BATCH)
    assert limit in field["description"] and "batch_too_large" in field["description"]


def test_both_label_routes_document_the_token_conflict(client: TestClient) -> None:
    """A print that cannot settle its label token after three tries answers 409 label_token_conflict."""
    paths = client.get("/openapi.json").json()["paths"]
    single, batch = paths["/v1/waybills/{tracking_number}/label"]["get"], paths["/v1/labels/batch"]["post"]
    for operation in (single, batch):
        assert "label_token_conflict" in json.dumps(operation["responses"]["409"])
