"""The HTTP API as a platform uses it: keys, scopes, coded errors, labels, tracking, and no leaks."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Scope
from parcelguard.domain.audit import LABEL_RENDERED
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.api_keys import create_api_key
from parcelguard.web.app import create_app


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client


def bearer(runtime: Runtime, *scopes: Scope) -> dict[str, str]:
    key = create_api_key(runtime.ctx, actor="test", name="test", scopes=scopes or (Scope.ADMIN,))
    return {"Authorization": f"Bearer {key.presented}"}


def an_order(seed: int = 5) -> dict[str, Any]:
    return SyntheticPeople(seed).order()


def test_issuing_needs_an_api_key(client: TestClient) -> None:
    response = client.post("/v1/waybills", json=an_order())
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_key_without_the_issue_scope_is_refused(client: TestClient, runtime: Runtime) -> None:
    response = client.post("/v1/waybills", json=an_order(), headers=bearer(runtime, Scope.WAYBILL_READ))
    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "message": "this key lacks the scope waybill:issue"}


def test_a_waybill_is_issued_and_read_back_masked(client: TestClient, runtime: Runtime) -> None:
    headers = bearer(runtime)
    order = an_order()
    created = client.post("/v1/waybills", json=order, headers=headers)
    assert created.status_code == 201, created.text
    number = created.json()["tracking_number"]
    read = client.get(f"/v1/waybills/{number}", headers=headers)
    assert read.status_code == 200
    body = read.json()
    assert body["masked"] == created.json()["masked"]
    assert order["recipient"]["name"] not in read.text
    assert order["sender"]["id_number"] not in read.text


def test_a_bad_order_gets_a_coded_error_that_does_not_echo_the_input(
    client: TestClient, runtime: Runtime
) -> None:
    order = an_order()
    order["recipient"]["mobile"] = "19999999999x-secret"
    response = client.post("/v1/waybills", json=order, headers=bearer(runtime))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_mobile"
    assert response.json()["field"] == "recipient.mobile"
    assert "19999999999" not in response.text


def test_a_malformed_field_gets_its_code_and_path_without_the_input(
    client: TestClient, runtime: Runtime
) -> None:
    order = an_order()
    order["parcel"]["weight_kg"] = {"nested": order["recipient"]["name"]}
    response = client.post("/v1/waybills", json=order, headers=bearer(runtime))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_parcel"
    assert response.json()["field"] == "parcel.weight_kg"
    assert order["recipient"]["name"] not in response.text


def test_a_batch_reports_each_item_and_replays_with_the_idempotency_key(
    client: TestClient, runtime: Runtime
) -> None:
    people = SyntheticPeople(21)
    orders = [people.order() for _ in range(3)]
    orders[1]["sender"]["id_type"] = "library_card"
    headers = {**bearer(runtime), "Idempotency-Key": "batch-0001"}
    first = client.post("/v1/waybills/batch", json={"orders": orders}, headers=headers)
    assert first.status_code == 200
    body = first.json()
    assert (body["issued"], body["failed"], body["replayed"]) == (2, 1, False)
    assert body["results"][1]["error"]["code"] == "invalid_id_type"
    again = client.post("/v1/waybills/batch", json={"orders": orders}, headers=headers).json()
    assert again["replayed"] is True
    assert again["results"] == body["results"]


def test_labels_come_in_pdf_png_and_zpl_and_the_png_barcodes_decode(
    client: TestClient, runtime: Runtime
) -> None:
    headers = bearer(runtime)
    number = client.post("/v1/waybills", json=an_order(), headers=headers).json()["tracking_number"]
    pdf = client.get(f"/v1/waybills/{number}/label?format=pdf", headers=headers)
    zpl = client.get(f"/v1/waybills/{number}/label?format=zpl", headers=headers)
    png = client.get(f"/v1/waybills/{number}/label?format=png", headers=headers)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert zpl.content.startswith(b"^XA")
    assert png.headers["content-type"] == "image/png"
    decoded = {r.format.name: r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))}
    assert decoded["Code128"] == number
    assert decoded["QRCode"].startswith("PGT1")


def test_a_zpl_batch_is_one_stream_of_the_labels_printed_alone_each_audited(
    client: TestClient, runtime: Runtime
) -> None:
    headers = bearer(runtime)
    numbers = [
        client.post("/v1/waybills", json=an_order(), headers=headers).json()["tracking_number"]
        for _ in range(3)
    ]
    body = {"tracking_numbers": numbers, "format": "zpl"}
    batch = client.post("/v1/labels/batch", json=body, headers=headers)
    assert batch.status_code == 200 and batch.headers["content-type"].startswith("text/plain")
    assert batch.headers["cache-control"] == "no-store"
    labels = batch.content.split(b"^XZ")[:-1]
    assert len(labels) == 3 and all(label.lstrip().startswith(b"^XA") for label in labels)
    for number, label in zip(numbers, labels, strict=True):
        assert number.encode() in label
        alone = client.get(f"/v1/waybills/{number}/label?format=zpl", headers=headers).content
        assert label.lstrip() + b"^XZ" == alone.strip()  # the same label, a token of its own waybill
    with runtime.ctx.uow() as uow:
        printed = [e for n in numbers for e in uow.audit.for_subject(n) if e.action == LABEL_RENDERED]
    assert len(printed) == 6  # three in the batch, three alone
    png = client.post("/v1/labels/batch", json={**body, "format": "png"}, headers=headers)
    assert png.status_code == 422 and png.json()["field"] == "format"


def test_an_unknown_label_format_is_a_coded_error(client: TestClient, runtime: Runtime) -> None:
    headers = bearer(runtime)
    number = client.post("/v1/waybills", json=an_order(), headers=headers).json()["tracking_number"]
    response = client.get(f"/v1/waybills/{number}/label?format=docx", headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_label_format"


def test_an_unknown_tracking_number_is_not_found(client: TestClient, runtime: Runtime) -> None:
    response = client.get("/v1/waybills/PG0000000000000", headers=bearer(runtime))
    assert response.status_code in (404, 422)
    assert response.json()["code"] in ("waybill_not_found", "invalid_tracking_number")


def test_public_tracking_is_rate_limited_per_client(client: TestClient, runtime: Runtime) -> None:
    number = client.post("/v1/waybills", json=an_order(), headers=bearer(runtime)).json()["tracking_number"]
    statuses = [
        client.get(f"/v1/track/{number}").status_code for _ in range(runtime.settings.track_burst + 1)
    ]
    assert statuses[:-1] == [200] * runtime.settings.track_burst
    assert statuses[-1] == 429
    limited = client.get(f"/v1/track/{number}")
    assert limited.json()["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1


def test_public_tracking_shows_no_personal_data(client: TestClient, runtime: Runtime) -> None:
    order = an_order()
    number = client.post("/v1/waybills", json=order, headers=bearer(runtime)).json()["tracking_number"]
    body = client.get(f"/v1/track/{number}").json()
    assert body["verified"] is False and body["destination"] is None
    assert set(body) == {"tracking_number", "status", "verified", "destination", "events"}


def test_the_tracking_page_renders_and_answers_with_a_fragment(client: TestClient, runtime: Runtime) -> None:
    number = client.post("/v1/waybills", json=an_order(), headers=bearer(runtime)).json()["tracking_number"]
    page = client.get("/")
    assert page.status_code == 200 and "hx-post" in page.text
    fragment = client.post("/track", data={"tracking_number": number, "mobile_last4": ""})
    assert number in fragment.text and "created" in fragment.text


def test_the_openapi_document_lists_the_waybill_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/v1/waybills",
        "/v1/waybills/batch",
        "/v1/waybills/{tracking_number}",
        "/v1/track/{tracking_number}",
    ):
        assert path in paths


def test_nothing_personal_reaches_the_logs(
    client: TestClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    headers = bearer(runtime)
    order = an_order(77)
    number = client.post("/v1/waybills", json=order, headers=headers).json()["tracking_number"]
    bad = an_order(78)
    bad["recipient"]["address"] = "火星" + bad["recipient"]["address"]
    client.post("/v1/waybills", json=bad, headers=headers)
    client.get(f"/v1/waybills/{number}/label?format=png", headers=headers)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for value in (order["recipient"]["name"], order["sender"]["id_number"], bad["recipient"]["address"]):
        assert value not in logged


def test_pages_and_answers_carry_security_headers(client: TestClient) -> None:
    page = client.get("/")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
