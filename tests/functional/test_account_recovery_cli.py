"""`parcelguard user enable | reset-second-factor | set-password` as an operator uses them: one-line errors,
exit codes, the URI once, and what a person can sign in with afterwards (real clock, production argon2id)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from typer.testing import CliRunner

from parcelguard.bootstrap import Runtime, bootstrap
from parcelguard.cli.main import app
from parcelguard.config import Settings
from parcelguard.errors import AuthenticationError, ErrorCode
from parcelguard.services import auth
from tests.people_support import PASSWORD

NEW_PASSWORD = "a brand new passphrase 42"
URI = re.compile(r"^otpauth://totp/[^?]+:(?P<user>[a-z0-9._-]+)\?secret=(?P<secret>[A-Z2-7]{32})&.*$", re.M)
Env = dict[str, str | None]


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return {"PARCELGUARD_HOME": str(tmp_path / "home"), "PARCELGUARD_DATABASE_URL": None}


def run(env: Env, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env, input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def migrated(env: Env) -> Env:
    assert run(env, "db", "upgrade")[0] == 0
    code, _, _ = run(env, "station", "add", "--code", "SZ-NS-01", "--name", "南山站", "--district", "440305")
    assert code == 0
    return env


@pytest.fixture
def signed(migrated: Env) -> Iterator[Runtime]:
    """The same data folder, opened in-process to sign in as the person would."""
    runtime = bootstrap(
        Settings(home=Path(str(migrated["PARCELGUARD_HOME"])), database_url=None), create_keys=False
    )
    yield runtime
    runtime.close()


def add(env: Env, username: str, role: str) -> str | None:
    station = ["--station", "SZ-NS-01"] if role == "courier" else []
    args = ("user", "add", username, "--role", role, *station, "--password-stdin")
    code, stdout, _ = run(env, *args, stdin=PASSWORD + "\n")
    assert code == 0
    match = URI.search(stdout)
    return None if match is None else match.group(0)


def refused_with(call: object, **kwargs: object) -> ErrorCode:
    assert callable(call)
    with pytest.raises(AuthenticationError) as caught:
        call(**kwargs)
    return caught.value.code


def test_enable_lets_a_user_disabled_by_mistake_sign_in_again(migrated: Env, signed: Runtime) -> None:
    add(migrated, "courier.01", "courier")
    token = auth.issue_access_token(signed.ctx, username="courier.01", password=PASSWORD)
    assert run(migrated, "user", "disable", "courier.01")[0] == 0
    assert run(migrated, "user", "enable", "Courier.01") == (0, "user courier.01 enabled\n", "")
    assert run(migrated, "user", "list")[1] == "courier.01\tcourier\tSZ-NS-01\tactive\n"
    assert refused_with(auth.principal_for_access_token, ctx=signed.ctx, token=token.access_token) is (
        ErrorCode.UNAUTHENTICATED
    )
    fresh = auth.issue_access_token(signed.ctx, username="courier.01", password=PASSWORD)
    assert auth.principal_for_access_token(signed.ctx, fresh.access_token).username == "courier.01"


def test_enable_refuses_an_offboarded_user_and_notes_an_offboarding_to_come(migrated: Env) -> None:
    add(migrated, "courier.01", "courier")
    add(migrated, "courier.02", "courier")
    run(migrated, "user", "disable", "courier.01")
    run(migrated, "user", "offboard", "courier.01", "--from", "2020-01-01")
    code, stdout, stderr = run(migrated, "user", "enable", "courier.01")
    assert (code, stdout, stderr.count("\n")) == (1, "", 1)
    assert stderr.startswith("error [offboarding] (username):") and "does not undo offboarding" in stderr
    assert run(migrated, "user", "list")[1].startswith("courier.01\tcourier\tSZ-NS-01\tdisabled\n")
    run(migrated, "user", "offboard", "courier.02", "--from", "2999-12-31")
    run(migrated, "user", "disable", "courier.02")
    code, stdout, stderr = run(migrated, "user", "enable", "courier.02")
    assert (code, stdout) == (0, "user courier.02 enabled\n")
    assert (
        stderr == "note: offboarding from 2999-12-31 00:00 UTC+8 still applies (enabling does not undo it)\n"
    )


def test_reset_second_factor_prints_a_new_uri_once_and_only_its_codes_sign_in(
    migrated: Env, signed: Runtime
) -> None:
    old_uri = add(migrated, "admin.01", "admin")
    assert old_uri is not None
    old = pyotp.parse_uri(old_uri)
    token = auth.issue_access_token(signed.ctx, username="admin.01", password=PASSWORD, otp=old.now())
    code, stdout, stderr = run(migrated, "user", "reset-second-factor", "admin.01")
    assert code == 0 and stdout.startswith("user admin.01 second factor reset\n")
    match = URI.search(stdout)
    assert match is not None and match.group("user") == "admin.01" and stdout.count("otpauth://") == 1
    assert "not shown again" in stderr and "next half-minute" in stderr and "otpauth" not in stderr
    new_uri = match.group(0)
    assert pyotp.parse_uri(new_uri).secret != old.secret
    assert refused_with(auth.principal_for_access_token, ctx=signed.ctx, token=token.access_token) is (
        ErrorCode.UNAUTHENTICATED
    )
    for otp in (old.now(), old.at(time.time() + 30)):
        assert refused_with(
            auth.issue_access_token, ctx=signed.ctx, username="admin.01", password=PASSWORD, otp=otp
        ) is (ErrorCode.INVALID_CREDENTIALS)
    # The authenticator that scanned the new URI: its next code (within the drift the server allows).
    fresh = auth.issue_access_token(
        signed.ctx,
        username="admin.01",
        password=PASSWORD,
        otp=pyotp.parse_uri(new_uri).at(time.time() + 30),
    )
    assert auth.principal_for_access_token(signed.ctx, fresh.access_token).second_factor
    events = run(migrated, "audit", "events", "--actor", "admin.01", "--json")[1]
    db = (Path(str(migrated["PARCELGUARD_HOME"])) / "parcelguard.db").read_bytes()
    for secret in (old.secret, pyotp.parse_uri(new_uri).secret):
        assert secret.encode() not in db and secret not in events


def test_reset_second_factor_refuses_a_role_without_one_in_one_line(migrated: Env) -> None:
    add(migrated, "courier.01", "courier")
    code, stdout, stderr = run(migrated, "user", "reset-second-factor", "courier.01")
    assert (code, stdout, stderr.count("\n")) == (2, "", 1)
    assert stderr.startswith("error [role_not_allowed] (username):") and "courier" in stderr


def test_set_password_replaces_the_old_one_and_ends_old_sessions(migrated: Env, signed: Runtime) -> None:
    add(migrated, "courier.01", "courier")
    token = auth.issue_access_token(signed.ctx, username="courier.01", password=PASSWORD)
    session = auth.open_session(signed.ctx, username="courier.01", password=PASSWORD)
    code, stdout, stderr = run(
        migrated, "user", "set-password", "courier.01", "--password-stdin", stdin=NEW_PASSWORD + "\n"
    )
    assert (code, stdout, stderr) == (0, "user courier.01 password set\n", "")
    assert refused_with(auth.principal_for_access_token, ctx=signed.ctx, token=token.access_token) is (
        ErrorCode.UNAUTHENTICATED
    )
    assert refused_with(auth.principal_for_session, ctx=signed.ctx, session_id=session.session_id) is (
        ErrorCode.UNAUTHENTICATED
    )
    assert refused_with(
        auth.issue_access_token, ctx=signed.ctx, username="courier.01", password=PASSWORD
    ) is (ErrorCode.INVALID_CREDENTIALS)
    assert auth.issue_access_token(signed.ctx, username="courier.01", password=NEW_PASSWORD)
    db = (Path(str(migrated["PARCELGUARD_HOME"])) / "parcelguard.db").read_bytes()
    assert NEW_PASSWORD.encode() not in db


def test_set_password_notes_a_disabled_user_stays_disabled(migrated: Env) -> None:
    add(migrated, "courier.01", "courier")
    run(migrated, "user", "disable", "courier.01")
    code, stdout, stderr = run(
        migrated, "user", "set-password", "courier.01", "--password-stdin", stdin=NEW_PASSWORD
    )
    assert (code, stdout) == (0, "user courier.01 password set\n")
    assert stderr == "note: user courier.01 is disabled: they sign in after `parcelguard user enable`\n"


def test_recovery_refusals_are_one_line_with_their_codes(migrated: Env) -> None:
    add(migrated, "courier.01", "courier")
    cases = [
        (("user", "enable", "nobody.1"), None, 3, "[user_not_found] (username)"),
        (("user", "reset-second-factor", "nobody.1"), None, 3, "[user_not_found] (username)"),
        (
            ("user", "set-password", "nobody.1", "--password-stdin"),
            NEW_PASSWORD,
            3,
            "[user_not_found] (username)",
        ),
        (("user", "enable", "张伟"), None, 2, "[invalid_request] (username)"),
        (("user", "set-password", "courier.01"), NEW_PASSWORD, 2, "[missing_field] (--password-stdin)"),
        (
            ("user", "set-password", "courier.01", "--password-stdin"),
            "",
            2,
            "[missing_field] (--password-stdin)",
        ),
        (
            ("user", "set-password", "courier.01", "--password-stdin"),
            "short",
            2,
            "[invalid_request] (password)",
        ),
        (
            ("user", "set-password", "courier.01", "--password-stdin"),
            "\x00" * 20,  # the one password policy: no control characters (NIST SP 800-63B)
            2,
            "[invalid_request] (password)",
        ),
        (
            ("user", "add", "courier.02", "--role", "courier", "--station", "SZ-NS-01", "--password-stdin"),
            "\x00" * 20,
            2,
            "[invalid_request] (password)",
        ),
    ]
    for args, stdin, exit_code, error in cases:
        code, stdout, stderr = run(migrated, *args, stdin=stdin)
        assert (code, stdout, stderr.count("\n")) == (exit_code, "", 1), (args, stderr)
        assert stderr.startswith(f"error {error}:") and "Traceback" not in stderr
        assert NEW_PASSWORD not in stderr and "short" not in stderr.split(":", 1)[1]
