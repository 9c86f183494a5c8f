"""/v1/access over HTTP: the same answer whatever matched, a pass for the right code, the parcel's accesses
with proofs that verify against the signed checkpoint, and nothing without a pass."""

from __future__ import annotations

import dataclasses
import re

from fastapi.testclient import TestClient

from parcelguard.adapters.notify import InMemoryNotifier
from parcelguard.bootstrap import Runtime
from parcelguard.domain import merkle
from parcelguard.domain.pii import Mobile
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.services import transparency_log
from parcelguard.services.issuance import issue_waybill
from parcelguard.web.app import create_app


def test_a_customer_gets_a_pass_and_the_parcels_accesses_with_proofs_over_http(
    sqlite_runtime: Runtime, headers: dict[str, str]
) -> None:
    sms = InMemoryNotifier()
    runtime = dataclasses.replace(
        sqlite_runtime, access=dataclasses.replace(sqlite_runtime.access, notifier=sms)
    )
    order = SyntheticPeople(seed="access-api").order()
    number = issue_waybill(runtime.ctx, order, actor="test").tracking_number
    mobile = Mobile.parse(str(order["recipient"]["mobile"])).value
    with TestClient(create_app(runtime=runtime)) as client:
        assert client.get(f"/v1/waybills/{number}", headers=headers).status_code == 200  # a masked view

        unknown = client.post(
            "/v1/access/challenge",
            json={"tracking_number": TrackingNumber.generate("PG").value, "mobile_last4": mobile[-4:]},
        )
        known = client.post(
            "/v1/access/challenge", json={"tracking_number": number, "mobile_last4": mobile[-4:]}
        )
        assert unknown.status_code == known.status_code == 202
        assert set(unknown.json()) == set(known.json()) == {"challenge_id", "expires_at"}
        assert len(sms.messages_to(mobile)) == 1
        code = re.findall(r"\b[0-9]{6}\b", sms.messages_to(mobile)[0])[0]

        wrong = client.post(
            "/v1/access/verify", json={"challenge_id": unknown.json()["challenge_id"], "code": code}
        )
        assert (wrong.status_code, wrong.json()["code"]) == (401, "access_code_invalid")
        granted = client.post(
            "/v1/access/verify", json={"challenge_id": known.json()["challenge_id"], "code": code}
        )
        assert granted.status_code == 200
        again = client.post(
            "/v1/access/verify", json={"challenge_id": known.json()["challenge_id"], "code": code}
        )
        assert (again.status_code, again.json()["code"]) == (410, "access_code_expired")

        assert client.get("/v1/access/events").status_code == 401
        assert client.get("/v1/access/events", headers=headers).status_code == 401, "an API key is no pass"
        answer = client.get(
            "/v1/access/events", headers={"Authorization": f"Bearer {granted.json()['access_token']}"}
        )
        assert answer.status_code == 200
        body = answer.json()
        kinds = [a["access"]["kind"] for a in body["accesses"]]
        assert "viewed_masked" in kinds
        checkpoint = transparency_log.verify_signed(runtime.ctx, body["checkpoint"])
        for item in body["accesses"]:
            inclusion = item["inclusion"]
            assert inclusion["tree_size"] == checkpoint.size
            merkle.verify_inclusion(
                inclusion["leaf_index"],
                inclusion["tree_size"],
                bytes.fromhex(inclusion["leaf_hash"]),
                [bytes.fromhex(node) for node in inclusion["proof"]],
                checkpoint.root_hash,
            )
