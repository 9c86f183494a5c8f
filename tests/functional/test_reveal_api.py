"""POST /v1/reveal and the parcel's life over HTTP, with people's bearer tokens: every refusal code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import ALL_SCOPES, Principal, Scope
from parcelguard.services import people
from parcelguard.services.api_keys import create_api_key
from parcelguard.services.labels import render_label, revoke_label_tokens
from parcelguard.web.app import create_app
from tests.reveal_world import LIMITS, PASSWORD, World, build_world

RECIPIENT = ["recipient.name", "recipient.address", "recipient.mobile"]
OPERATOR = Principal(actor="test", scopes=ALL_SCOPES)


class Api:
    """A TestClient over the world's runtime, signing people in as they are needed."""

    def __init__(self, client: TestClient, world: World) -> None:
        self.client = client
        self.world = world
        self._tokens: dict[tuple[str, int], str] = {}

    def token(self, username: str) -> str:
        step = int(self.world.clock.now.timestamp()) // 30
        key = (username, step)
        if key not in self._tokens:
            body: dict[str, str] = {"username": username, "password": PASSWORD, "device": "pda-7"}
            if username in self.world.secrets:
                body["otp"] = self.world.ctx.otp.code_at(self.world.secrets[username], self.world.clock.now)
            answer = self.client.post("/v1/auth/token", json=body)
            assert answer.status_code == 200, answer.text
            self._tokens[key] = answer.json()["access_token"]
        return self._tokens[key]

    def post(self, username: str, path: str, body: object) -> Any:
        return self.client.post(path, json=body, headers={"Authorization": f"Bearer {self.token(username)}"})

    def reveal(self, username: str, **body: object) -> Any:
        body.setdefault("fields", RECIPIENT)
        body.setdefault("purpose", "delivery")
        return self.post(username, "/v1/reveal", body)

    def event(self, username: str, number: str, status: str, **extra: str) -> Any:
        answer = self.post(username, f"/v1/waybills/{number}/events", {"status": status, **extra})
        return answer

    def out_for_delivery(self, courier: str = "courier.ns", seed: int = 11) -> str:
        number = self.world.issue(seed)
        for who, status in (
            ("courier.ns", "picked_up"),
            ("manager.ns", "in_transit"),
            ("clerk.ns", "at_station"),
        ):
            assert self.event(who, number, status).status_code == 201
        assigned = self.post(
            "manager.ns", "/v1/dispatch/assignments", {"tracking_number": number, "courier": courier}
        )
        assert assigned.status_code == 201, assigned.text
        assert self.event(courier, number, "out_for_delivery").status_code == 201
        return number


@pytest.fixture
def api(sqlite_runtime: Runtime) -> Iterator[Api]:
    world = build_world(sqlite_runtime.ctx)
    with TestClient(create_app(runtime=replace(sqlite_runtime, ctx=world.ctx))) as client:
        yield Api(client, world)


def refused(answer: Any, code: str) -> None:
    assert answer.status_code == 403, answer.text
    assert answer.json()["code"] == code


def audit_rows(api: Api, subject: str) -> list[dict[str, Any]]:
    with api.world.ctx.uow() as uow:
        events = uow.audit.for_subject(subject)
    return [
        {"action": e.action, "actor": e.actor, **e.details} for e in events if e.action.startswith("reveal:")
    ]


def test_a_courier_reveals_an_assigned_parcel_and_the_event_names_everything_but_the_values(api: Api) -> None:
    number = api.out_for_delivery()
    answer = api.reveal("courier.ns", tracking_number=number)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["reason"] == "out_for_delivery" and set(body["fields"]) == set(RECIPIENT)
    assert body["fields"]["recipient.name"] == api.world.recipient(number)["name"]
    (row,) = audit_rows(api, number)
    assert row["actor"] == "user:courier.ns" and row["role"] == "courier" and row["station"] == "SZ-NS"
    assert row["device"] == "pda-7" and row["client"] == "testclient" and row["decision"] == "allowed"
    assert row["fields"] == ",".join(RECIPIENT) and row["purpose"] == "delivery"
    assert not any(value in json.dumps(row, ensure_ascii=False) for value in body["fields"].values())


