"""``parcelguard track --last4`` counts wrong digits where the server does, in the database (the per-number
cap of PARCELGUARD_TRACK_VERIFY_*, in ``login_throttle``), so a guess from the command line costs what one
over HTTP costs with no Redis, and answers README's exit code for "not allowed" (4) to wrong digits and to a
locked number. Guesses from several CLI processes at once each use one up.

PARCELGUARD_REDIS_URL changes nothing about these counts (Redis holds only the per-client query rate); that
test runs against PARCELGUARD_TEST_REDIS_URL, else redis://127.0.0.1:6379/15 when one answers there, else
it skips.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
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


def error_code(stderr: str) -> str:
    return error_line(stderr).split("[", 1)[1].split("]", 1)[0]


@pytest.fixture
def env(tmp_path: Path) -> Env:
    """A migrated data folder on the default install (SQLite, no Redis); per-client query rates generous
    (every CLI run is the one client ``cli``)."""
    base: Env = {
        "PARCELGUARD_HOME": str(tmp_path / "home"),
        "PARCELGUARD_DATABASE_URL": None,
        "PARCELGUARD_REDIS_URL": None,
        "PARCELGUARD_TRACK_RATE_PER_MINUTE": "100000",
        "PARCELGUARD_TRACK_BURST": "10000",
    }
    assert run(base, "db", "upgrade")[0] == 0
    return base


def issue_one(env: Env, tmp_path: Path, seed: int = 5) -> tuple[str, str]:
    """A new waybill's tracking number and its recipient's last 4 digits."""
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
    """The HTTP API over the same data folder as the CLI runs, without Redis."""
    settings = Settings(
        home=Path(str(env["PARCELGUARD_HOME"])),
        redis_url=None,
        track_rate_per_minute=100_000,
        track_burst=10_000,
    )
    runtime = bootstrap(settings, create_keys=False)
    migrate.upgrade(runtime.engine)
    return TestClient(create_app(runtime=runtime))


def test_seven_wrong_guesses_from_the_cli_lock_the_number_for_the_http_route_too(
    env: Env, tmp_path: Path
) -> None:
    number, last4 = issue_one(env, tmp_path)
    answers = [run(env, "track", number, "--last4", wrong(last4, n)) for n in range(1, 8)]
    assert [code for code, _, _ in answers] == [4] * 7
    codes = [error_code(stderr) for _, _, stderr in answers]
    assert codes == ["tracking_verification_failed"] * CAP + ["rate_limited"] * 2
    assert all(last4 not in stdout + stderr for _, stdout, stderr in answers)
    # the right digits now: refused on the command line and over HTTP alike, the status still public
    code, _, stderr = run(env, "track", number, "--last4", last4)
    assert code == 4 and "[rate_limited]" in error_line(stderr)
    with server(env) as client:
        answer = client.post(f"/v1/track/{number}", json={"mobile_last4": last4})
        assert (answer.status_code, answer.json()["code"]) == (429, "rate_limited")
        assert int(answer.headers["Retry-After"]) > 3500
        assert client.get(f"/v1/track/{number}").status_code == 200
        page = client.post("/track", data={"tracking_number": number, "mobile_last4": last4})
        assert page.status_code == 429 and 'data-code="rate_limited"' in page.text
    code, stdout, stderr = run(env, "track", number)  # the status history needs no digits
    assert code == 0 and "已下单 Order created" in stdout, stderr


def test_wrong_guesses_over_http_and_the_page_count_against_the_cli(env: Env, tmp_path: Path) -> None:
    number, last4 = issue_one(env, tmp_path, seed=6)
    with server(env) as client:
        for n in range(1, CAP):
            answer = client.post(f"/v1/track/{number}", json={"mobile_last4": wrong(last4, n)})
            assert (answer.status_code, answer.json()["code"]) == (403, "tracking_verification_failed")
        page = client.post("/track", data={"tracking_number": number, "mobile_last4": wrong(last4, CAP)})
        assert page.status_code == 403
    code, _, stderr = run(env, "track", number, "--last4", last4)
    assert code == 4 and "[rate_limited]" in error_line(stderr)


def test_guesses_from_cli_processes_run_at_once_each_use_one_up(env: Env, tmp_path: Path) -> None:
    """2 x CAP separate ``parcelguard`` processes guessing together: exactly CAP compared."""
    number, last4 = issue_one(env, tmp_path, seed=9)
    child_env = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    child_env.pop("PARCELGUARD_DATABASE_URL", None)
    child_env.pop("PARCELGUARD_REDIS_URL", None)
    command = [
        sys.executable,
        "-c",
        "from parcelguard.cli.main import app; app()",
        "track",
        number,
        "--last4",
    ]

    def guess(n: int) -> tuple[int, str]:
        done = subprocess.run(
            [*command, wrong(last4, n)],
            env=child_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return done.returncode, error_code(done.stderr)

    with ThreadPoolExecutor(max_workers=2 * CAP) as pool:
        answers = list(pool.map(guess, range(1, 2 * CAP + 1)))
    assert sorted(answers) == sorted(
        [(4, "tracking_verification_failed")] * CAP + [(4, "rate_limited")] * CAP
    )


def test_the_right_digits_show_the_destination_and_do_not_count(env: Env, tmp_path: Path) -> None:
    number, last4 = issue_one(env, tmp_path, seed=7)
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in last4)
    for _ in range(CAP + 2):
        code, stdout, stderr = run(env, "track", number, "--last4", full_width)
        assert code == 0, stderr
        assert "->" in stdout and "已下单 Order created" in stdout and "UTC+8" in stdout


@pytest.mark.parametrize("redis_url", ["", REDIS_URL], ids=["empty", "redis"])
def test_a_redis_url_changes_nothing_about_the_count(env: Env, tmp_path: Path, redis_url: str) -> None:
    """Empty is no Redis; with Redis the CLI still counts in the database, where a server without it reads."""
    if redis_url:
        client = redis_client(redis_url)
        try:
            client.ping()
        except redis.RedisError:
            if CONFIGURED:
                raise
            pytest.skip("no Redis server at 127.0.0.1:6379 and PARCELGUARD_TEST_REDIS_URL is not set")
        finally:
            client.close()
    with_redis = {**env, "PARCELGUARD_REDIS_URL": redis_url}
    number, last4 = issue_one(with_redis, tmp_path, seed=8)
    for n in range(1, CAP + 1):
        code, _, stderr = run(with_redis, "track", number, "--last4", wrong(last4, n))
        assert (code, error_code(stderr)) == (4, "tracking_verification_failed")
    with server(env) as http:
        answer = http.post(f"/v1/track/{number}", json={"mobile_last4": last4})
        assert (answer.status_code, answer.json()["code"]) == (429, "rate_limited")


def test_the_help_says_what_it_counts(env: Env) -> None:
    code, stdout, _ = run(env, "track", "--help")
    assert code == 0
    text = " ".join(stdout.split())
    assert "database" in text and "exit code 4" in text and "PARCELGUARD_REDIS_URL" not in text


def test_the_openapi_document_lists_wrong_digits_and_the_lock_for_the_verified_tracking(env: Env) -> None:
    with server(env) as client:
        operation = client.get("/openapi.json").json()["paths"]["/v1/track/{tracking_number}"]["post"]
    assert "`tracking_verification_failed`" in operation["responses"]["403"]["description"]
    limited = operation["responses"]["429"]
    assert "`rate_limited`" in limited["description"] and "Retry-After" in limited["headers"]
