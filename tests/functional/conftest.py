"""Fixtures the HTTP API tests share: a TestClient on a migrated SQLite runtime and an admin key for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Scope
from parcelguard.services.api_keys import create_api_key
from parcelguard.web.app import create_app


@pytest.fixture
def client(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=sqlite_runtime)) as test_client:
        yield test_client


@pytest.fixture
def headers(sqlite_runtime: Runtime) -> dict[str, str]:
    key = create_api_key(sqlite_runtime.ctx, actor="test", name="test", scopes=(Scope.ADMIN,))
    return {"Authorization": f"Bearer {key.presented}"}