def test_not_assigned(api: Api) -> None:
    number = api.out_for_delivery()
    refused(api.reveal("courier.two", tracking_number=number), "not_assigned")
    assert audit_rows(api, number)[-1]["reason"] == "not_assigned"


def test_outside_window(api: Api) -> None:
    number = api.out_for_delivery()
    assert api.event("courier.ns", number, "delivered").status_code == 201
    api.world.clock.advance(hours=24, seconds=1)
    refused(api.reveal("courier.ns", tracking_number=number), "outside_window")


def test_purpose_required(api: Api) -> None:
    number = api.out_for_delivery()
    refused(api.reveal("courier.ns", tracking_number=number, purpose=None), "purpose_required")


def test_ticket_required_and_field_not_allowed(api: Api) -> None:
    number = api.world.issue()
    refused(api.reveal("agent.one", tracking_number=number, purpose="complaint"), "ticket_required")
    answer = api.reveal(
        "agent.one", tracking_number=number, purpose="claim", ticket="CS-1", fields=["sender.id_number"]
    )
    refused(answer, "field_not_allowed")


def test_approval_required_then_break_glass_then_self_approval_then_quota_exceeded(api: Api) -> None:
    numbers = [api.world.issue(seed) for seed in (1, 2, 3, 4, 5)]
    ask = {"purpose": "complaint", "ticket": "CS-20261130-7", "fields": ["recipient.mobile"]}
    for number in numbers[:2]:
        assert api.reveal("agent.one", tracking_number=number, **ask).status_code == 200
    refused(api.reveal("agent.one", tracking_number=numbers[2], **ask), "approval_required")
    requested = api.post(
        "agent.one", "/v1/break-glass", {"tracking_numbers": numbers[2:], "minutes": 30, **ask}
    )
    assert requested.status_code == 201, requested.text
    grant = requested.json()["id"]
    refused(api.post("agent.one", f"/v1/break-glass/{grant}/approve", {}), "self_approval")
    pending = api.client.get(
        "/v1/break-glass", headers={"Authorization": f"Bearer {api.token('officer.one')}"}
    )
    assert [g["id"] for g in pending.json()] == [grant]
    approved = api.post("officer.one", f"/v1/break-glass/{grant}/approve", {})
    assert approved.status_code == 200 and approved.json()["approver"] == "officer.one"
    for number in numbers[2:4]:
        assert api.reveal("agent.one", tracking_number=number, **ask).json()["reason"] == "break_glass"
    refused(api.reveal("agent.one", tracking_number=numbers[4], **ask), "quota_exceeded")
    assert LIMITS.daily_ceiling == 4
    with api.world.ctx.uow() as uow:
        assert [a.kind for a in uow.alerts.list()] == ["reveal_ceiling_reached"]


def label_token(api: Api, number: str) -> str:
    render_label(api.world.ctx, number, "zpl", principal=OPERATOR)
    with api.world.ctx.uow() as uow:
        sealed = uow.waybills.get(number)
        assert sealed is not None
        record = uow.label_tokens.active_for(sealed.id)
        assert record is not None
        return api.world.ctx.tokens.encode(record.token_id, sealed.id)


def test_token_invalid_and_token_revoked(api: Api) -> None:
    number = api.out_for_delivery()
    token = label_token(api, number)
    assert api.reveal("courier.ns", token=token).status_code == 200
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    refused(api.reveal("courier.ns", token=forged), "token_invalid")
    refused(api.reveal("courier.ns", token="PGT1.photographed-and-typed"), "token_invalid")
    refused(api.reveal("courier.two", token=token), "not_assigned")
    revoke_label_tokens(api.world.ctx, number, principal=OPERATOR)
    refused(api.reveal("courier.ns", token=token), "token_revoked")
    assert [row["reason"] for row in audit_rows(api, number)][-2:] == ["not_assigned", "token_revoked"]


