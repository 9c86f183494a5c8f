"""Issue 7, second review: what a new user still found broken in the HTTP API, each example a test.

Whitespace in free text, exact tracking numbers on every path, label formats in any case and never
repeated, duplicate JSON keys, strict deid ids (test_deid_interfaces), the body limit on every method, one
answer for every token a caller may not use, gram-precision weights, and the wording of three errors.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parcelguard.adapters.crypto.label_token import PREFIX
from parcelguard.adapters.db import migrate
from parcelguard.bootstrap import Runtime, bootstrap
from parcelguard.config import Settings
from parcelguard.domain.access import Scope
from parcelguard.domain.organisation import OrganisationKind
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.api_keys import create_api_key
from parcelguard.services.organisations import add_organisation
from parcelguard.web.app import create_app


def an_order(seed: int = 41) -> dict[str, Any]:
    return SyntheticPeople(seed).order()


def issue(client: TestClient, headers: dict[str, str], order: dict[str, Any] | None = None) -> str:
    response = client.post("/v1/waybills", json=order or an_order(), headers=headers)
    assert response.status_code == 201, response.text
    number: str = response.json()["tracking_number"]
    return number


def coded(response: Any) -> tuple[int, str, str | None]:
    body = response.json()
    return response.status_code, body["code"], body.get("field")


# --- 1. whitespace typed by input methods -----------------------------------------------------------------


@pytest.mark.parametrize("blank", ["\u3000", "\xa0", "\t", "\u2003"])
def test_ideographic_and_other_spaces_in_free_text_are_accepted_and_printed(
    client: TestClient, headers: dict[str, str], blank: str
) -> None:
    order = an_order()
    order["parcel"]["description"] = f"书{blank}籍"
    order["remarks"] = f"放{blank}门口"
    response = client.post("/v1/waybills", json=order, headers=headers)
    assert response.status_code == 201, response.text
    masked = response.json()["masked"]
    assert masked["parcel"]["description"] == "书 籍" and masked["remarks"] == "放 门口"
    label = client.get(f"/v1/waybills/{response.json()['tracking_number']}/label?format=zpl", headers=headers)
    assert label.status_code == 200, label.text
    assert "书 籍" in label.content.decode("utf-8")


def test_control_characters_in_free_text_stay_refused(client: TestClient, headers: dict[str, str]) -> None:
    order = an_order()
    order["parcel"]["description"] = "书\x00籍"
    answer = client.post("/v1/waybills", json=order, headers=headers)
    assert coded(answer) == (422, "invalid_parcel", "parcel.description")


# --- 2. tracking numbers: the exact shape, nothing stripped -------------------------------------------------

SPELLINGS = ["%0A", "%20", "%0D%0A", "%09", "%00", "%E3%80%80"]


@pytest.mark.parametrize("suffix", SPELLINGS)
def test_a_tracking_number_with_anything_around_it_is_422_on_every_path(
    client: TestClient, headers: dict[str, str], suffix: str
) -> None:
    number = issue(client, headers)
    raw = number + bytes.fromhex(suffix.replace("%", "")).decode("utf-8")
    answers = [
        client.get(f"/v1/track/{number}{suffix}"),
        client.post(f"/v1/track/{number}{suffix}", json={"mobile_last4": "1234"}),
        client.get(f"/v1/waybills/{number}{suffix}", headers=headers),
        client.get(f"/v1/waybills/{number}{suffix}/label", headers=headers),
        client.post(f"/v1/waybills/{number}{suffix}/label/revoke", headers=headers),
        client.post("/v1/labels/batch", json={"tracking_numbers": [raw]}, headers=headers),
    ]
    for response in answers:
        assert response.status_code == 422, (response.request.url, response.text)
        assert response.json()["code"] == "invalid_tracking_number"
    page = client.post("/track", data={"tracking_number": raw})
    assert page.status_code == 422 and "invalid_tracking_number" in page.text


def test_lower_case_is_read_as_capitals_on_every_path(client: TestClient, headers: dict[str, str]) -> None:
    number = issue(client, headers)
    lower = number.lower()
    assert client.get(f"/v1/track/{lower}").json()["tracking_number"] == number
    assert client.get(f"/v1/waybills/{lower}", headers=headers).json()["tracking_number"] == number
    label = client.get(f"/v1/waybills/{lower}/label?format=zpl", headers=headers)
    assert label.status_code == 200 and f'filename="{number}.zpl"' in label.headers["Content-Disposition"]
    assert client.post(f"/v1/waybills/{lower}/label/revoke", headers=headers).status_code == 200
    batch = client.post("/v1/labels/batch", json={"tracking_numbers": [lower]}, headers=headers)
    assert batch.status_code == 200


# --- 3. label format spellings ------------------------------------------------------------------------


@pytest.mark.parametrize(("spelling", "magic"), [("Pdf", b"%PDF"), ("pNG", b"\x89PNG"), ("Zpl", b"^XA")])
def test_the_label_format_is_case_insensitive(
    client: TestClient, headers: dict[str, str], spelling: str, magic: bytes
) -> None:
    number = issue(client, headers)
    response = client.get(f"/v1/waybills/{number}/label?format={spelling}", headers=headers)
    assert response.status_code == 200 and response.content.startswith(magic)


def test_a_repeated_format_parameter_is_refused(client: TestClient, headers: dict[str, str]) -> None:
    """``?format=pdf&format=zpl`` silently returned ZPL."""
    number = issue(client, headers)
    for query in ("format=pdf&format=zpl", "format=pdf&format=pdf"):
        response = client.get(f"/v1/waybills/{number}/label?{query}", headers=headers)
        assert coded(response) == (422, "duplicate_field", "format")


# --- 4. duplicate JSON keys ---------------------------------------------------------------------------


def _repeat(body: dict[str, Any], key: str, value: Any) -> str:
    """``body`` as JSON text with ``key`` given a second time (Python dicts cannot hold it)."""
    return json.dumps(body, ensure_ascii=False)[:-1] + f", {json.dumps(key)}: {json.dumps(value)}}}"


def test_a_second_parcel_key_is_refused_not_the_last_one_winning(
    client: TestClient, headers: dict[str, str]
) -> None:
    order = an_order()
    text = _repeat(order, "parcel", {"description": "书", "weight_kg": 9})
    json_headers = {**headers, "Content-Type": "application/json"}
    single = client.post("/v1/waybills", content=text.encode(), headers=json_headers)
    assert coded(single) == (422, "duplicate_field", "parcel")
    batch = client.post(
        "/v1/waybills/batch", content=('{"orders": [' + text + "]}").encode(), headers=json_headers
    )
    assert coded(batch) == (422, "duplicate_field", "orders.0.parcel")
    nested = json.dumps(order)
    nested = nested.replace('"weight_kg":', '"weight_kg": 2, "weight_kg":', 1)
    deep = client.post("/v1/waybills", content=nested.encode(), headers=json_headers)
    assert coded(deep) == (422, "duplicate_field", "parcel.weight_kg")


@pytest.mark.parametrize(
    ("path", "text", "field"),
    [
        ("/v1/deid/detect", '{"items": [{"text": "a", "text": "b"}]}', "items.0.text"),
        ("/v1/deid/redact", '{"items": [], "items": []}', "items"),
        ("/v1/labels/resolve", '{"token": "a", "token": "b"}', "token"),
        ("/v1/labels/batch", '{"tracking_numbers": [], "tracking_numbers": []}', "tracking_numbers"),
        ("/v1/track/PG0000000000000", '{"mobile_last4": "1234", "mobile_last4": "1234"}', "mobile_last4"),
    ],
)
def test_duplicate_keys_are_refused_on_every_json_body(
    client: TestClient, headers: dict[str, str], path: str, text: str, field: str
) -> None:
    response = client.post(
        path, content=text.encode(), headers={**headers, "Content-Type": "application/json"}
    )
    assert coded(response) == (422, "duplicate_field", field)


def test_duplicate_field_is_in_the_document(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "`duplicate_field` | 422" in document["info"]["description"]
    waybills = document["paths"]["/v1/waybills"]["post"]["responses"]["422"]["description"]
    label = document["paths"]["/v1/waybills/{tracking_number}/label"]["get"]["responses"]["422"]
    assert "duplicate_field" in waybills and "duplicate_field" in label["description"]


# --- 6. the body limit holds for every method -------------------------------------------------------------


@pytest.fixture
def small_limit(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    runtime = bootstrap(Settings(environment="test", home=tmp_path / "small", max_body_bytes=4096))
    migrate.upgrade(runtime.engine)
    key = create_api_key(runtime.ctx, actor="test", name="test", scopes=(Scope.ADMIN,))
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client, {"Authorization": f"Bearer {key.presented}"}


def test_a_chunked_body_over_the_limit_is_413_on_a_get_too(
    small_limit: tuple[TestClient, dict[str, str]],
) -> None:
    """20 MB chunked with ``GET /v1/track/...`` answered 200: routes that never read a body let it in."""
    client, headers = small_limit

    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            yield b"x" * 1024

    for method, path in (
        ("GET", "/v1/track/PG0000000000000"),
        ("GET", "/v1/waybills/PG0000000000000"),
        ("GET", "/healthz"),
        ("GET", "/"),
        ("DELETE", "/v1/waybills/batch"),
    ):
        response = client.request(method, path, content=chunks(), headers=headers)
        assert "content-length" not in {k.lower() for k in response.request.headers}
        assert coded(response)[:2] == (413, "request_too_large"), (method, path)
    declared = client.request("GET", "/v1/track/PG0000000000000", content=b"x" * 5000)
    assert coded(declared)[:2] == (413, "request_too_large")
    small = client.request("GET", "/healthz", content=b"x" * 100)
    assert small.status_code == 200


# --- 7. one answer for every token a caller may not use ----------------------------------------------------


def _altered(token: str) -> str:
    body = token[len(PREFIX) :]
    raw = bytearray(base64.b32decode(body + "=" * (-len(body) % 8)))
    raw[-1] ^= 0x01
    return PREFIX + base64.b32encode(bytes(raw)).decode("ascii").rstrip("=")


def test_another_platforms_token_answers_like_an_altered_or_unknown_one(
    client: TestClient, sqlite_runtime: Runtime
) -> None:
    ctx = sqlite_runtime.ctx
    shops = []
    for name in ("shop A", "shop B"):
        org = add_organisation(ctx, actor="test", name=name, kind=OrganisationKind.PLATFORM).id
        key = create_api_key(
            ctx,
            actor="test",
            name=name,
            scopes=(Scope.WAYBILL_ISSUE, Scope.LABEL_PRINT, Scope.LABEL_TOKEN_RESOLVE),
            organisation_id=org,
        )
        shops.append({"Authorization": f"Bearer {key.presented}"})
    shop_a, shop_b = shops
    number = issue(client, shop_a)
    assert client.get(f"/v1/waybills/{number}/label?format=zpl", headers=shop_a).status_code == 200
    with ctx.uow() as uow:
        sealed = uow.waybills.get(number)
        assert sealed is not None
        record = uow.label_tokens.active_for(sealed.id)
        assert record is not None
        token = ctx.tokens.encode(record.token_id, sealed.id)
        never_issued = ctx.tokens.issue(sealed.id).text
    assert client.post("/v1/labels/resolve", json={"token": token}, headers=shop_a).status_code == 200
    refusals = [
        client.post("/v1/labels/resolve", json={"token": text}, headers=who)
        for text, who in (
            (token, shop_b),  # real, another platform's
            (_altered(token), shop_b),  # its MAC altered
            (_altered(token), shop_a),  # altered, own platform's
            (never_issued, shop_b),  # authentic shape, never stored
            ("PGT1" + "A" * 52, shop_b),  # forged
            ("not a token", shop_b),  # malformed
        )
    ]
    first = (refusals[0].status_code, refusals[0].content)
    assert first[0] == 404 and json.loads(first[1])["code"] == "token_invalid"
    for response in refusals[1:]:
        assert (response.status_code, response.content) == first


# --- 8. weights at gram precision -------------------------------------------------------------------------


@pytest.mark.parametrize("weight", [0.9999, 0.0015, 1.23456789])
def test_a_weight_finer_than_a_gram_is_refused(
    client: TestClient, headers: dict[str, str], weight: float
) -> None:
    order = an_order()
    order["parcel"]["weight_kg"] = weight
    response = client.post("/v1/waybills", json=order, headers=headers)
    assert coded(response) == (422, "invalid_parcel", "parcel.weight_kg")
    assert "gram precision" in response.json()["message"]


def test_the_document_bounds_the_weight_to_grams(client: TestClient) -> None:
    weight = client.get("/openapi.json").json()["components"]["schemas"]["ParcelIn"]["properties"][
        "weight_kg"
    ]
    assert weight["multipleOf"] == 0.001


# --- 9. wording -----------------------------------------------------------------------------------------


def test_a_single_order_idempotency_conflict_speaks_of_a_request(
    client: TestClient, headers: dict[str, str]
) -> None:
    keyed = {**headers, "Idempotency-Key": "second-review-1"}
    assert client.post("/v1/waybills", json=an_order(1), headers=keyed).status_code == 201
    conflict = client.post("/v1/waybills", json=an_order(2), headers=keyed)
    assert coded(conflict)[:2] == (409, "idempotency_conflict")
    assert "request" in conflict.json()["message"] and "batch" not in conflict.json()["message"]


def test_a_bad_number_in_a_label_batch_names_its_index(client: TestClient, headers: dict[str, str]) -> None:
    number = issue(client, headers)
    body = {"tracking_numbers": [number, "PG０００００００００００００"]}
    response = client.post("/v1/labels/batch", json=body, headers=headers)
    assert coded(response) == (422, "invalid_tracking_number", "tracking_numbers.1")


@pytest.mark.parametrize(
    ("path", "text", "code", "field"),
    [
        ("/v1/waybills/batch", '{"orders": [], "\\ud800": 1}', "unknown_field", None),
        ("/v1/waybills", '{"sender": {"\\ud800": 1}}', "unknown_field", "sender"),
        ("/v1/deid/detect", '{"items": [{"text": "a", "\\ud800": 1}]}', "invalid_request", "items.0"),
        (
            "/v1/deid/redact",
            '{"items": [], "operators": {"\\ud800": "mask"}}',
            "invalid_request",
            "operators",
        ),
        ("/v1/deid/redact", '{"items": [], "operators": {"张伟": "mask"}}', "invalid_request", "operators"),
        ("/v1/labels/batch", '{"tracking_numbers": ["x"], "\\ud800": 1}', "invalid_request", None),
    ],
)
def test_a_key_that_cannot_be_shown_is_reported_at_its_parent(
    client: TestClient, headers: dict[str, str], path: str, text: str, code: str, field: str | None
) -> None:
    """A lone surrogate in a key gave ``unknown_field`` with no field, or a path holding the key itself."""
    response = client.post(
        path, content=text.encode(), headers={**headers, "Content-Type": "application/json"}
    )
    assert coded(response) == (422, code, field)
    assert "\ufffd" not in response.text and "张伟" not in response.text


def test_an_unknown_top_level_field_of_a_batch_item_speaks_of_the_order(
    client: TestClient, headers: dict[str, str]
) -> None:
    text = '{"orders": [{"\\ud800": 1}]}'
    response = client.post(
        "/v1/waybills/batch", content=text.encode(), headers={**headers, "Content-Type": "application/json"}
    )
    [item] = response.json()["results"]
    assert item["index"] == 0 and item["error"]["code"] == "unknown_field"
    assert "of the order" in item["error"]["message"]
