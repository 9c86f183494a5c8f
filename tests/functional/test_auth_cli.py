"""`parcelguard station` and `parcelguard user` as an operator uses them: one-line errors, exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parcelguard.cli.main import app
from tests.people_support import PASSWORD

URI = re.compile(
    r"^otpauth://totp/[^?]+:(?P<user>[a-z0-9._-]+)\?secret=(?P<secret>[A-Z2-7]{32})&", re.MULTILINE
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    return {"PARCELGUARD_HOME": str(tmp_path / "home"), "PARCELGUARD_DATABASE_URL": None}


def run(env: dict[str, str | None], *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env, input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def migrated(env: dict[str, str | None]) -> dict[str, str | None]:
    assert run(env, "db", "upgrade")[0] == 0
    code, stdout, _ = run(
        env, "station", "add", "--code", "sz-ns-01", "--name", "南山站", "--district", "440305"
    )
    assert code == 0 and stdout.strip() == "station SZ-NS-01: 南山站 (440305)"
    return env


def test_stations_are_listed_and_bad_ones_refused_in_one_line(migrated: dict[str, str | None]) -> None:
    assert run(migrated, "station", "list")[1] == "SZ-NS-01\t440305\t南山站\n"
    code, _, stderr = run(
        migrated, "station", "add", "--code", "SZ-NS-01", "--name", "x", "--district", "440305"
    )
    assert code == 1 and stderr.startswith("error [station_exists] (code):") and stderr.count("\n") == 1
    code, _, stderr = run(migrated, "station", "add", "--code", "X-1", "--name", "x", "--district", "440399")
    assert code == 2 and stderr.startswith("error [invalid_address] (district):")
    code, _, stderr = run(migrated, "station", "add", "--code", "X-1", "--name", "x", "--district", "431121")
    assert code == 2 and "431181" in stderr  # 祁阳县 became 祁阳市


def test_a_second_factor_user_gets_the_provisioning_uri_once_and_a_courier_none(
    migrated: dict[str, str | None],
) -> None:
    code, stdout, stderr = run(
        migrated, "user", "add", "admin.01", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert code == 0 and stdout.startswith("user admin.01 (admin)")
    match = URI.search(stdout)
    assert match is not None and match.group("user") == "admin.01"
    assert "not shown again" in stderr and PASSWORD not in stdout + stderr
    code, stdout, _ = run(
        migrated,
        "user",
        "add",
        "courier.01",
        "--role",
        "courier",
        "--station",
        "sz-ns-01",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert code == 0 and stdout == "user courier.01 (courier, station SZ-NS-01)\n"
    listed = run(migrated, "user", "list")[1]
    assert listed == "admin.01\tadmin\t-\tactive\ncourier.01\tcourier\tSZ-NS-01\tactive\n"
    assert match.group("secret") not in listed
    db = (Path(str(migrated["PARCELGUARD_HOME"])) / "parcelguard.db").read_bytes()
    assert match.group("secret").encode() not in db and PASSWORD.encode() not in db


def test_user_add_refusals_are_one_line_with_their_codes(migrated: dict[str, str | None]) -> None:
    cases = [
        (
            ("user", "add", "x.01", "--role", "courier", "--station", "SZ-NS-01"),
            PASSWORD,
            2,
            "[missing_field] (--password-stdin)",
        ),
        (
            ("user", "add", "x.01", "--role", "courier", "--station", "SZ-NS-01", "--password-stdin"),
            "",
            2,
            "[missing_field] (--password-stdin)",
        ),
        (
            ("user", "add", "x.01", "--role", "courier", "--station", "SZ-NS-01", "--password-stdin"),
            "short",
            2,
            "[invalid_request] (password)",
        ),
        (
            ("user", "add", "x.01", "--role", "courier", "--password-stdin"),
            PASSWORD,
            2,
            "[missing_field] (station)",
        ),
        (
            ("user", "add", "x.01", "--role", "cs_agent", "--station", "SZ-NS-01", "--password-stdin"),
            PASSWORD,
            2,
            "[invalid_request] (station)",
        ),
        (
            ("user", "add", "x.01", "--role", "pilot", "--password-stdin"),
            PASSWORD,
            2,
            "[invalid_request] (role)",
        ),
        (
            ("user", "add", "张伟", "--role", "regulator", "--password-stdin"),
            PASSWORD,
            2,
            "[invalid_request] (username)",
        ),
        (
            ("user", "add", "x.01", "--role", "courier", "--station", "NOPE", "--password-stdin"),
            PASSWORD,
            3,
            "[station_not_found] (station)",
        ),
        (("user", "disable", "nobody.1"), None, 3, "[user_not_found] (username)"),
        (("user", "offboard", "nobody.1", "--from", "2026-12-31"), None, 3, "[user_not_found] (username)"),
        (("user", "offboard", "nobody.1", "--from", "next week"), None, 2, "[invalid_request] (from)"),
    ]
    for args, stdin, exit_code, error in cases:
        code, _, stderr = run(migrated, *args, stdin=stdin)
        assert (code, stderr.count("\n")) == (exit_code, 1), (args, stderr)
        assert stderr.startswith(f"error {error}:") and "Traceback" not in stderr
        assert PASSWORD not in stderr
    assert run(migrated, "user", "list")[1] == ""


def test_disable_and_offboard_show_in_the_listing(migrated: dict[str, str | None]) -> None:
    for name in ("courier.01", "courier.02"):
        run(
            migrated,
            "user",
            "add",
            name,
            "--role",
            "courier",
            "--station",
            "SZ-NS-01",
            "--password-stdin",
            stdin=PASSWORD,
        )
    assert run(migrated, "user", "disable", "courier.01") == (0, "user courier.01 disabled\n", "")
    code, stdout, _ = run(migrated, "user", "offboard", "courier.02", "--from", "2026-12-31")
    assert code == 0 and stdout == "user courier.02 offboarded from 2026-12-31 00:00 UTC+8\n"
    assert run(migrated, "user", "list", "--station", "SZ-NS-01")[1] == (
        "courier.01\tcourier\tSZ-NS-01\tdisabled\n"
        "courier.02\tcourier\tSZ-NS-01\toffboarding from 2026-12-31 00:00 UTC+8\n"
    )
