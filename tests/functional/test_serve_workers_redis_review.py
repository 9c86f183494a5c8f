"""Review of ``serve`` and ``demo`` (issue 9). ``--workers N``: an empty PARCELGUARD_REDIS_URL is no
Redis; bootstrap reads it as none (each process limits on its own), so several workers with it would each
allow what the limits promise once (wrong last-4 guesses per parcel, one-time codes per parcel, per-client
rates). One worker disposes its runtime when it stops; ``demo --no-serve`` says its URL is not served."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from pydantic import SecretStr
from typer.testing import CliRunner

from parcelguard.bootstrap import Runtime
from parcelguard.cli import serve
from parcelguard.cli.main import app
from parcelguard.config import Settings
from parcelguard.errors import ParcelGuardError


def test_an_empty_redis_url_from_the_environment_is_read_as_no_redis(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARCELGUARD_REDIS_URL", "")
    loaded = Settings(environment="test", home=sqlite_settings.home)
    assert loaded.redis_url is not None and not loaded.redis_url  # what bootstrap takes as in-process


def test_several_workers_with_an_empty_redis_url_are_refused(
    sqlite_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: runs.append(app))
    monkeypatch.delenv("PARCELGUARD_HOME", raising=False)
    empty = sqlite_runtime.settings.model_copy(update={"redis_url": SecretStr("")})
    runtime = dataclasses.replace(sqlite_runtime, settings=empty)

    with pytest.raises(ParcelGuardError) as refused:
        serve._serve(runtime, "127.0.0.1", 8123, workers=2)

    assert refused.value.field == "--workers" and "PARCELGUARD_REDIS_URL" in str(refused.value)
    assert runs == []


def test_one_worker_disposes_the_runtime_when_the_server_stops(
    sqlite_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So SQLite's last connections close and its -wal and -shm files go (they stayed after a stop)."""
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)
    closed: list[bool] = []
    runtime = dataclasses.replace(sqlite_runtime)
    monkeypatch.setattr(type(runtime), "close", lambda self: closed.append(True))

    serve._serve(runtime, "127.0.0.1", 8123, workers=1)

    assert closed == [True]


def test_demo_without_serving_says_the_url_is_not_served_yet(tmp_path: Path) -> None:
    """A new user's `scripts/start --no-serve` printed the URL and its API docs as if they answered."""
    result = CliRunner().invoke(
        app, ["demo", "--orders", "3", "--no-serve"], env={"PARCELGUARD_HOME": str(tmp_path / "var")}
    )

    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if "URL:" in line]
    assert "not serving" in line and "/docs" not in line
