"""Review of POST /v1/waybills through SingleOrderFastPath and IssuanceQueue (issue 9): cases the
equivalence test does not draw."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from parcelguard.adapters.db import migrate
from parcelguard.adapters.db import models as m
from parcelguard.bootstrap import Runtime, bootstrap
from parcelguard.config import Settings
from parcelguard.domain import audit
from parcelguard.domain.access import Scope
from parcelguard.domain.organisation import OrganisationKind
from parcelguard.domain.people import Role
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.errors import NotFoundError
from parcelguard.services import auth, issuance_queue, people, waybills
from parcelguard.services.api_keys import authenticate, create_api_key
from parcelguard.services.organisations import add_organisation
from parcelguard.web.api.waybills import SingleOrderFastPath
from parcelguard.web.app import create_app
from tests.people_support import PASSWORD, Clock, add_person, fast_runtime, with_station

ORDER = SyntheticPeople(41).order()


@pytest.fixture
def second_runtime(tmp_path: Path) -> Iterator[Runtime]:
    built = bootstrap(Settings(environment="test", home=tmp_path / "second"))
    migrate.upgrade(built.engine)
    yield built
    built.close()


def test_two_apps_on_one_event_loop_each_issue_into_their_own_database(
    sqlite_runtime: Runtime, second_runtime: Runtime
) -> None:
    """The group-commit queue belongs to an app's runtime, not only to the event loop: two apps served by
    one loop (an ASGI test client, several apps mounted in one server) each issue into their own database."""
    apps = [create_app(runtime=r) for r in (sqlite_runtime, second_runtime)]
    keys = [
        create_api_key(r.ctx, actor="test", name="shop", scopes=(Scope.WAYBILL_ISSUE,)).presented
        for r in (sqlite_runtime, second_runtime)
    ]
    numbers: list[str] = []

    async def main() -> None:
        for app, key in zip(apps, keys, strict=True):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                answer = await client.post(
                    "/v1/waybills", json=ORDER, headers={"Authorization": f"Bearer {key}"}
                )
                assert answer.status_code == 201, answer.text
                numbers.append(answer.json()["tracking_number"])

    anyio.run(main)
    for r, number in zip((sqlite_runtime, second_runtime), numbers, strict=True):
        admin = create_api_key(r.ctx, actor="test", name="admin", scopes=(Scope.ADMIN,))
        view = waybills.view_waybill(r.ctx, number, principal=authenticate(r.ctx, admin.presented))
        assert view.tracking_number == number


def _plain_app(runtime: Runtime) -> FastAPI:
    app = create_app(runtime=runtime)
    app.user_middleware = [m for m in app.user_middleware if m.cls is not SingleOrderFastPath]
    return app


def _answer(client: TestClient, headers: dict[str, str]) -> tuple[int, object, dict[str, str]]:
    answer = client.post("/v1/waybills", json=ORDER, headers=headers)
    body = answer.json()
    if isinstance(body, dict) and "tracking_number" in body:
        body["tracking_number"] = "issued"
    kept = {k: v for k, v in answer.headers.items() if k not in {"content-length", "date"}}
    return answer.status_code, body, kept


def test_a_persons_token_is_answered_alike_with_and_without_the_fast_path(sqlite_runtime: Runtime) -> None:
    """An administrator's bearer token issues; a courier's is forbidden; a disabled or offboarded person's,
    an expired or revoked token are refused: the same status, body and headers either way."""
    clock = Clock()
    runtime = fast_runtime(sqlite_runtime, clock)
    ctx = runtime.ctx
    with_station(ctx)
    otp = add_person(ctx, "admin.01", Role.ADMIN)
    add_person(ctx, "courier.01", Role.COURIER)
    assert otp is not None

    def token(username: str) -> str:
        code = pyotp.TOTP(otp).at(clock.now) if username == "admin.01" else None
        clock.advance(seconds=30)  # each sign-in its own time step
        return auth.issue_access_token(ctx, username=username, password=PASSWORD, otp=code).access_token

    with TestClient(create_app(runtime=runtime)) as fast, TestClient(_plain_app(runtime)) as plain:

        def both(presented: str) -> tuple[int, object, dict[str, str]]:
            headers = {"Authorization": f"Bearer {presented}"}
            first, second = _answer(fast, headers), _answer(plain, headers)
            assert first == second
            return first

        assert both(token("admin.01"))[0] == 201
        assert both(token("courier.01"))[0] == 403
        revoked = token("admin.01")
        assert auth.revoke_credential(ctx, revoked)
        assert both(revoked)[0] == 401
        expiring = token("admin.01")
        clock.advance(hours=1)
        assert both(expiring)[0] == 401
        live = token("admin.01")
        people.disable_user(ctx, "admin.01", actor="test")
        assert both(live)[0] in (401, 403)


def test_concurrent_orders_of_several_organisations_each_belong_to_their_own(
    sqlite_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Single orders of two platforms and the carrier, arriving together (one coalesced batch or a few),
    with a refused order and a refused key among them: each answer is its own, each waybill belongs to the
    organisation of the key that issued it, and one waybill:issued event is written per waybill."""
    ctx = sqlite_runtime.ctx
    shops = [
        add_organisation(ctx, actor="test", name=f"shop {n}", kind=OrganisationKind.PLATFORM) for n in "ab"
    ]
    keys = {
        "a": create_api_key(ctx, actor="test", name="a", scopes=(Scope.ADMIN,), organisation_id=shops[0].id),
        "b": create_api_key(ctx, actor="test", name="b", scopes=(Scope.ADMIN,), organisation_id=shops[1].id),
        "carrier": create_api_key(
            ctx, actor="test", name="c", scopes=(Scope.WAYBILL_ISSUE, Scope.WAYBILL_READ)
        ),
        "reader": create_api_key(ctx, actor="test", name="r", scopes=(Scope.WAYBILL_READ,)),
    }
    bad = json.loads(json.dumps(ORDER))
    bad["recipient"]["mobile"] = "12345"
    plan = [("a", ORDER), ("b", ORDER), ("carrier", ORDER), ("a", bad), ("reader", ORDER)] * 4
    answers: list[httpx.Response] = [None] * len(plan)  # type: ignore[list-item]
    app = create_app(runtime=sqlite_runtime)
    together: list[int] = []
    real = issuance_queue.issue_orders

    def counted(*args: Any, **kwargs: Any) -> Any:
        together.append(kwargs["organisation_id"])
        return real(*args, **kwargs)

    monkeypatch.setattr(issuance_queue, "issue_orders", counted)

    async def main() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

            async def send(index: int, who: str, order: object) -> None:
                headers = {"Authorization": f"Bearer {keys[who].presented}"}
                answers[index] = await client.post("/v1/waybills", json=order, headers=headers)

            async with anyio.create_task_group() as group:
                for index, (who, order) in enumerate(plan):
                    group.start_soon(send, index, who, order)

    anyio.run(main)
    assert len(set(together)) == 3  # the three organisations' orders were coalesced, each on its own
    issued: dict[str, list[str]] = {}
    for (who, order), answer in zip(plan, answers, strict=True):
        if who == "reader":
            assert answer.status_code == 403, answer.text
        elif order is bad:
            assert (answer.status_code, answer.json()["code"]) == (422, "invalid_mobile")
        else:
            assert answer.status_code == 201, answer.text
            issued.setdefault(who, []).append(answer.json()["tracking_number"])
    principals = {who: authenticate(ctx, key.presented) for who, key in keys.items()}
    for who, numbers in issued.items():
        for number in numbers:
            assert waybills.view_waybill(ctx, number, principal=principals[who]).tracking_number == number
            for other in {"a", "b"} - {who}:
                with pytest.raises(NotFoundError):
                    waybills.view_waybill(ctx, number, principal=principals[other])
    with sqlite_runtime.engine.connect() as connection:
        rows = connection.execute(select(m.audit_event.c.action, m.audit_event.c.subject)).all()
    numbers = sorted(n for ns in issued.values() for n in ns)
    assert sorted(subject for action, subject in rows if action == audit.WAYBILL_ISSUED) == numbers
    assert not [action for action, _ in rows if action == audit.WAYBILL_BATCH_ISSUED]
