"""The cloud number provider against a local HTTP server that speaks Alibaba Cloud Phone Number Protection's
documented shapes (dyplsapi 2017-05-25: BindAxb / BindAxn / BindAxnExtension, UnbindSubscription,
QuerySubscriptionDetail, the POP v1 signature, SecretReport pushes). The server checks every signature
and keeps the subscriptions, so the tests see what the provider would hold. Synthetic people only."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from parcelguard.adapters.telephony.cloud_provider import CloudNumberProvider, sign
from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Scope
from parcelguard.domain.pii import Mobile
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.virtual_number import BindingModel
from parcelguard.errors import ConflictError, ErrorCode, ValidationError
from parcelguard.services import virtual_numbers as vns
from parcelguard.services.api_keys import create_api_key
from parcelguard.services.dispatch import assign_courier
from parcelguard.web.app import create_app
from tests.reveal_world import World, build_world

KEY_ID, SECRET, POOL_KEY = "testid", "testsecret", "FC100000123"


def test_the_signature_matches_alibaba_clouds_documented_example() -> None:
    params = {
        "TimeStamp": "2016-02-23T12:46:24Z",
        "Format": "XML",
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "Version": "2014-05-26",
        "SignatureVersion": "1.0",
    }
    assert sign(params, "testsecret", "GET") == "CT9X0VtwR86fNWSnsc6v8YGOjuE="


class FakePls:
    """The provider's side: subscriptions by SubsId, AXB pairs unique per X, a refusal on demand."""

    def __init__(self) -> None:
        self.subscriptions: dict[str, dict[str, str]] = {}
        self.requests: list[dict[str, str]] = []
        self.refuse: str | None = None
        self._next = 1000000001

    def handle(self, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        self.requests.append(form)
        signature = form.pop("Signature", "")
        if form.get("AccessKeyId") != KEY_ID or sign(form, SECRET) != signature:
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "bad signature", "RequestId": "r"}
        if form.get("Version") != "2017-05-25" or form.get("Format") != "JSON":
            return 400, {"Code": "InvalidVersion", "Message": "version", "RequestId": "r"}
        if self.refuse is not None:
            return 200, {"Code": self.refuse, "Message": "refused", "RequestId": "r"}
        action = form["Action"]
        if action in ("BindAxb", "BindAxn", "BindAxnExtension"):
            if form.get("PoolKey") != POOL_KEY or "Expiration" not in form:
                return 200, {"Code": "isv.INVALID_PARAMETERS", "Message": "params", "RequestId": "r"}
            x = form["PhoneNoX"]
            if action == "BindAxb":
                taken = {
                    p
                    for s in self.subscriptions.values()
                    if s["PhoneNoX"] == x
                    for p in (s["PhoneNoA"], s["PhoneNoB"])
                }
                if {form["PhoneNoA"], form["PhoneNoB"]} & taken:
                    return 200, {"Code": "isv.NO_AVAILABLE_NUMBER", "Message": "busy", "RequestId": "r"}
            subs_id = str(self._next)
            self._next += 1
            self.subscriptions[subs_id] = {**form, "Action": action}
            dto = {"SubsId": subs_id, "SecretNo": x, "Extension": form.get("Extension", "")}
            return 200, {"Code": "OK", "Message": "OK", "RequestId": "r", "SecretBindDTO": dto}
        if action == "UnbindSubscription":
            self.subscriptions.pop(form["SubsId"], None)
            return 200, {"Code": "OK", "Message": "OK", "RequestId": "r"}
        if action == "QuerySubscriptionDetail":
            found = self.subscriptions.get(form["SubsId"])
            detail = {"Status": 1, "SubsId": form["SubsId"], "PhoneNoX": form["PhoneNoX"]} if found else None
            return 200, {"Code": "OK", "Message": "OK", "RequestId": "r", "SecretBindDetailDTO": detail}
        return 404, {"Code": "InvalidAction.NotFound", "Message": action, "RequestId": "r"}


@pytest.fixture
def pls() -> Iterator[tuple[FakePls, str]]:
    fake = FakePls()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
            status, body = fake.handle(form)
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def world(runtime: Runtime, pls: tuple[FakePls, str]) -> World:
    provider = CloudNumberProvider(pls[1], access_key_id=KEY_ID, access_key_secret=SECRET, pool_key=POOL_KEY)
    w = build_world(replace(runtime.ctx, numbers=provider), only=("admin.one", "courier.ns", "courier.two"))
    vns.import_numbers(w.ctx, [("17011110000", "SZ-NS"), ("17011110001", "SZ-NS")], actor="test")
    return w


def test_an_axb_binding_is_pushed_with_a_and_b_and_unbound_at_the_provider(
    world: World, pls: tuple[FakePls, str]
) -> None:
    fake, _ = pls
    courier = Mobile.parse(SyntheticPeople(1001).mobile()).value
    vns.set_party_phone(world.ctx, "courier.ns", courier, actor="test")
    number = world.issue(61)
    admin = world.principal("admin.one")
    assign_courier(world.ctx, number, "courier.ns", principal=admin)  # binds at dispatch (AXB)
    (subs_id, sub), *_ = fake.subscriptions.items()
    recipient = Mobile.parse(world.recipient(number)["mobile"]).value
    assert sub["Action"] == "BindAxb" and sub["PhoneNoA"] == courier and sub["PhoneNoB"] == recipient
    bound = vns.current_binding(world.ctx, number, principal=admin)
    assert sub["PhoneNoX"] == bound.number and sub["OutId"] == bound.binding_id
    assert world.ctx.numbers is not None and world.ctx.numbers.query(subs_id, bound.number)
    other = Mobile.parse(SyntheticPeople(1003).mobile()).value
    vns.set_party_phone(world.ctx, "courier.two", other, actor="test")
    assign_courier(world.ctx, number, "courier.two", principal=admin)  # the provider follows the courier
    ((new_id, moved),) = fake.subscriptions.items()
    assert new_id != subs_id and moved["PhoneNoA"] == other and moved["PhoneNoB"] == recipient
    vns.unbind_waybill(world.ctx, number, principal=admin)
    assert fake.subscriptions == {} and not world.ctx.numbers.query(new_id, bound.number)