def test_a_photographed_label_of_a_delivered_expired_parcel_is_outside_the_window(api: Api) -> None:
    number = api.out_for_delivery()
    token = label_token(api, number)
    assert api.event("courier.ns", number, "delivered").status_code == 201
    api.world.clock.advance(days=3)
    refused(api.reveal("courier.ns", token=token), "outside_window")


def test_user_disabled_and_offboarding_stop_existing_tokens_at_once(api: Api) -> None:
    number = api.out_for_delivery()
    api.token("courier.ns")
    people.offboard_user(api.world.ctx, "courier.ns", from_=api.world.clock.now, actor="test")
    refused(api.reveal("courier.ns", tracking_number=number), "offboarding")
    api.token("agent.two")
    people.disable_user(api.world.ctx, "agent.two", actor="test")
    answer = api.reveal("agent.two", tracking_number=number, purpose="claim", ticket="CS-1")
    assert answer.status_code in (401, 403) and answer.json()["code"] == "user_disabled"


def test_second_factor_required(api: Api) -> None:
    answer = api.client.post("/v1/auth/token", json={"username": "agent.one", "password": PASSWORD})
    refused(answer, "second_factor_required")


def test_role_not_allowed_for_api_keys_clerks_and_officers(api: Api, sqlite_runtime: Runtime) -> None:
    number = api.out_for_delivery()
    key = create_api_key(api.world.ctx, actor="test", name="platform", scopes=(Scope.ADMIN,))
    answer = api.client.post(
        "/v1/reveal",
        json={"tracking_number": number, "fields": RECIPIENT, "purpose": "delivery"},
        headers={"Authorization": f"Bearer {key.presented}"},
    )
    refused(answer, "role_not_allowed")
    refused(api.reveal("clerk.ns", tracking_number=number), "role_not_allowed")
    refused(api.reveal("officer.one", tracking_number=number, ticket="SEC-1"), "role_not_allowed")
    assert [row["actor"] for row in audit_rows(api, number)][-3] == f"apikey:{key.key_id}"


def test_no_credentials_see_nothing(api: Api) -> None:
    number = api.out_for_delivery()
    answer = api.client.post("/v1/reveal", json={"tracking_number": number, "fields": RECIPIENT})
    assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated"
    assert api.world.recipient(number)["name"] not in answer.text


def test_bad_reveal_requests_are_input_errors(api: Api) -> None:
    number = api.out_for_delivery()
    for body, field in (
        ({"fields": RECIPIENT, "purpose": "delivery"}, "tracking_number"),
        ({"tracking_number": number, "token": "x", "fields": RECIPIENT}, "tracking_number"),
        ({"tracking_number": number, "fields": ["recipient.phone"]}, "fields.0"),
        ({"tracking_number": number, "fields": RECIPIENT, "purpose": "curiosity"}, "purpose"),
        (
            {"tracking_number": number, "fields": RECIPIENT, "purpose": "claim", "ticket": "13800138000"},
            "ticket",
        ),
    ):
        answer = api.post("courier.ns", "/v1/reveal", body)
        assert answer.status_code == 422 and answer.json()["field"] == field, (body, answer.text)


