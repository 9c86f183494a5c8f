"""Review of POST /v1/waybills through SingleOrderFastPath and IssuanceQueue (issue 9): cases the
equivalence test does not draw."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from parcelguard.adapters.db import migrate
from parcelguard.bootstrap import Runtime, bootstrap
from parcelguard.config import Settings
from parcelguard.domain.access import Scope
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services import waybills
from parcelguard.services.api_keys import authenticate, create_api_key
from parcelguard.web.app import create_app

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
