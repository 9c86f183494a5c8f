"""The HTTP API's promises (issue 7): one strict order contract, coded errors with their place, no 500.

Each example from the issue is a test here; the kinds behind them (unknown fields, loose types, Unicode
identifiers, surrogates, oversized bodies) are covered for every endpoint they can reach.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parcelguard.adapters.db import migrate
from parcelguard.bootstrap import Runtime, bootstrap
from parcelguard.config import Settings
from parcelguard.domain.access import Scope
from parcelguard.domain.order import parse_order
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.errors import ErrorCode
from parcelguard.services.api_keys import create_api_key
from parcelguard.web.app import create_app
from parcelguard.web.errors import STATUS_BY_CODE


def an_order(seed: int = 5) -> dict[str, Any]:
    return SyntheticPeople(seed).order()


def with_value(order: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(order)
    *parents, leaf = path.split(".")
    target = changed
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[leaf]
    else:
        target[leaf] = value
    return changed


# --- one order contract -------------------------------------------------------------------------------

BAD_ORDERS = [
    pytest.param("sender.email", "someone@example.com", "unknown_field", id="sender.email"),
    pytest.param("foo", 1, "unknown_field", id="top-level foo"),
    pytest.param("parcel.weight_kg", True, "invalid_parcel", id="weight true"),
    pytest.param("parcel.weight_kg", "1.2", "invalid_parcel", id="weight string"),
    pytest.param("recipient.mobile", KeyError, "missing_field", id="mobile missing"),
    pytest.param("recipient.mobile", None, "missing_field", id="mobile null"),
    pytest.param("recipient.mobile", "12", "invalid_mobile", id="mobile invalid"),
    pytest.param("recipient.name", "\ud800", "invalid_name", id="lone surrogate"),
    pytest.param("remarks", 12, "invalid_request", id="remarks not text"),
]


@pytest.mark.parametrize(("path", "value", "code"), BAD_ORDERS)
def test_the_single_endpoint_refuses_what_the_contract_refuses_with_code_and_field(
    client: TestClient, headers: dict[str, str], path: str, value: Any, code: str
) -> None:
    body = json.dumps(with_value(an_order(), path, value), ensure_ascii=True)
    response = client.post(
        "/v1/waybills", content=body, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert response.json()["field"] == path


@pytest.mark.parametrize("key", [None, "batch-with-a-bad-item"])
@pytest.mark.parametrize(("path", "value", "code"), BAD_ORDERS)
def test_the_batch_refuses_the_same_item_alone_with_its_index_and_field(
    client: TestClient, headers: dict[str, str], path: str, value: Any, code: str, key: str | None
) -> None:
    orders = [an_order(1), with_value(an_order(2), path, value), an_order(3)]
    extra = {"Idempotency-Key": key} if key else {}
    response = client.post(
        "/v1/waybills/batch",
        content=json.dumps({"orders": orders}, ensure_ascii=True),
        headers={**headers, **extra, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["issued"], body["failed"]) == (2, 1)
    failed = body["results"][1]
    assert failed["index"] == 1 and failed["tracking_number"] is None
    assert (failed["error"]["code"], failed["error"]["field"]) == (code, path)


def test_the_batch_envelope_is_strict_too(client: TestClient, headers: dict[str, str]) -> None:
    cases = [
        ({"orders": [an_order()], "foo": 1}, "unknown_field", "foo"),
        ({}, "missing_field", "orders"),
        ({"orders": {"0": an_order()}}, "invalid_request", "orders"),
    ]
    for body, code, field in cases:
        response = client.post("/v1/waybills/batch", json=body, headers=headers)
        assert response.status_code == 422
        assert (response.json()["code"], response.json()["field"]) == (code, field)
    response = client.post("/v1/waybills/batch", json=[an_order()], headers=headers)
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")


def test_remarks_are_accepted_and_shown_masked_in_every_masked_view(
    client: TestClient, headers: dict[str, str]
) -> None:
    order = an_order()
    order["remarks"] = "到了打电话 13800138000，放门口"
    created = client.post("/v1/waybills", json=order, headers=headers)
    assert created.status_code == 201, created.text
    shown = created.json()["masked"]["remarks"]
    assert shown.startswith("到了打电话") and "13800138000" not in shown
    number = created.json()["tracking_number"]
    assert client.get(f"/v1/waybills/{number}", headers=headers).json()["masked"]["remarks"] == shown
    batch = client.post("/v1/waybills/batch", json={"orders": [order]}, headers=headers).json()
    assert batch["results"][0]["masked"]["remarks"] == shown
    png = client.get(f"/v1/waybills/{number}/label?format=png", headers=headers)
    assert png.status_code == 200
    resolved = client.post("/v1/labels/resolve", json={"token": _qr_token(png.content)}, headers=headers)
    assert resolved.json()["masked"]["remarks"] == shown


def _qr_token(png: bytes) -> str:
    import io

    import zxingcpp
    from PIL import Image

    decoded = {r.format.name: r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))}
    return decoded["QRCode"]


def test_the_idempotency_key_makes_two_posts_of_one_order_one_waybill(
    client: TestClient, headers: dict[str, str], sqlite_runtime: Runtime
) -> None:
    keyed = {**headers, "Idempotency-Key": "order-0001"}
    first = client.post("/v1/waybills", json=an_order(), headers=keyed)
    second = client.post("/v1/waybills", json=an_order(), headers=keyed)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == "true"
    with sqlite_runtime.ctx.uow() as uow:
        assert uow.waybills.any_tracking_number() == first.json()["tracking_number"]
    other = client.post("/v1/waybills", json=an_order(6), headers=keyed)
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_conflict")
    fresh = client.post("/v1/waybills", json=an_order(), headers=headers)
    assert fresh.json()["tracking_number"] != first.json()["tracking_number"]


def test_single_order_idempotency_holds_on_every_database(runtime: Runtime) -> None:
    key = create_api_key(runtime.ctx, actor="test", name="test", scopes=(Scope.WAYBILL_ISSUE,))
    keyed = {"Authorization": f"Bearer {key.presented}", "Idempotency-Key": "order-db"}
    with TestClient(create_app(runtime=runtime)) as client:
        first = client.post("/v1/waybills", json=an_order(), headers=keyed)
        again = client.post("/v1/waybills", json=an_order(), headers=keyed)
        other = client.post("/v1/waybills", json=an_order(8), headers=keyed)
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 409)
    assert again.json()["tracking_number"] == first.json()["tracking_number"]


def test_a_refused_order_records_nothing_under_its_idempotency_key(
    client: TestClient, headers: dict[str, str]
) -> None:
    keyed = {**headers, "Idempotency-Key": "order-0002"}
    bad = with_value(an_order(), "recipient.mobile", "12")
    assert client.post("/v1/waybills", json=bad, headers=keyed).status_code == 422
    assert client.post("/v1/waybills", json=an_order(), headers=keyed).status_code == 201


@pytest.mark.parametrize("key", ["", "clé", "x" * 129])
def test_a_bad_idempotency_key_is_a_coded_error(
    client: TestClient, headers: dict[str, str], key: str
) -> None:
    response = client.post(
        "/v1/waybills", json=an_order(), headers={**headers, "Idempotency-Key": key.encode()}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert response.json()["field"] == "Idempotency-Key"


# --- malformed bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/v1/waybills", "/v1/waybills/batch", "/v1/labels/resolve", "/v1/deid/detect"]
)
def test_malformed_json_is_400_with_line_and_column(
    client: TestClient, headers: dict[str, str], path: str
) -> None:
    response = client.post(
        path, content=b'{\n  "orders": [1,,2]\n}', headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "malformed_json"
    assert "line 2, column 16" in body["message"]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"a": "\xff\xfe"}', id="not UTF-8"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="deeply nested"),
        pytest.param(b'{"weight": ' + b"9" * 5000 + b"}", id="5000-digit number"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/waybills", "/v1/waybills/batch", "/v1/labels/batch"])
def test_bodies_json_cannot_hold_are_malformed_json_not_500(
    client: TestClient, headers: dict[str, str], path: str, content: bytes
) -> None:
    response = client.post(path, content=content, headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "malformed_json"


def test_a_missing_body_is_missing_field(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/v1/waybills", headers=headers)
    assert (response.status_code, response.json()["code"]) == (422, "missing_field")


def test_pydantic_bodies_say_missing_unknown_or_invalid_with_the_field(
    client: TestClient, headers: dict[str, str]
) -> None:
    cases = [
        ({}, "missing_field", "tracking_numbers"),
        ({"tracking_numbers": ["PG1"], "foo": 1}, "unknown_field", "foo"),
        ({"tracking_numbers": "PG1"}, "invalid_request", "tracking_numbers"),
    ]
    for body, code, field in cases:
        response = client.post("/v1/labels/batch", json=body, headers=headers)
        assert response.status_code == 422
        assert (response.json()["code"], response.json()["field"]) == (code, field)


# --- no 500, ever -------------------------------------------------------------------------------------

UNICODE_NUMBERS = [
    "PG０００００００００００００",
    "PG\u0664\u0668\u0662\u0661" + "0" * 9,
    "ＰＧ4821907735106",
]


@pytest.mark.parametrize("number", UNICODE_NUMBERS)
def test_unicode_digit_tracking_numbers_are_422_on_every_endpoint(
    client: TestClient, headers: dict[str, str], number: str
) -> None:
    answers = [
        client.get(f"/v1/track/{number}"),
        client.post(f"/v1/track/{number}", json={"mobile_last4": "1234"}),
        client.get(f"/v1/waybills/{number}", headers=headers),
        client.get(f"/v1/waybills/{number}/label", headers=headers),
        client.post(f"/v1/waybills/{number}/label/revoke", headers=headers),
        client.post("/v1/labels/batch", json={"tracking_numbers": [number]}, headers=headers),
        client.post("/track", data={"tracking_number": number, "mobile_last4": ""}),
    ]
    for response in answers[:-1]:
        assert response.status_code == 422, (response.request.url, response.text)
        assert response.json()["code"] == "invalid_tracking_number"
    assert answers[-1].status_code < 500 and "invalid_tracking_number" in answers[-1].text


LONE_SURROGATE = '"\\ud800"'  # JSON text for one unpaired surrogate; "@" below stands for it


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/deid/detect", '{"items": [{"id": @, "text": "x"}]}'),
        ("/v1/deid/detect", '{"items": [{"text": @}]}'),
        ("/v1/deid/redact", '{"items": [{"text": "张伟 \\ud800 13800138000"}]}'),
        ("/v1/labels/resolve", '{"token": @}'),
        ("/v1/labels/batch", '{"tracking_numbers": [@]}'),
        ("/v1/track/PG0000000000000", '{"mobile_last4": @}'),
        ("/v1/waybills/batch", '{"orders": [], @: 1}'),
        ("/v1/waybills", "{@: 1}"),
    ],
)
def test_a_lone_surrogate_anywhere_is_a_coded_422_never_a_500(
    client: TestClient, headers: dict[str, str], path: str, body: str
) -> None:
    content = body.replace("@", LONE_SURROGATE).encode()
    response = client.post(path, content=content, headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["code"] in {c.value for c in ErrorCode}


def test_text_no_label_font_draws_refuses_that_order_alone_not_the_batch(
    client: TestClient, headers: dict[str, str]
) -> None:
    """U+9FFF (a code point no label font has a glyph for) once failed a whole batch with a 500."""
    undrawable = with_value(an_order(2), "parcel.description", "书籍\u9fff")
    single = client.post("/v1/waybills", json=undrawable, headers=headers)
    assert (single.status_code, single.json()["code"]) == (422, "label_glyph_missing")
    assert single.json()["field"] == "parcel.description"
    batch = client.post("/v1/waybills/batch", json={"orders": [an_order(1), undrawable]}, headers=headers)
    assert batch.status_code == 200
    body = batch.json()
    assert (body["issued"], body["failed"]) == (1, 1)
    assert body["results"][1]["error"]["code"] == "label_glyph_missing"


def test_an_unknown_path_and_a_wrong_method_are_coded_and_405_says_allow(
    client: TestClient, headers: dict[str, str]
) -> None:
    missing = client.get("/v1/nothing-here", headers=headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    wrong = client.delete("/v1/waybills/batch", headers=headers)
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method_not_allowed")
    assert wrong.headers["Allow"] == "POST"


def test_every_error_code_has_an_http_status() -> None:
    assert set(STATUS_BY_CODE) == set(ErrorCode)


# --- bodies are limited before they are parsed ----------------------------------------------------------


@pytest.fixture
def small_limit_client(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(environment="test", home=tmp_path / "small", max_body_bytes=4096)
    runtime = bootstrap(settings)
    migrate.upgrade(runtime.engine)
    key = create_api_key(runtime.ctx, actor="test", name="test", scopes=(Scope.ADMIN,))
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client, {"Authorization": f"Bearer {key.presented}"}


def test_a_body_over_the_limit_is_413_for_keys_and_for_anyone(
    small_limit_client: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = small_limit_client
    big = {"orders": [an_order(seed) for seed in range(20)]}
    answers = [
        client.post("/v1/waybills/batch", json=big, headers=headers),
        client.post("/v1/waybills/batch", json=big),  # anonymous: refused for size before the key is checked
        client.post("/v1/track/PG0000000000000", json={"mobile_last4": "1" * 10_000}),
        client.post("/track", data={"tracking_number": "x" * 10_000}),
    ]
    for response in answers:
        assert response.status_code == 413, response.text
        assert response.json()["code"] == "request_too_large"
        assert response.headers["Cache-Control"] == "no-store"
    assert client.post("/v1/waybills", json=an_order(), headers=headers).status_code == 201


def test_a_chunked_body_without_content_length_is_counted_too(
    small_limit_client: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = small_limit_client

    def chunks() -> Iterator[bytes]:
        yield b'{"orders": ['
        for _ in range(100):
            yield json.dumps(an_order()).encode() + b","
        yield b"{}]}"

    response = client.post(
        "/v1/waybills/batch", content=chunks(), headers={**headers, "Content-Type": "application/json"}
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert (response.status_code, response.json()["code"]) == (413, "request_too_large")


# --- headers ------------------------------------------------------------------------------------------


def test_answers_with_personal_data_are_never_stored_by_caches(
    client: TestClient, headers: dict[str, str]
) -> None:
    created = client.post("/v1/waybills", json=an_order(), headers=headers)
    number = created.json()["tracking_number"]
    answers = [
        created,
        client.get(f"/v1/waybills/{number}", headers=headers),
        client.get(f"/v1/waybills/{number}/label?format=PDF", headers=headers),
        client.post("/v1/waybills/batch", json={"orders": [an_order(9)]}, headers=headers),
        client.get(f"/v1/track/{number}"),
        client.post("/track", data={"tracking_number": number, "mobile_last4": ""}),
        client.post("/v1/waybills", json={}, headers=headers),
        client.post("/v1/deid/detect", json={"items": [{"text": "张伟 13800138000"}]}, headers=headers),
    ]
    for response in answers:
        assert response.status_code < 500
        assert response.headers["Cache-Control"] == "no-store", response.request.url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in client.get("/static/parcelguard.css").headers.get("Cache-Control", "")


def test_the_label_format_is_an_enum_and_capitals_work(client: TestClient, headers: dict[str, str]) -> None:
    number = client.post("/v1/waybills", json=an_order(), headers=headers).json()["tracking_number"]
    pdf = client.get(f"/v1/waybills/{number}/label?format=PDF", headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/v1/waybills/{number}/label?format=ZPL", headers=headers).content.startswith(b"^XA")
    mixed = client.get(f"/v1/waybills/{number}/label?format=Pdf", headers=headers)  # any case (second review)
    assert mixed.status_code == 200 and mixed.content.startswith(b"%PDF")
    other = client.get(f"/v1/waybills/{number}/label?format=gif", headers=headers)
    assert (other.status_code, other.json()["code"]) == (422, "invalid_label_format")


# --- the OpenAPI document is the contract ---------------------------------------------------------------


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_the_document_has_a_bearer_security_scheme_and_names_the_scope_of_each_operation(
    document: dict[str, Any],
) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiKeyBearer"] == {**schemes["ApiKeyBearer"], "type": "http", "scheme": "bearer"}
    assert schemes["ApiKeyHeader"]["name"] == "X-API-Key"
    issue = document["paths"]["/v1/waybills"]["post"]
    assert issue["security"] == [{"ApiKeyBearer": ["waybill:issue"]}, {"ApiKeyHeader": ["waybill:issue"]}]
    for item in document["paths"].values():
        for operation in item.values():
            names = {p["name"].lower() for p in operation.get("parameters", [])}
            assert not names & {"authorization", "x-api-key"}  # no longer two optional headers
    for scope in Scope:
        assert f"`{scope.value}`" in document["info"]["description"]
    for code in ErrorCode:
        assert f"`{code.value}`" in document["info"]["description"]


def test_every_operation_documents_its_errors_with_the_error_body(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert "500" in statuses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= statuses, (method, path)
            if operation.get("security"):
                assert {"401", "403"} <= statuses, (method, path)
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorRead"}
    error = document["components"]["schemas"]["ErrorRead"]
    assert set(error["properties"]) == {"code", "message", "field"}
    assert set(document["components"]["schemas"]["ErrorCode"]["enum"]) == {c.value for c in ErrorCode}
    track = document["paths"]["/v1/track/{tracking_number}"]["get"]["responses"]
    assert "Retry-After" in track["429"]["headers"] and "404" in track and "422" in track


def test_the_order_schema_is_the_domain_contract_with_its_bounds(document: dict[str, Any]) -> None:
    from parcelguard.domain import order as contract
    from parcelguard.domain.pii.address import MAX_ADDRESS_LENGTH
    from parcelguard.domain.pii.id_type import ID_TYPES
    from parcelguard.domain.pii.name import MAX_NAME_LENGTH

    schemas = document["components"]["schemas"]
    create = schemas["WaybillCreate"]
    assert tuple(create["properties"]) == contract.ORDER_FIELDS
    assert tuple(schemas["PartyIn"]["properties"]) == contract.PARTY_FIELDS
    assert tuple(schemas["SenderIn"]["properties"]) == contract.SENDER_FIELDS
    assert tuple(schemas["ParcelIn"]["properties"]) == contract.PARCEL_FIELDS
    for name in ("WaybillCreate", "PartyIn", "SenderIn", "ParcelIn", "WaybillBatchCreate"):
        assert schemas[name]["additionalProperties"] is False
    weight = schemas["ParcelIn"]["properties"]["weight_kg"]
    assert (weight["type"], weight["minimum"], weight["maximum"]) == (
        "number",
        contract.MIN_WEIGHT_KG,
        contract.MAX_WEIGHT_KG,
    )
    assert schemas["ParcelIn"]["properties"]["description"]["maxLength"] == contract.MAX_DESCRIPTION_CHARS
    assert schemas["PartyIn"]["properties"]["name"]["maxLength"] == MAX_NAME_LENGTH
    assert schemas["PartyIn"]["properties"]["address"]["maxLength"] == MAX_ADDRESS_LENGTH
    assert schemas["SenderIn"]["properties"]["id_type"]["enum"] == list(ID_TYPES)
    orders = schemas["WaybillBatchCreate"]["properties"]["orders"]
    assert orders["items"] == {"$ref": "#/components/schemas/WaybillCreate"} and orders["maxItems"] == 1000
    for path in ("/v1/waybills", "/v1/waybills/batch"):
        body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        name = "WaybillCreate" if path == "/v1/waybills" else "WaybillBatchCreate"
        assert body == {"$ref": f"#/components/schemas/{name}"}
    [example] = create["examples"]
    assert parse_order(example).remarks == example["remarks"]  # the document's example is a valid order
    label = document["paths"]["/v1/waybills/{tracking_number}/label"]["get"]["parameters"]
    [fmt] = [p for p in label if p["name"] == "format"]
    assert set(fmt["schema"]["enum"]) == {"pdf", "png", "zpl", "PDF", "PNG", "ZPL"}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_work_offline_under_the_content_security_policy(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
    assert "<script>" not in response.text  # every script is a file from this origin
    assert "http://" not in response.text and "https://" not in response.text  # no CDN
    bundle = {"/docs": "/docs-assets/swagger-ui-bundle.js", "/redoc": "/docs-assets/redoc.standalone.js"}[
        page
    ]
    assert f'src="{bundle}"' in response.text
    for asset in (
        "/docs-assets/swagger-ui-bundle.js",
        "/docs-assets/swagger-ui.css",
        "/docs-assets/redoc.standalone.js",
        "/static/swagger-init.js",
    ):
        served = client.get(asset)
        assert served.status_code == 200 and len(served.content) > 100
        assert served.headers["X-Content-Type-Options"] == "nosniff"
