"""The telephony API as the SIP server and an operator use it: the route answer's shapes and reasons, who
may ask (telephony:route of the carrier only), call records, binding management, and the CLI's
``vnum route --json`` printing the same answer. Synthetic people only."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from parcelguard.bootstrap import Runtime
from parcelguard.cli.main import app as cli_app
from parcelguard.domain.access import Scope
from parcelguard.domain.organisation import OrganisationKind
from parcelguard.domain.pii import Mobile
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.api_keys import create_api_key
from parcelguard.services.issuance import issue_waybill
from parcelguard.services.organisations import add_organisation

X = "17012340001"


def _key(runtime: Runtime, *scopes: Scope, organisation_id: int = 1) -> dict[str, str]:
    key = create_api_key(runtime.ctx, actor="test", name="t", scopes=scopes, organisation_id=organisation_id)
    return {"Authorization": f"Bearer {key.presented}"}


def _bound(client: TestClient, runtime: Runtime, admin: dict[str, str]) -> tuple[str, str]:
    order = SyntheticPeople(5).order()
    number = issue_waybill(runtime.ctx, order, actor="test").tracking_number
    imported = client.post(
        "/v1/telephony/numbers", json={"numbers": [{"number": X, "pool": "p1"}]}, headers=admin
    )
    assert imported.status_code == 201 and imported.json() == {"added": 1, "already_present": 0}
    bound = client.post(
        "/v1/telephony/bindings",
        json={"tracking_number": number, "model": "axn", "pool": "p1"},
        headers=admin,
    )
    assert bound.status_code == 201, bound.text
    assert bound.json()["display"] == X and bound.json()["model"] == "axn"
    recipient = order["recipient"]
    assert isinstance(recipient, dict)
    return number, Mobile.parse(str(recipient["mobile"])).value


def test_the_sip_server_gets_a_target_or_a_reason_and_strangers_learn_nothing(
    client: TestClient, sqlite_runtime: Runtime, headers: dict[str, str]
) -> None:
    number, recipient = _bound(client, sqlite_runtime, headers)
    sip = _key(sqlite_runtime, Scope.TELEPHONY_ROUTE)
    caller = Mobile.parse(SyntheticPeople(6).mobile()).value
    answer = client.post("/v1/telephony/route", json={"caller": "+86" + caller, "called": X}, headers=sip)
    assert answer.status_code == 200
    body = answer.json()
    assert body["action"] == "connect" and body["target"] == recipient and body["caller_id"] == X
    assert body["call_id"].startswith("c_") and set(body) == {"action", "target", "caller_id", "call_id"}
    free = client.post("/v1/telephony/route", json={"caller": caller, "called": "17012340002"}, headers=sip)
    assert free.json()["action"] == "reject" and free.json()["reason"] == "no_binding"
    assert "target" not in free.json()

    ended = client.post(
        "/v1/telephony/cdr",
        json={
            "call_id": body["call_id"],
            "started_at": "2026-11-30T08:00:00Z",
            "answered_at": "2026-11-30T08:00:05Z",
            "ended_at": "2026-11-30T08:01:05Z",
            "outcome": "answered",
        },
        headers=sip,
    )
    assert ended.status_code == 202 and ended.json()["duration_s"] == 60

    gone = client.delete(f"/v1/telephony/bindings/{number}", headers=headers)
    assert gone.status_code == 200
    rested = client.post("/v1/telephony/route", json={"caller": caller, "called": X}, headers=sip).json()
    assert rested["reason"] == "number_quarantined"


def test_only_the_carriers_key_with_the_scope_may_ask_where_a_call_goes(
    client: TestClient, sqlite_runtime: Runtime
) -> None:
    body = {"caller": "13800138000", "called": X}
    assert client.post("/v1/telephony/route", json=body).status_code == 401
    reader = _key(sqlite_runtime, Scope.WAYBILL_READ)
    assert client.post("/v1/telephony/route", json=body, headers=reader).status_code == 403
    shop = add_organisation(sqlite_runtime.ctx, name="shop", kind=OrganisationKind.PLATFORM, actor="test")
    platform = _key(sqlite_runtime, Scope.TELEPHONY_ROUTE, Scope.ADMIN, organisation_id=shop.id)
    refused = client.post("/v1/telephony/route", json=body, headers=platform)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_an_administrators_key_reads_no_real_number_through_the_routing_answer(
    client: TestClient, sqlite_runtime: Runtime, headers: dict[str, str]
) -> None:
    """An admin key passes every other scope check; here it would name the courier as the caller and read
    the recipient's real number outside the reveal policy, so only the SIP server's own scope may ask."""
    _, recipient = _bound(client, sqlite_runtime, headers)
    caller = Mobile.parse(SyntheticPeople(8).mobile()).value
    for path, body in (
        ("/v1/telephony/route", {"caller": caller, "called": X}),
        (
            "/v1/telephony/cdr",
            {
                "call_id": "c1",
                "started_at": "2026-11-30T10:00:00+08:00",
                "ended_at": "2026-11-30T10:01:00+08:00",
                "outcome": "busy",
            },
        ),
    ):
        refused = client.post(path, json=body, headers=headers)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden", path
        assert recipient not in refused.text


def test_bad_route_requests_name_the_field(client: TestClient, sqlite_runtime: Runtime) -> None:
    sip = _key(sqlite_runtime, Scope.TELEPHONY_ROUTE)
    missing = client.post("/v1/telephony/route", json={"called": X}, headers=sip)
    assert missing.status_code == 422 and missing.json()["code"] == "missing_field"
    unknown = client.post("/v1/telephony/route", json={"caller": "1", "called": X, "to": "x"}, headers=sip)
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_field"
    bad_ext = client.post(
        "/v1/telephony/route", json={"caller": "13800138000", "called": X, "extension": "12a"}, headers=sip
    )
    assert bad_ext.status_code == 422 and bad_ext.json()["field"] == "extension"


def test_binding_management_errors_are_clear(
    client: TestClient, sqlite_runtime: Runtime, headers: dict[str, str]
) -> None:
    number, _ = _bound(client, sqlite_runtime, headers)
    again = client.post(
        "/v1/telephony/bindings",
        json={"tracking_number": number, "model": "axn", "pool": "p1"},
        headers=headers,
    )
    assert again.status_code == 409 and again.json()["code"] == "binding_exists"
    other = issue_waybill(sqlite_runtime.ctx, SyntheticPeople(7).order(), actor="test").tracking_number
    full = client.post(
        "/v1/telephony/bindings",
        json={"tracking_number": other, "model": "axn", "pool": "p1"},
        headers=headers,
    )
    assert full.status_code == 409 and full.json()["code"] == "pool_exhausted"
    none = client.get(f"/v1/telephony/bindings/{other}", headers=headers)
    assert none.status_code == 404 and none.json()["code"] == "binding_not_found"


def test_vnum_route_json_prints_the_same_answer_as_the_api(
    client: TestClient, sqlite_runtime: Runtime, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, recipient = _bound(client, sqlite_runtime, headers)
    monkeypatch.setenv("PARCELGUARD_HOME", str(sqlite_runtime.settings.home))
    caller = Mobile.parse(SyntheticPeople(8).mobile()).value
    result = CliRunner().invoke(cli_app, ["vnum", "route", "--caller", caller, "--called", X, "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["action"] == "connect" and answer["caller_id"] == X
    assert answer["target"] == Mobile.parse(recipient).masked() and recipient not in result.output
    stranger = CliRunner().invoke(
        cli_app, ["vnum", "route", "--caller", caller, "--called", "17012340009", "--json"]
    )
    assert json.loads(stranger.output)["reason"] == "no_binding"


def test_a_secret_report_pushed_under_the_sip_provider_is_told_which_provider_takes_it(
    client: TestClient, sqlite_runtime: Runtime
) -> None:
    sip = _key(sqlite_runtime, Scope.TELEPHONY_ROUTE)
    report = {"pool_key": "FC1", "sub_id": 1, "call_id": "4361", "secret_no": X, "call_type": 1}
    pushed = client.post("/v1/telephony/provider/call-records", json=[report], headers=sip)
    assert pushed.status_code == 422 and pushed.json()["code"] == "invalid_request"
    message = pushed.json()["message"]
    assert "PARCELGUARD_VNUM_PROVIDER=sip" in message and "PARCELGUARD_VNUM_PROVIDER=cloud" in message


def test_over_http_an_ordinary_mobile_is_no_pool_number_and_an_open_binding_is_not_extended(
    client: TestClient, sqlite_runtime: Runtime, headers: dict[str, str]
) -> None:
    ordinary = client.post(
        "/v1/telephony/numbers", json={"numbers": [{"number": "13800138000", "pool": "p1"}]}, headers=headers
    )
    assert ordinary.status_code == 422 and ordinary.json()["code"] == "invalid_mobile"
    assert ordinary.json()["field"] == "line 1" and "13800138000" not in ordinary.text
    number, _ = _bound(client, sqlite_runtime, headers)
    extend = client.post(f"/v1/telephony/bindings/{number}/extend", json={"hours": 2}, headers=headers)
    assert extend.status_code == 409 and extend.json()["code"] == "invalid_transition"
    assert client.get(f"/v1/telephony/bindings/{number}", headers=headers).json()["expires_at"] is None
