"""``parcelguard track --last4`` counts wrong digits in the server's own limiter (the per-number cap of
PARCELGUARD_TRACK_VERIFY_*), so a guess from the command line costs what one over HTTP costs, and answers
README's exit code for "not allowed" (4) to wrong digits and to a locked number.

Another process shares the server's counts only through Redis (PARCELGUARD_REDIS_URL, as ``serve --workers``
needs): without it ``--last4`` is refused before any digit is checked. Runs against
PARCELGUARD_TEST_REDIS_URL (scripts/test sets it), else redis://127.0.0.1:6379/15 when one answers there,
else the Redis tests skip.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from parcelguard.adapters.db import migrate
from parcelguard.adapters.redis_rate_limit import redis_client
from parcelguard.bootstrap import bootstrap
from parcelguard.cli.main import app
from parcelguard.config import Settings
from parcelguard.domain.pii import Mobile
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.web.app import create_app

CONFIGURED = os.environ.get("PARCELGUARD_TEST_REDIS_URL")
REDIS_URL = CONFIGURED or "redis://127.0.0.1:6379/15"
CAP = 5  # PARCELGUARD_TRACK_VERIFY_MAX_FAILURES' default
Env = dict[str, str | None]


def run(env: Env, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("note:")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.fixture
def env(tmp_path: Path) -> Env:
    """A migrated data folder; per-client limits generous (every CLI run is the one client ``cli``)."""
    base: Env = {
        "PARCELGUARD_HOME": str(tmp_path / "home"),
        "PARCELGUARD_DATABASE_URL": None,
        "PARCELGUARD_REDIS_URL": None,
        "PARCELGUARD_TRACK_RATE_PER_MINUTE": "100000",
        "PARCELGUARD_TRACK_BURST": "10000",
    }
    assert run(base, "db", "upgrade")[0] == 0
    return base


@pytest.fixture
def shared(env: Env) -> Env:
    """``env`` with the Redis server every process of the installation counts in."""
    client = redis_client(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        if CONFIGURED:
            raise
        pytest.skip("no Redis server at 127.0.0.1:6379 and PARCELGUARD_TEST_REDIS_URL is not set")
    finally:
        client.close()
    return {**env, "PARCELGUARD_REDIS_URL": REDIS_URL}


def issue_one(env: Env, tmp_path: Path, seed: int = 5) -> tuple[str, str]:
    """A new waybill's tracking number and its recipient's last 4 digits (a fresh number: Redis keeps its
    counts between runs, keyed by the number)."""
    order = SyntheticPeople(seed).order()
    (tmp_path / "one.jsonl").write_text(json.dumps(order, ensure_ascii=False) + "\n", encoding="utf-8")
    code, _, stderr = run(
        env, "waybill", "issue", "--in", str(tmp_path / "one.jsonl"), "--out", str(tmp_path / "r.jsonl")
    )
    assert code == 0, stderr
    number = json.loads((tmp_path / "r.jsonl").read_text(encoding="utf-8"))["tracking_number"]
    return number, Mobile.parse(order["recipient"]["mobile"]).last4


def wrong(last4: str, n: int = 1) -> str:
    return f"{(int(last4) + n) % 10000:04d}"


def server(env: Env) -> TestClient:
    """The HTTP API over the same data folder and settings (so the same limiter) as the CLI runs."""
    settings = Settings(
        home=Path(str(env["PARCELGUARD_HOME"])),
        redis_url=env["PARCELGUARD_REDIS_URL"],
        track_rate_per_minute=100_000,
        track_burst=10_000,
    )
    runtime = bootstrap(settings, create_keys=False)
    migrate.upgrade(runtime.engine)
    return TestClient(create_app(runtime=runtime))


def test_seven_wrong_guesses_from_the_cli_lock_the_number_for_the_http_route_too(
    shared: Env, tmp_path: Path
) -> None:
    number, last4 = issue_one(shared, tmp_path)
    answers = [run(shared, "track", number, "--last4", wrong(last4, n)) for n in range(1, 8)]
    assert [code for code, _, _ in answers] == [4] * 7
    codes = [error_line(stderr).split("[", 1)[1].split("]", 1)[0] for _, _, stderr in answers]
    assert codes == ["tracking_verification_failed"] * CAP + ["rate_limited"] * 2
    assert all(last4 not in stdout + stderr for _, stdout, stderr in answers)
    # the right digits now: refused on the command line and over HTTP alike, the status still public
    code, _, stderr = run(shared, "track", number, "--last4", last4)
    assert code == 4 and "[rate_limited]" in error_line(stderr)
    with server(shared) as client:
        answer = client.post(f"/v1/track/{number}", json={"mobile_last4": last4})
        assert (answer.status_code, answer.json()["code"]) == (429, "rate_limited")
        assert client.get(f"/v1/track/{number}").status_code == 200


def test_wrong_guesses_over_http_count_against_the_cli(shared: Env, tmp_path: Path) -> None:
    number, last4 = issue_one(shared, tmp_path, seed=6)
    with server(shared) as client:
        for n in range(1, CAP + 1):
            answer = client.post(f"/v1/track/{number}", json={"mobile_last4": wrong(last4, n)})
            assert (answer.status_code, answer.json()["code"]) == (403, "tracking_verification_failed")
    code, _, stderr = run(shared, "track", number, "--last4", last4)
    assert code == 4 and "[rate_limited]" in error_line(stderr)


def test_the_right_digits_show_the_destination_and_do_not_count(shared: Env, tmp_path: Path) -> None:
    number, last4 = issue_one(shared, tmp_path, seed=7)
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in last4)
    for _ in range(CAP + 2):
        code, stdout, stderr = run(shared, "track", number, "--last4", full_width)
        assert code == 0, stderr
        assert "->" in stdout and "已下单 Order created" in stdout and "UTC+8" in stdout


@pytest.mark.parametrize("redis_url", [None, ""], ids=["unset", "empty"])
def test_without_redis_last4_is_refused_before_any_digit_is_checked(
    env: Env, tmp_path: Path, redis_url: str | None
) -> None:
    env = {**env, "PARCELGUARD_REDIS_URL": redis_url}
    number, last4 = issue_one(env, tmp_path, seed=8)
    for digits in (wrong(last4), last4):
        code, stdout, stderr = run(env, "track", number, "--last4", digits)
        assert code == 1, stderr
        line = error_line(stderr)
        assert "[rate_limiter_unavailable] (--last4)" in line and "PARCELGUARD_REDIS_URL" in line
        assert stdout == "" and digits not in line
    code, stdout, stderr = run(env, "track", number)  # the status history needs no shared count
    assert code == 0 and "已下单 Order created" in stdout, stderr


def test_the_help_says_what_it_counts_and_what_it_needs(env: Env) -> None:
    code, stdout, _ = run(env, "track", "--help")
    assert code == 0
    text = " ".join(stdout.split())
    assert "PARCELGUARD_REDIS_URL" in text and "exit code 4" in text
