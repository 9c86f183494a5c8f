"""GET /v1/audit/*: auditors and regulators read the signed checkpoint, proofs and entries over HTTP, and
what they get verifies with the RFC 9162 verifier against the signed root; nobody else reads it."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.domain import merkle
from parcelguard.domain.access import Scope
from parcelguard.domain.checkpoint import Checkpoint, parse_note
from parcelguard.services.api_keys import create_api_key
from parcelguard.web.app import create_app
from tests.reveal_world import PASSWORD, World, build_world


class Api:
    def __init__(self, client: TestClient, world: World) -> None:
        self.client = client
        self.world = world
        self._tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username in self._tokens:  # a one-time code signs in once
            return self._tokens[username]
        body = {"username": username, "password": PASSWORD, "device": "laptop"}
        if username in self.world.secrets:
            body["otp"] = self.world.ctx.otp.code_at(self.world.secrets[username], self.world.clock.now)
        answer = self.client.post("/v1/auth/token", json=body)
        assert answer.status_code == 200, answer.text
        self._tokens[username] = str(answer.json()["access_token"])
        return self._tokens[username]

    def get(self, path: str, who: str | None = "regulator.one", **params: int) -> Any:
        headers = {"Authorization": f"Bearer {self.token(who)}"} if who else {}
        return self.client.get(path, params=params, headers=headers)


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[Api]:
    world = build_world(sqlite_runtime.ctx)
    with TestClient(create_app(runtime=replace(sqlite_runtime, ctx=world.ctx))) as client:
        yield Api(client, world)


def checkpoint_of(text: str) -> Checkpoint:
    body, _ = parse_note(text)
    return Checkpoint.parse(body)


def test_regulators_and_officers_read_the_log_and_it_verifies(api: Api) -> None:
    answer = api.get("/v1/audit/checkpoint")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    first = checkpoint_of(answer.text)
    assert first.size > 0  # the sign-ins and the staff set-up are events too
    second_answer = api.get("/v1/audit/checkpoint", "officer.one")
    second = checkpoint_of(second_answer.text)
    assert second.size > first.size  # the officer's own sign-in landed in between

    entries = api.get("/v1/audit/entries", start=0, end=second.size).json()["entries"]
    assert [e["leaf_index"] for e in entries] == list(range(second.size))
    leaves = []
    for entry in entries:
        leaf = hashlib.sha256(b"\x00" + entry["canonical"].encode()).digest()
        assert leaf.hex() == entry["leaf_hash"]
        leaves.append(leaf)
    assert merkle.root_from_leaves(leaves) == second.root_hash
    assert any('"action":"access:sign_in:succeeded"' in e["canonical"] for e in entries)

    for index in (0, second.size // 2, second.size - 1):
        proof = api.get("/v1/audit/proof/inclusion", index=index, size=second.size).json()
        assert bytes.fromhex(proof["leaf_hash"]) == leaves[index]
        merkle.verify_inclusion(
            index, second.size, leaves[index], [bytes.fromhex(h) for h in proof["proof"]], second.root_hash
        )
    consistency = api.get("/v1/audit/proof/consistency", first=first.size, second=second.size).json()
    merkle.verify_consistency(
        first.size,
        second.size,
        first.root_hash,
        second.root_hash,
        [bytes.fromhex(h) for h in consistency["proof"]],
    )
    assert base64.b64encode(second.root_hash).decode() in second_answer.text


def test_an_admin_api_key_reads_it_and_other_people_do_not(api: Api) -> None:
    key = create_api_key(api.world.ctx, actor="test", name="auditor", scopes=(Scope.ADMIN,))
    answer = api.client.get("/v1/audit/checkpoint", headers={"Authorization": f"Bearer {key.presented}"})
    assert answer.status_code == 200
    read_only = create_api_key(api.world.ctx, actor="test", name="reader", scopes=(Scope.WAYBILL_READ,))
    answer = api.client.get(
        "/v1/audit/checkpoint", headers={"Authorization": f"Bearer {read_only.presented}"}
    )
    assert answer.status_code == 403
    for who in ("agent.one", "courier.ns", "manager.ns"):
        assert api.get("/v1/audit/checkpoint", who).status_code == 403, who
        assert api.get("/v1/audit/entries", who, start=0, end=1).status_code == 403, who
    assert api.get("/v1/audit/checkpoint", None).status_code == 401


def test_out_of_range_requests_are_422(api: Api) -> None:
    size = checkpoint_of(api.get("/v1/audit/checkpoint").text).size
    assert api.get("/v1/audit/proof/inclusion", index=size, size=size).status_code == 422
    assert api.get("/v1/audit/proof/inclusion", index=0, size=size + 10_000).status_code == 422
    assert api.get("/v1/audit/proof/consistency", first=0, second=size).status_code == 422
    assert api.get("/v1/audit/entries", start=0, end=2000).status_code == 422
    assert api.get("/v1/audit/proof/inclusion", index=-1, size=size).status_code == 422
