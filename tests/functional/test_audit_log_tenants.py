"""GET /v1/audit/*: the verifiable audit log holds every organisation's events (staff usernames, client
addresses, tickets, tracking numbers), so only the carrier's auditors read it. A platform's admin key or
admin person, whatever its scopes or role, is ``forbidden`` on every route, before any query is read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import ALL_SCOPES, Scope
from parcelguard.domain.checkpoint import Checkpoint, parse_note
from parcelguard.domain.organisation import OrganisationKind
from parcelguard.domain.people import Role
from parcelguard.services import people
from parcelguard.services.api_keys import create_api_key
from parcelguard.services.organisations import add_organisation
from parcelguard.web.app import create_app
from tests.reveal_world import PASSWORD, World, build_world

PLATFORM_PEOPLE = {
    "shop.admin": Role.ADMIN,
    "shop.officer": Role.SECURITY_OFFICER,
    "shop.regulator": Role.REGULATOR,
}


class Site:
    def __init__(self, client: TestClient, world: World, keys: dict[str, str]) -> None:
        self.client = client
        self.world = world
        self.keys = keys  # name -> presented API key

    def bearer_of(self, who: str) -> dict[str, str]:
        """An API key by name, or a person's token (signed in now, with their one-time code)."""
        if who in self.keys:
            return {"Authorization": f"Bearer {self.keys[who]}"}
        body = {"username": who, "password": PASSWORD}
        if who in self.world.secrets:
            body["otp"] = self.world.ctx.otp.code_at(self.world.secrets[who], self.world.clock.now)
            self.world.clock.advance(seconds=30)  # each code works once: the next sign-in needs the next
        answer = self.client.post("/v1/auth/token", json=body)
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture
def site(sqlite_runtime: Runtime) -> Iterator[Site]:
    world = build_world(sqlite_runtime.ctx, only=("admin.one", "regulator.one"))
    shop = add_organisation(world.ctx, actor="t", name="shop2", kind=OrganisationKind.PLATFORM)
    for username, role in PLATFORM_PEOPLE.items():
        user, uri = people.add_user(
            world.ctx, username=username, role=role, password=PASSWORD, organisation_id=shop.id, actor="t"
        )
        world.users[username] = user
        if uri is not None:
            world.secrets[username] = uri.split("secret=")[1].split("&")[0]
    keys = {
        "shop admin key": create_api_key(
            world.ctx, actor="t", name="aud", scopes=(Scope.ADMIN,), organisation_id=shop.id
        ).presented,
        "shop every-scope key": create_api_key(
            world.ctx, actor="t", name="all", scopes=ALL_SCOPES, organisation_id=shop.id
        ).presented,
        "carrier admin key": create_api_key(
            world.ctx, actor="t", name="aud", scopes=(Scope.ADMIN,)
        ).presented,
    }
    world.issue()  # a waybill of the carrier's: its events are in the log
    with TestClient(create_app(runtime=replace(sqlite_runtime, ctx=world.ctx))) as client:
        yield Site(client, world, keys)


def every_route(site: Site) -> list[str]:
    """Each audit route with arguments a carrier auditor gets 200 for (the log as it is now)."""
    answer = site.client.get("/v1/audit/checkpoint", headers=site.bearer_of("carrier admin key"))
    assert answer.status_code == 200, answer.text
    size = Checkpoint.parse(parse_note(answer.text)[0]).size
    assert size > 2
    return [
        "/v1/audit/checkpoint",
        f"/v1/audit/proof/inclusion?index=0&size={size}",
        f"/v1/audit/proof/consistency?first=1&second={size}",
        f"/v1/audit/entries?start=0&end={size}",
    ]


@pytest.mark.parametrize(
    "who", ["shop admin key", "shop every-scope key", "shop.admin", "shop.officer", "shop.regulator"]
)
def test_a_platforms_admin_key_or_person_is_forbidden_on_every_audit_route(site: Site, who: str) -> None:
    headers = site.bearer_of(who)
    for path in every_route(site):
        answer = site.client.get(path, headers=headers)
        assert answer.status_code == 403, (who, path, answer.text)
        assert answer.json()["code"] == "forbidden", (who, path)
        assert "canonical" not in answer.text and "user:" not in answer.text


@pytest.mark.parametrize("who", ["shop admin key", "shop.admin"])
def test_a_platform_is_refused_before_its_query_is_read(site: Site, who: str) -> None:
    headers = site.bearer_of(who)
    for path in ("/v1/audit/entries?start=0&end=5000", "/v1/audit/proof/inclusion?index=-1&size=0"):
        assert site.client.get(path, headers=headers).status_code == 403, (who, path)


@pytest.mark.parametrize("who", ["carrier admin key", "admin.one", "regulator.one"])
def test_the_carriers_admin_key_and_auditors_read_every_audit_route(site: Site, who: str) -> None:
    headers = site.bearer_of(who)
    for path in every_route(site):
        answer = site.client.get(path, headers=headers)
        assert answer.status_code == 200, (who, path, answer.text)
    routes = every_route(site)
    entries = site.client.get(routes[-1], headers=headers).json()["entries"]
    assert len(entries) == int(routes[-1].rsplit("=", 1)[1])


def test_the_documented_responses_of_every_audit_route_include_403(site: Site) -> None:
    document = site.client.get("/openapi.json").json()
    for path in ("/v1/audit/checkpoint", "/v1/audit/proof/inclusion", "/v1/audit/proof/consistency"):
        operation = document["paths"][path]["get"]
        assert "403" in operation["responses"] and operation.get("security"), path
    assert "403" in document["paths"]["/v1/audit/entries"]["get"]["responses"]
