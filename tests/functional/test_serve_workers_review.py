"""Review of ``parcelguard serve --workers N`` (issue 9): the per-parcel and per-client limits that
protect customers' data hold for the server as a whole, not per worker process."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn

from parcelguard.bootstrap import Runtime
from parcelguard.cli import serve
from parcelguard.errors import ParcelGuardError


def test_several_workers_without_redis_are_refused(
    sqlite_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: runs.append(app))
    monkeypatch.delenv("PARCELGUARD_HOME", raising=False)
    assert sqlite_runtime.settings.redis_url is None
    with pytest.raises(ParcelGuardError) as refused:
        serve._serve(sqlite_runtime, "127.0.0.1", 8123, workers=2)
    assert refused.value.field == "--workers" and "PARCELGUARD_REDIS_URL" in str(refused.value)
    assert runs == []
