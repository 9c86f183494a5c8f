"""``parcelguard serve --workers N``: one process serves the app built from the CLI's runtime; several are
started by uvicorn from the app factory, on the same data folder (named to them through the environment)."""

from __future__ import annotations

import dataclasses
import importlib
import os
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from parcelguard.bootstrap import Runtime
from parcelguard.cli import serve


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    monkeypatch.delenv("PARCELGUARD_HOME", raising=False)  # restored after the test
    return calls


def test_one_worker_serves_the_app_of_the_cli_runtime(
    sqlite_runtime: Runtime, runs: list[tuple[Any, dict[str, Any]]]
) -> None:
    serve._serve(sqlite_runtime, "127.0.0.1", 8123, workers=1)
    [(app, options)] = runs
    assert isinstance(app, FastAPI) and app.state.runtime is sqlite_runtime
    assert "workers" not in options and options["proxy_headers"] is False
    assert "PARCELGUARD_HOME" not in os.environ


def test_several_workers_start_from_the_factory_on_the_same_data_folder(
    sqlite_runtime: Runtime, runs: list[tuple[Any, dict[str, Any]]]
) -> None:
    shared = sqlite_runtime.settings.model_copy(update={"redis_url": SecretStr("redis://127.0.0.1:6379/15")})
    runtime = dataclasses.replace(sqlite_runtime, settings=shared)  # several workers share limits in Redis
    serve._serve(runtime, "127.0.0.1", 8123, workers=2, access_log=True)
    [(app, options)] = runs
    module, _, name = app.partition(":")
    assert callable(getattr(importlib.import_module(module), name))
    assert options["factory"] is True and options["workers"] == 2
    assert options["proxy_headers"] is False and options["access_log"] is True
    assert os.environ["PARCELGUARD_HOME"] == str(sqlite_runtime.settings.home.resolve())