def test_axn_and_axe_name_the_recipient_as_the_protected_party(
    world: World, pls: tuple[FakePls, str]
) -> None:
    fake, _ = pls
    admin = world.principal("admin.one")
    first, second = world.issue(62), world.issue(63)
    vns.bind_waybill(world.ctx, first, model=BindingModel.AXN, pool="SZ-NS", principal=admin)
    axe = vns.bind_waybill(world.ctx, second, model=BindingModel.AXE, pool="SZ-NS", principal=admin)
    by_action = {s["Action"]: s for s in fake.subscriptions.values()}
    assert by_action["BindAxn"]["PhoneNoA"] == Mobile.parse(world.recipient(first)["mobile"]).value
    assert by_action["BindAxnExtension"]["Extension"] == axe.extension
    assert "PhoneNoB" not in by_action["BindAxn"]  # no courier yet


def test_a_refusal_by_the_provider_binds_nothing_here(world: World, pls: tuple[FakePls, str]) -> None:
    fake, _ = pls
    fake.refuse = "isv.NO_AVAILABLE_NUMBER"
    number = world.issue(64)
    with pytest.raises(ConflictError) as refused:
        vns.bind_waybill(
            world.ctx, number, model=BindingModel.AXN, pool="SZ-NS", principal=world.principal("admin.one")
        )
    assert (
        refused.value.code is ErrorCode.PROVIDER_FAILED and "isv.NO_AVAILABLE_NUMBER" in refused.value.message
    )
    with world.ctx.uow() as uow:
        assert uow.virtual_numbers.live_count() == 0
        assert all(
            uow.virtual_numbers.get_number(n).state.value == "free" for n in ("17011110000", "17011110001")
        )  # type: ignore[union-attr]


def test_pushed_call_records_land_in_the_audit_log_without_the_real_numbers(
    world: World, runtime: Runtime, pls: tuple[FakePls, str]
) -> None:
    fake, _ = pls
    number = world.issue(65)
    admin = world.principal("admin.one")
    bound = vns.bind_waybill(world.ctx, number, model=BindingModel.AXN, pool="SZ-NS", principal=admin)
    (subs_id,) = fake.subscriptions
    recipient = Mobile.parse(world.recipient(number)["mobile"]).value
    caller = Mobile.parse(SyntheticPeople(1002).mobile()).value
    report = {
        "pool_key": POOL_KEY,
        "sub_id": int(subs_id),
        "call_id": "43612633712c0001",
        "phone_no": recipient,
        "secret_no": bound.number,
        "peer_no": caller,
        "call_type": 1,
        "call_time": "2026-11-30 10:00:00",
        "start_time": "2026-11-30 10:00:06",
        "release_time": "2026-11-30 10:01:06",
        "release_dir": 1,
        "release_cause": 16,
    }
    key = create_api_key(runtime.ctx, actor="test", name="pls", scopes=(Scope.TELEPHONY_ROUTE,))
    with TestClient(create_app(runtime=replace(runtime, ctx=world.ctx))) as client:
        pushed = client.post(
            "/v1/telephony/provider/call-records",
            json=[report, report],  # a provider may push the same record twice
            headers={"Authorization": f"Bearer {key.presented}"},
        )
    assert pushed.status_code == 200 and pushed.json() == {"code": 0, "msg": "成功", "recorded": 2}
    with world.ctx.uow() as uow:
        events = uow.audit.for_subject("call:pls_43612633712c0001")
        everything = b"".join(
            e.canonical_bytes() for e in uow.audit_search.search(action_prefix="telephony:")
        )
    assert len(events) == 1 and events[0].details["duration_s"] == 60
    assert events[0].details["outcome"] == "answered" and events[0].details["binding"] == bound.binding_id
    assert recipient.encode() not in everything and caller.encode() not in everything


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://localhost.example.net/",
        "http://127.0.0.1.nip.io/",
        "http://localhost@provider.example.net/",
        "http://provider.example.net/",
        "ftp://127.0.0.1/",
        "https:///nohost",
        "http://127.0.0.1:notaport/",
    ],
)
def test_plain_http_goes_only_to_this_machine_whatever_the_host_starts_with(endpoint: str) -> None:
    with pytest.raises(ValidationError):
        CloudNumberProvider(endpoint, access_key_id=KEY_ID, access_key_secret=SECRET, pool_key=POOL_KEY)
    for fine in ("https://dyplsapi.aliyuncs.com/", "http://127.0.0.1:8080/", "http://localhost/"):
        CloudNumberProvider(fine, access_key_id=KEY_ID, access_key_secret=SECRET, pool_key=POOL_KEY)


def test_a_refusal_shows_the_providers_code_never_other_text_it_sent(
    world: World, pls: tuple[FakePls, str]
) -> None:
    fake, _ = pls
    real = Mobile.parse(SyntheticPeople(65).mobile()).value
    fake.refuse = f"number {real} is blocked"
    with pytest.raises(ConflictError) as refused:
        vns.bind_waybill(
            world.ctx,
            world.issue(65),
            model=BindingModel.AXN,
            pool="SZ-NS",
            principal=world.principal("admin.one"),
        )
    assert refused.value.code is ErrorCode.PROVIDER_FAILED and real not in refused.value.message