def test_the_parcels_life_over_http_with_its_refusals(api: Api) -> None:
    number = api.world.issue()
    refused(api.event("courier.ns", number, "at_station"), "role_not_allowed")
    assert api.event("courier.ns", number, "picked_up").status_code == 201
    refused(api.event("clerk.ns", number, "at_station", station="SZ-FT"), "station_mismatch")
    answer = api.event("clerk.ns", number, "at_station")
    assert answer.status_code == 201 and answer.json()["station"] == "SZ-NS"
    assert answer.json()["actor"] == "user:clerk.ns" and len(answer.json()["pickup_code"]) == 6
    refused(api.event("courier.ns", number, "out_for_delivery"), "not_assigned")
    conflict = api.event("admin.one", number, "created")
    assert conflict.status_code == 422 and conflict.json()["field"] == "status"
    assert api.event("clerk.ns", number, "delivered").status_code == 201
    again = api.event("admin.one", number, "out_for_delivery")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    page = api.client.get(f"/v1/track/{number}").json()
    assert [e["status"] for e in page["events"]] == ["created", "picked_up", "at_station", "delivered"]
    html = api.client.post("/track", data={"tracking_number": number}).text
    assert "已到达网点" in html and "Arrived at station" in html and "user:" not in html


def test_outlet_hand_over_and_pickup_verification_failed(api: Api) -> None:
    number = api.world.issue()
    api.event("courier.ns", number, "picked_up")
    code = api.event("clerk.ns", number, "at_station").json()["pickup_code"]
    last4 = api.world.last4(number)
    wrong = f"{(int(last4) + 1) % 10000:04d}"
    refused(
        api.post("clerk.ns", "/v1/pickup/handover", {"pickup_code": code, "last4": wrong}),
        "pickup_verification_failed",
    )
    refused(
        api.post("clerk.ft", "/v1/pickup/handover", {"pickup_code": code, "last4": last4}),
        "pickup_verification_failed",
    )
    handed = api.post("clerk.ns", "/v1/pickup/handover", {"pickup_code": code, "last4": last4})
    assert handed.status_code == 200 and handed.json()["status"] == "delivered"
    assert (
        api.world.recipient(number)["mobile"] not in handed.text
        and "*" in handed.json()["recipient"]["mobile"]
    )


def test_sender_identity_answers_match_or_no_match_only(api: Api) -> None:
    number = api.world.issue()
    sender = api.world.orders[number]["sender"]
    assert isinstance(sender, dict)
    path = f"/v1/waybills/{number}/sender-identity"
    answer = api.post("courier.ns", path, {"id_number": sender["id_number"]})
    assert answer.json() == {"match": True}
    refused(api.post("clerk.ns", path, {"id_number": sender["id_number"]}), "role_not_allowed")


def test_cs_search_by_mobile_in_the_body_answers_masked(api: Api) -> None:
    number = api.world.issue(31)
    mobile = api.world.recipient(number)["mobile"]
    found = api.post("agent.one", "/v1/cs/search", {"mobile": mobile})
    assert found.status_code == 200 and [p["tracking_number"] for p in found.json()] == [number]
    assert mobile not in found.text
    refused(api.post("courier.ns", "/v1/cs/search", {"mobile": mobile}), "role_not_allowed")


def test_the_database_holds_no_revealed_value(api: Api, sqlite_runtime: Runtime) -> None:
    number = api.out_for_delivery()
    values = api.reveal("courier.ns", tracking_number=number).json()["fields"]
    with sqlite_runtime.engine.connect() as connection:
        audit = connection.execute(text("SELECT details FROM audit_event")).scalars().all()
        alerts = connection.execute(text("SELECT details FROM alert")).scalars().all()
    dumped = "\n".join([*audit, *alerts])
    assert not any(value in dumped for value in values.values())


def test_an_exception_is_recorded_shown_publicly_and_resolved(api: Api) -> None:
    number = api.world.issue()
    assert api.event("courier.ns", number, "picked_up").status_code == 201
    assert api.event("courier.ns", number, "exception").status_code == 201
    html = api.client.post("/track", data={"tracking_number": number}).text
    assert "异常件" in html and "Exception" in html
    refused(api.event("courier.ns", number, "returned"), "role_not_allowed")
    assert api.event("manager.ns", number, "returned").status_code == 201
