"""An auditor who kept yesterday's checkpoint detects every rewrite of history with the CLI alone.

The insider works on the database directly (SQL on the SQLite file); with the log's signing keys they may
even rebuild the tree and sign a new checkpoint. ``audit verify`` (signatures, rollback, consistency) and
``audit verify-db`` (stored events against the stored tree and the signed checkpoints) must both notice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parcelguard.bootstrap import bootstrap
from parcelguard.cli.main import app
from parcelguard.config import Settings
from parcelguard.domain.audit import AuditEvent

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def run(env: dict[str, str | None], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def add_events(home: Path, n: int, start: int) -> None:
    runtime = bootstrap(Settings(environment="test", home=home), create_keys=False)
    try:
        with runtime.ctx.uow() as uow:
            uow.audit.append_many(
                [
                    AuditEvent(
                        "reveal:waybill:revealed",
                        f"user:agent{i % 5}",
                        T0 + timedelta(minutes=i),
                        f"PG{i:013d}",
                        {"role": "cs_agent", "purpose": "delivery_issue", "decision": "allowed"},
                    )
                    for i in range(start, start + n)
                ]
            )
            uow.commit()
    finally:
        runtime.close()


class World:
    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "home"
        self.env: dict[str, str | None] = {
            "PARCELGUARD_HOME": str(self.home),
            "PARCELGUARD_DATABASE_URL": None,
        }
        self.kept = tmp_path / "yesterday.txt"

    def sql(self, *statements: str) -> None:
        with sqlite3.connect(self.home / "parcelguard.db") as db:
            for statement in statements:
                db.execute(statement)

    def verify(self) -> tuple[int, str]:
        code, out, err = run(self.env, "audit", "verify", "--checkpoint", str(self.kept), *self.keys)
        return code, out + err

    def verify_db(self) -> tuple[int, str]:
        code, out, err = run(self.env, "audit", "verify-db")
        return code, out + err

    def rebuild_and_resign(self) -> None:
        """The insider with the signing keys: throw the tree away, rebuild it from the rows, sign anew."""
        self.sql("DELETE FROM tlog_node_chunk", "DELETE FROM tlog_leaf_run", "DELETE FROM tlog_state")
        self.sql("DELETE FROM tlog_checkpoint")
        assert run(self.env, "audit", "checkpoint")[0] == 0


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    assert run(w.env, "db", "upgrade")[0] == 0
    add_events(w.home, 300, 0)
    code, text, _ = run(w.env, "audit", "checkpoint")
    assert code == 0 and "\n301\n" in text  # 300 and the key canary's sealing at the first start
    w.kept.write_text(text, encoding="utf-8")
    code, keys, _ = run(w.env, "audit", "keys")
    assert code == 0 and len(keys.split()) == 1  # the log's key: no witness configured, none retired
    w.keys = [arg for k in keys.split() for arg in ("--key", k)]
    add_events(w.home, 200, 300)  # today's events
    yield w


def test_an_honest_log_verifies(world: World) -> None:
    code, out = world.verify()
    assert code == 0 and "501 leaves" in out and "301 leaves" in out, out
    code, out = world.verify_db()
    assert code == 0 and "501 events" in out, out


@pytest.mark.parametrize(
    ("rewrite", "first_bad"),
    [
        ('UPDATE audit_event SET details = \'{"decision":"refused"}\' WHERE seq = 42', 41),
        ("DELETE FROM audit_event WHERE seq = 120", 119),
        ("UPDATE audit_event SET actor = 'user:agent9' WHERE seq = 450", 449),
    ],
    ids=["changed", "deleted", "changed-today"],
)
def test_verify_db_names_the_first_bad_index(world: World, rewrite: str, first_bad: int) -> None:
    assert run(world.env, "audit", "checkpoint")[0] == 0  # today's checkpoint covers all 501
    world.sql(rewrite)
    code, out = world.verify_db()
    assert code == 13 and f"first bad index {first_bad}" in out, out


def test_an_inserted_row_is_named(world: World) -> None:
    assert run(world.env, "audit", "checkpoint")[0] == 0
    world.sql(
        "UPDATE audit_event SET seq = seq + 1000 WHERE seq > 200",
        "INSERT INTO audit_event (seq, occurred_at, actor, action, subject, details) "
        "SELECT 201, occurred_at, 'user:nobody', action, subject, details FROM audit_event WHERE seq = 200",
    )
    code, out = world.verify_db()
    assert code == 13 and "first bad index 200" in out, out


def test_reordered_rows_are_named(world: World) -> None:
    assert run(world.env, "audit", "checkpoint")[0] == 0
    world.sql(
        "UPDATE audit_event SET seq = -1 WHERE seq = 77",
        "UPDATE audit_event SET seq = 77 WHERE seq = 78",
        "UPDATE audit_event SET seq = 78 WHERE seq = -1",
    )
    code, out = world.verify_db()
    assert code == 13 and "first bad index 76" in out, out


@pytest.mark.parametrize(
    "rewrite",
    [
        ("UPDATE audit_event SET details = '{}' WHERE seq = 10",),
        ("DELETE FROM audit_event WHERE seq = 10",),
        (
            "UPDATE audit_event SET seq = -1 WHERE seq = 10",
            "UPDATE audit_event SET seq = 10 WHERE seq = 11",
            "UPDATE audit_event SET seq = 11 WHERE seq = -1",
        ),
    ],
    ids=["changed", "deleted", "reordered"],
)
def test_a_rebuilt_and_resigned_history_is_a_fork(world: World, rewrite: tuple[str, ...]) -> None:
    world.sql(*rewrite)
    world.rebuild_and_resign()
    code, out = world.verify()
    assert code == 12 and "fork" in out, out
    code, out = world.verify_db()
    assert code == 0  # the rebuilt database agrees with itself: only the kept checkpoint shows the rewrite


def test_a_truncated_history_is_a_rollback(world: World) -> None:
    world.sql("DELETE FROM audit_event WHERE seq > 250")
    world.rebuild_and_resign()
    code, out = world.verify()
    assert code == 11 and "rollback" in out, out


def test_a_checkpoint_without_the_logs_signature_or_with_a_bad_one_is_refused(world: World) -> None:
    kept = world.kept.read_text(encoding="utf-8")
    body, _ = kept.split("\n\n")
    stranger = "\u2014 someone.else/log AAAAAAAA" + "A" * 86 + "==\n"  # a line by an unknown key only
    world.kept.write_text(body + "\n\n" + stranger, encoding="utf-8")
    code, out = world.verify()
    assert code == 10 and "bad_signature" in out and "lacks a valid signature" in out, out
    code, out, err = run(
        world.env, "audit", "verify", "--checkpoint", str(world.kept), *world.keys, "--min-signatures", "0"
    )
    assert code == 10, out + err
    world.kept.write_text(kept, encoding="utf-8")
    forged = kept.replace("\n301\n", "\n300\n", 1)
    world.kept.write_text(forged, encoding="utf-8")
    code, out = world.verify()
    assert code == 10, out


def test_a_checkpoint_unsigned_after_a_rewrite_fails_verify_db(world: World) -> None:
    """Rows rewritten and the tree rebuilt, but the old signed checkpoints left in place (no keys)."""
    world.sql(
        "UPDATE audit_event SET subject = 'PG0000000000001' WHERE seq = 5",
        "DELETE FROM tlog_node_chunk",
        "DELETE FROM tlog_leaf_run",
        "DELETE FROM tlog_state",
    )
    code, out = world.verify_db()
    assert code == 13 and "checkpoint of size 301" in out, out


@pytest.fixture
def server(world: World) -> Iterator[tuple[str, str]]:
    """The real app on a free port over the world's database, and an admin API key for the auditor."""
    import socket
    import threading
    import time

    import uvicorn

    from parcelguard.domain.access import Scope
    from parcelguard.services.api_keys import create_api_key
    from parcelguard.web.app import create_app

    runtime = bootstrap(Settings(environment="test", home=world.home), create_keys=False)
    key = create_api_key(runtime.ctx, actor="test", name="auditor", scopes=(Scope.ADMIN,))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(runtime=runtime), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not live.started:
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", key.presented
    live.should_exit = True
    thread.join(timeout=10)
    runtime.close()


