"""Review of POST /v1/labels/batch with a format (issue 9): the format in any letter case, as a single
label's and the CLI's; PNG, which has no container, refused with the label format's own code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Scope
from parcelguard.domain.audit import LABEL_RENDERED
from parcelguard.domain.organisation import OrganisationKind
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.services.api_keys import create_api_key
from parcelguard.services.organisations import add_organisation
from parcelguard.web.app import create_app
from tests.functional.test_api import an_order, bearer


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client


@pytest.mark.parametrize(("given", "starts"), [("ZPL", b"^XA"), ("Zpl", b"^XA"), ("PDF", b"%PDF")])
def test_a_batch_format_is_read_in_any_letter_case_as_a_single_labels_is(
    client: TestClient, runtime: Runtime, given: str, starts: bytes
) -> None:
    headers = bearer(runtime)
    number = client.post("/v1/waybills", json=an_order(), headers=headers).json()["tracking_number"]
    assert client.get(f"/v1/waybills/{number}/label?format={given}", headers=headers).status_code == 200

    batch = client.post(
        "/v1/labels/batch", json={"tracking_numbers": [number], "format": given}, headers=headers
    )

    assert batch.status_code == 200, batch.json()
    assert batch.content.startswith(starts)


@pytest.mark.parametrize("given", ["png", "PNG", "docx", "", "z" * 100])
def test_a_batch_in_png_or_an_unknown_format_is_invalid_label_format_and_prints_nothing(
    client: TestClient, runtime: Runtime, given: str
) -> None:
    headers = bearer(runtime)
    number = client.post("/v1/waybills", json=an_order(), headers=headers).json()["tracking_number"]

    refused = client.post(
        "/v1/labels/batch", json={"tracking_numbers": [number], "format": given}, headers=headers
    )

    assert refused.status_code == 422
    assert (refused.json()["code"], refused.json()["field"]) == ("invalid_label_format", "format")
    with runtime.ctx.uow() as uow:
        assert [e for e in uow.audit.for_subject(number) if e.action == LABEL_RENDERED] == []


def test_an_unknown_number_in_a_batch_is_named_by_its_place_as_another_tenants_is(
    client: TestClient, runtime: Runtime
) -> None:
    headers = bearer(runtime)
    ours = client.post("/v1/waybills", json=an_order(), headers=headers).json()["tracking_number"]
    shop = add_organisation(runtime.ctx, actor="t", name="shop", kind=OrganisationKind.PLATFORM)
    key = create_api_key(
        runtime.ctx, actor="t", name="s", scopes=(Scope.LABEL_PRINT,), organisation_id=shop.id
    )
    shop_headers = {"Authorization": f"Bearer {key.presented}"}
    nowhere = TrackingNumber.generate("PG").value

    answers = [
        client.post("/v1/labels/batch", json={"tracking_numbers": [n, n, other]}, headers=h)
        for n, other, h in ((ours, nowhere, headers), (ours, ours, shop_headers))
    ]

    assert answers[0].status_code == 404
    assert answers[0].json()["field"] == "tracking_numbers.2"
    assert answers[1].status_code == 404
    assert answers[1].json()["field"] == "tracking_numbers.0"
    assert "3 of the tracking numbers" in answers[1].json()["message"]
