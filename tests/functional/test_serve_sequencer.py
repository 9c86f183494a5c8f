"""``parcelguard serve`` runs the audit log's sequencer: in the app's lifespan with one worker, once in the
supervising process with several, not at all with ``--no-sequencer``; a real server integrates events
written while it serves and stops its sequencer cleanly on SIGINT and SIGTERM."""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from parcelguard.bootstrap import Runtime
from parcelguard.cli import serve
from parcelguard.services import transparency_log as tlog
from parcelguard.services.audit_sequencer import AuditSequencer
from tests.integration.test_transparency_log import add_events

THREAD = "parcelguard-audit-sequencer"


def sequencer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD]


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any], int]]:
    """uvicorn.run replaced: what it was given, and how many sequencer threads ran meanwhile."""
    calls: list[tuple[Any, dict[str, Any], int]] = []
    monkeypatch.setattr(
        uvicorn, "run", lambda app, **options: calls.append((app, options, len(sequencer_threads())))
    )
    monkeypatch.delenv("PARCELGUARD_HOME", raising=False)
    return calls


def test_one_worker_runs_the_sequencer_in_the_apps_lifespan(
    sqlite_runtime: Runtime, runs: list[tuple[Any, dict[str, Any], int]]
) -> None:
    serve._serve(sqlite_runtime, "127.0.0.1", 8123, workers=1, sequencer_every=0.05)
    [(app, _, _)] = runs
    sequencer = app.state.sequencer
    assert isinstance(sequencer, AuditSequencer) and not sequencer.running
    add_events(sqlite_runtime, 3)
    with TestClient(app):
        assert sequencer.running
        deadline = time.monotonic() + 30
        while tlog.leaf_index_of(sqlite_runtime.ctx, 3) is None:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    assert not sequencer.running and sequencer.failures == 0


def test_no_sequencer_runs_none(sqlite_runtime: Runtime, runs: list[tuple[Any, dict[str, Any], int]]) -> None:
    serve._serve(sqlite_runtime, "127.0.0.1", 8123, workers=1, sequencer_every=None)
    [(app, _, _)] = runs
    assert app.state.sequencer is None


def test_several_workers_run_one_sequencer_in_the_supervisor_and_stop_it(
    sqlite_runtime: Runtime, runs: list[tuple[Any, dict[str, Any], int]]
) -> None:
    shared = sqlite_runtime.settings.model_copy(update={"redis_url": SecretStr("redis://127.0.0.1:6379/15")})
    runtime = dataclasses.replace(sqlite_runtime, settings=shared)
    before = len(sequencer_threads())
    serve._serve(runtime, "127.0.0.1", 8123, workers=2, sequencer_every=0.05)
    [(app, options, threads)] = runs
    assert isinstance(app, str) and options["workers"] == 2
    assert threads == before + 1  # one, alive while uvicorn ran its workers
    assert len(sequencer_threads()) == before  # stopped when it returned
    serve._serve(runtime, "127.0.0.1", 8123, workers=2, sequencer_every=None)
    assert runs[1][2] == before


def test_the_cli_options_reach_the_server(monkeypatch: pytest.MonkeyPatch, sqlite_runtime: Runtime) -> None:
    from parcelguard.cli.main import app

    seen: list[float | None] = []
    monkeypatch.setattr(serve, "_serve", lambda *a, sequencer_every, **k: seen.append(sequencer_every))
    monkeypatch.setenv("PARCELGUARD_HOME", str(sqlite_runtime.settings.home))
    monkeypatch.delenv("PARCELGUARD_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["serve"]).exit_code == 0
    assert runner.invoke(app, ["serve", "--sequencer-every", "2.5"]).exit_code == 0
    assert runner.invoke(app, ["serve", "--no-sequencer"]).exit_code == 0
    assert runner.invoke(app, ["serve", "--sequencer-every", "0"]).exit_code == 2  # below the minimum
    assert seen == [10.0, 2.5, None]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_real_server_integrates_what_is_written_while_it_serves_and_stops_cleanly(
    sqlite_runtime: Runtime, stop_signal: signal.Signals
) -> None:
    home = sqlite_runtime.settings.home
    command = Path(sys.executable).with_name("parcelguard")
    env = {**os.environ, "PARCELGUARD_HOME": str(home), "PARCELGUARD_DATABASE_URL": ""}
    port = str(_free_port())
    child = subprocess.Popen(
        [str(command), "serve", "--port", port, "--sequencer-every", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        add_events(sqlite_runtime, 4)
        deadline = time.monotonic() + 60
        while not fully_integrated(sqlite_runtime):
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the server's sequencer did not integrate the events"
            time.sleep(0.05)
        child.send_signal(stop_signal)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    # uvicorn shuts down gracefully (the lifespan stops the sequencer, then closes the runtime), then
    # raises the signal it caught again, so SIGTERM ends the process as SIGTERM does
    assert child.returncode in (0, -stop_signal), err
    assert "Application shutdown complete." in err
    assert "Traceback" not in err and "sequencer tick failed" not in err
    assert "PG000000000000" not in err  # the events' subjects
    # the 4 events and the server's own (its start's key check): all in the tree, under one checkpoint
    assert fully_integrated(sqlite_runtime)
    with sqlite_runtime.ctx.uow() as uow:
        size = uow.transparency.state()[0]
    assert size >= 4 and [cp.size for cp in tlog.checkpoints(sqlite_runtime.ctx)] == [size]


def fully_integrated(runtime: Runtime) -> bool:
    with runtime.ctx.uow() as uow:
        rows = uow.audit_search.search(limit=1000)
        size = uow.transparency.state()[0]
    return size >= 4 and size == len(rows)
