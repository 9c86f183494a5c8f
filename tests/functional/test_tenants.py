"""Tenants over HTTP: a platform's key reaches only its own organisation's waybills, labels and tokens.

Another platform's waybill must be indistinguishable from a number that does not exist: same status, same
body, for every endpoint that takes a tracking number or a token. The carrier's admin keys see every tenant.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select

from parcelguard.adapters.db import models as m
from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Scope
from parcelguard.domain.organisation import CARRIER_ORGANISATION_ID, OrganisationKind
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.services.api_keys import create_api_key
from parcelguard.services.organisations import add_organisation
from parcelguard.web.app import create_app

PLATFORM_SCOPES = (
    Scope.WAYBILL_ISSUE,
    Scope.WAYBILL_READ,
    Scope.LABEL_PRINT,
    Scope.LABEL_TOKEN_RESOLVE,
)


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client


def key_of(runtime: Runtime, org_name: str | None, *scopes: Scope) -> dict[str, str]:
    """A bearer header for a new key of a new organisation (a platform), or of the carrier (None)."""
    organisation_id = CARRIER_ORGANISATION_ID
    if org_name is not None:
        organisation_id = add_organisation(
            runtime.ctx, actor="test", name=org_name, kind=OrganisationKind.PLATFORM
        ).id
    key = create_api_key(
        runtime.ctx,
        actor="test",
        name=f"{org_name} key",
        scopes=scopes or PLATFORM_SCOPES,
        organisation_id=organisation_id,
    )
    return {"Authorization": f"Bearer {key.presented}"}


def issue(client: TestClient, headers: dict[str, str], seed: int) -> str:
    response = client.post("/v1/waybills", json=SyntheticPeople(seed).order(), headers=headers)
    assert response.status_code == 201, response.text
    number: str = response.json()["tracking_number"]
    return number


def unknown_number(runtime: Runtime) -> str:
    return TrackingNumber.generate(runtime.ctx.carrier_prefix).value


def answer(response: Any) -> tuple[int, bytes]:
    return response.status_code, response.content


def test_another_platforms_waybill_answers_exactly_like_a_number_that_does_not_exist(
    client: TestClient, runtime: Runtime
) -> None:
    shop_a, shop_b = key_of(runtime, "shop A"), key_of(runtime, "shop B")
    theirs, nobodys = issue(client, shop_a, 1), unknown_number(runtime)

    for path in ("/v1/waybills/{}", "/v1/waybills/{}/label?format=zpl", "/v1/waybills/{}/label?format=pdf"):
        other, missing = (client.get(path.format(n), headers=shop_b) for n in (theirs, nobodys))
        assert other.status_code == 404, (path, other.text)
        assert answer(other) == answer(missing), path
    revoke_other, revoke_missing = (
        client.post(f"/v1/waybills/{n}/label/revoke", headers=shop_b) for n in (theirs, nobodys)
    )
    assert revoke_other.status_code == 404
    assert answer(revoke_other) == answer(revoke_missing)
    batch_other, batch_missing = (
        client.post("/v1/labels/batch", json={"tracking_numbers": [n]}, headers=shop_b)
        for n in (theirs, nobodys)
    )
    assert batch_other.status_code == 404
    assert answer(batch_other) == answer(batch_missing)
    # The owner still reads, prints and revokes its own.
    assert client.get(f"/v1/waybills/{theirs}", headers=shop_a).status_code == 200
    assert client.get(f"/v1/waybills/{theirs}/label?format=zpl", headers=shop_a).status_code == 200
    assert client.post(f"/v1/waybills/{theirs}/label/revoke", headers=shop_a).status_code == 200


def test_a_mixed_label_batch_is_refused_whole_like_one_with_an_unknown_number(
    client: TestClient, runtime: Runtime
) -> None:
    shop_a, shop_b = key_of(runtime, "shop A"), key_of(runtime, "shop B")
    mine, theirs = issue(client, shop_b, 2), issue(client, shop_a, 3)
    mixed = client.post("/v1/labels/batch", json={"tracking_numbers": [mine, theirs]}, headers=shop_b)
    unknown = client.post(
        "/v1/labels/batch", json={"tracking_numbers": [mine, unknown_number(runtime)]}, headers=shop_b
    )
    assert mixed.status_code == 404
    assert answer(mixed) == answer(unknown)


def test_another_platforms_label_token_resolves_like_an_unknown_one_even_once_revoked(
    client: TestClient, runtime: Runtime
) -> None:
    shop_a, shop_b = key_of(runtime, "shop A"), key_of(runtime, "shop B")
    number = issue(client, shop_a, 4)
    client.get(f"/v1/waybills/{number}/label?format=zpl", headers=shop_a)  # issues the token
    with runtime.ctx.uow() as uow:
        sealed = uow.waybills.get(number)
        assert sealed is not None
        record = uow.label_tokens.active_for(sealed.id)
        assert record is not None
        token = runtime.ctx.tokens.encode(record.token_id, sealed.id)
        never_issued = runtime.ctx.tokens.issue(sealed.id).text  # well-formed, authentic, never stored

    assert client.post("/v1/labels/resolve", json={"token": token}, headers=shop_a).status_code == 200
    other = client.post("/v1/labels/resolve", json={"token": token}, headers=shop_b)
    unknown = client.post("/v1/labels/resolve", json={"token": never_issued}, headers=shop_b)
    assert other.status_code == 404
    assert answer(other) == answer(unknown)

    client.post(f"/v1/waybills/{number}/label/revoke", headers=shop_a)
    assert client.post("/v1/labels/resolve", json={"token": token}, headers=shop_a).status_code == 410
    revoked_other = client.post("/v1/labels/resolve", json={"token": token}, headers=shop_b)
    assert answer(revoked_other) == answer(unknown)  # not 410: that would say the token exists


def test_the_carriers_admin_keys_see_every_tenant_and_its_other_keys_only_the_carriers_own(
    client: TestClient, runtime: Runtime
) -> None:
    shop = key_of(runtime, "shop A")
    number = issue(client, shop, 5)
    carrier_admin = key_of(runtime, None, Scope.ADMIN)
    carrier_reader = key_of(runtime, None, Scope.WAYBILL_READ)
    assert client.get(f"/v1/waybills/{number}", headers=carrier_admin).status_code == 200
    assert client.get(f"/v1/waybills/{number}", headers=carrier_reader).status_code == 404
    carriers_own = issue(client, carrier_admin, 6)
    assert client.get(f"/v1/waybills/{carriers_own}", headers=carrier_reader).status_code == 200
    assert client.get(f"/v1/waybills/{carriers_own}", headers=shop).status_code == 404


def test_a_platforms_admin_scope_stays_inside_its_own_organisation(
    client: TestClient, runtime: Runtime
) -> None:
    shop_a = key_of(runtime, "shop A")
    shop_b_admin = key_of(runtime, "shop B", Scope.ADMIN)
    number = issue(client, shop_a, 7)
    assert client.get(f"/v1/waybills/{number}", headers=shop_b_admin).status_code == 404
    assert (
        client.get(f"/v1/waybills/{issue(client, shop_b_admin, 8)}", headers=shop_b_admin).status_code == 200
    )


def test_the_same_idempotency_key_from_two_platforms_gives_each_its_own_batch(
    client: TestClient, runtime: Runtime
) -> None:
    shop_a, shop_b = key_of(runtime, "shop A"), key_of(runtime, "shop B")
    body = {"orders": [SyntheticPeople(9).order()]}
    headers = {"Idempotency-Key": "checkout-1"}
    first = client.post("/v1/waybills/batch", json=body, headers={**shop_a, **headers})
    second = client.post("/v1/waybills/batch", json=body, headers={**shop_b, **headers})
    assert first.status_code == second.status_code == 200, second.text
    a_number = first.json()["results"][0]["tracking_number"]
    b_number = second.json()["results"][0]["tracking_number"]
    assert not second.json()["replayed"] and a_number != b_number  # not answered from A's record
    assert client.get(f"/v1/waybills/{b_number}", headers=shop_b).status_code == 200
    assert client.get(f"/v1/waybills/{a_number}", headers=shop_b).status_code == 404


def test_each_waybill_records_the_organisation_that_issued_it_in_an_indexed_column(
    client: TestClient, runtime: Runtime
) -> None:
    shop = key_of(runtime, "shop A")
    number = issue(client, shop, 10)
    with runtime.engine.connect() as connection:
        organisation_id = connection.scalar(
            select(m.waybill.c.organisation_id).where(m.waybill.c.tracking_number == number)
        )
        shop_id = connection.scalar(select(m.organisation.c.id).where(m.organisation.c.name == "shop A"))
        indexes = {ix["name"]: ix["column_names"] for ix in inspect(connection).get_indexes("waybill")}
    assert organisation_id == shop_id != CARRIER_ORGANISATION_ID
    assert indexes["ix_waybill_organisation_id_created_at"] == ["organisation_id", "created_at"]