def test_an_outside_auditor_checks_the_server_with_no_database(
    world: World, server: tuple[str, str], tmp_path: Path
) -> None:
    url, api_key = server
    outside: dict[str, str | None] = {
        "PARCELGUARD_HOME": str(tmp_path / "nothing"),
        "PARCELGUARD_DATABASE_URL": None,
    }
    args = [
        "audit",
        "verify",
        "--checkpoint",
        str(world.kept),
        "--url",
        url,
        "--api-key",
        api_key,
        *world.keys,
    ]
    code, out, err = run(outside, *args)
    assert code == 0 and "502 leaves" in out, out + err  # and the API key's creation
    assert not (tmp_path / "nothing").exists()  # the auditor needs no data folder of ours
    world.sql("UPDATE audit_event SET actor = 'user:someone.else' WHERE seq = 3")
    world.rebuild_and_resign()
    code, out, err = run(outside, *args)
    assert code == 12 and "fork" in err, out + err
    code, out, err = run(outside, *args[:-4], "--api-key", "pgk_wrong_key", *world.keys)
    assert code == 2 and "HTTP 401" in err, out + err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--key", "garbage"], "--key: a verifier key is name+hash+key"),
        (["--min-signatures", "-1"], "--min-signatures must be between 0 and 0"),
        (["--min-signatures", "1"], "--min-signatures must be between 0 and 0"),
    ],
    ids=["bad-key", "negative-k", "k-above-n"],
)
def test_bad_verify_options_are_one_usage_line(world: World, extra: list[str], message: str) -> None:
    """Not an internal error, and not blamed on the kept checkpoint's signatures (exit 10)."""
    keys = [] if extra[0] == "--key" else world.keys
    code, out, err = run(world.env, "audit", "verify", "--checkpoint", str(world.kept), *keys, *extra)
    assert code == 2 and "invalid_request" in err and message in err, out + err


def test_a_kept_checkpoint_with_an_absurd_size_is_a_bad_signature(world: World, tmp_path: Path) -> None:
    body, signatures = world.kept.read_text(encoding="utf-8").split("\n\n")
    for size in (str(2**64), "9" * 5000):
        world.kept.write_text(body.replace("\n301\n", f"\n{size}\n") + "\n\n" + signatures, encoding="utf-8")
        code, out = world.verify()
        assert code == 10 and "beyond 2**64 - 1" in out, out


def test_a_server_that_garbles_the_consistency_proof_is_a_fork(world: World) -> None:
    """A hostile server answers a good checkpoint but no usable proof: the auditor sees a fork (exit 12)."""
    import http.server
    import threading

    code, today, _ = run(world.env, "audit", "checkpoint")
    assert code == 0
    answers = iter([today, '{"proof": ["zz"]}', today, '{"proof": 7}', today, "not json"])

    class Hostile(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = next(answers).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Hostile)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        for _ in range(3):
            args = ["audit", "verify", "--checkpoint", str(world.kept), "--url", url, *world.keys]
            code, out, err = run(world.env, *args)
            assert code == 12 and "consistency proof is malformed" in err, out + err
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
