"""What goes wrong before a command's work starts is one line with a documented code and exit code 1
(README's table: configuration, the data folder, the key file, the database), never ``internal_error``, and
never the value of a setting (a database URL or another variable may hold a password)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from parcelguard.bootstrap import Runtime
from parcelguard.cli.main import app
from parcelguard.domain.access import Scope
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.errors import ErrorCode
from parcelguard.services.api_keys import create_api_key
from parcelguard.web.app import create_app
from parcelguard.web.errors import STATUS_BY_CODE

Env = dict[str, str | None]
SECRET = "Sup3rSecretPw"  # the password a test URL carries, which no answer may show


def run(env: Env, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("note:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def used_home(tmp_path: Path) -> Path:
    """A data folder whose database holds a waybill sealed with its key file."""
    home = tmp_path / "home"
    env: Env = {"PARCELGUARD_HOME": str(home), "PARCELGUARD_DATABASE_URL": None}
    assert run(env, "db", "upgrade")[0] == 0
    orders = tmp_path / "orders.jsonl"
    orders.write_text(json.dumps(SyntheticPeople(5).order(), ensure_ascii=False) + "\n", encoding="utf-8")
    code, _, stderr = run(env, "waybill", "issue", "--in", str(orders), "--out", str(tmp_path / "out.jsonl"))
    assert code == 0, stderr
    return home


# -- 1. a missing key file beside a database ---------------------------------------------------------------


def _says_restore_and_nothing_else(line: str) -> None:
    assert line.startswith("error [key_file_missing]"), line
    assert "restore it from backup" in line
    assert "demo" not in line and "db upgrade" not in line and "sets up a new" not in line


def test_a_missing_key_file_under_parcelguard_home_is_key_file_missing(
    used_home: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "v2"
    shutil.copytree(used_home, copy)
    (copy / "keys.json").unlink()
    env: Env = {"PARCELGUARD_HOME": str(copy), "PARCELGUARD_DATABASE_URL": None}
    for args in (("waybill", "show", "PG123456789012"), ("keys", "status"), ("db", "upgrade")):
        code, _, stderr = run(env, *args)
        assert code == 1, (args, stderr)
        _says_restore_and_nothing_else(one_line(stderr))
    assert not (copy / "keys.json").exists()


def test_a_var_folder_holding_only_the_database_is_found_and_its_key_file_missing(
    used_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = tmp_path / "checkout"
    (checkout / "var").mkdir(parents=True)
    shutil.copy(used_home / "parcelguard.db", checkout / "var" / "parcelguard.db")
    (checkout / "deeper").mkdir()
    monkeypatch.chdir(checkout / "deeper")
    code, _, stderr = run(
        {"PARCELGUARD_HOME": None, "PARCELGUARD_DATABASE_URL": None}, "waybill", "show", "PG1"
    )
    assert code == 1
    _says_restore_and_nothing_else(one_line(stderr))
    assert sorted(p.name for p in (checkout / "var").iterdir()) == ["parcelguard.db"]
    assert not (checkout / "deeper" / "var").exists()


def test_a_missing_key_file_beside_a_database_holding_nothing_sealed_points_at_db_upgrade(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    env: Env = {"PARCELGUARD_HOME": str(home), "PARCELGUARD_DATABASE_URL": None}
    assert run(env, "db", "upgrade")[0] == 0
    (home / "keys.json").unlink()
    code, _, stderr = run(env, "keys", "status")
    line = one_line(stderr)
    assert code == 1 and line.startswith("error [key_file_missing]") and "db upgrade" in line, line
    assert not (home / "keys.json").exists()


# -- 2. database problems are configuration or environment errors, not bugs ------------------------------


def _database_env(tmp_path: Path, url: str) -> Env:
    home = tmp_path / "pghome"
    if not home.exists():
        assert run({"PARCELGUARD_HOME": str(home), "PARCELGUARD_DATABASE_URL": None}, "db", "upgrade")[0] == 0
    return {"PARCELGUARD_HOME": str(home), "PARCELGUARD_DATABASE_URL": url}


@pytest.mark.parametrize(
    ("url", "code"),
    [
        (f"postgresql+psycopg://someone:{SECRET}@127.0.0.1:1/x", "database_unavailable"),
        (f"mysql://someone:{SECRET}@127.0.0.1/x", "invalid_configuration"),
        (f"postgresql+psycopg://someone:{SECRET}@127.0.0.1:abc/x", "invalid_configuration"),
        (f"not a url {SECRET}", "invalid_configuration"),
    ],
)
def test_an_unusable_database_url_is_one_coded_line_without_the_password(
    tmp_path: Path, url: str, code: str
) -> None:
    env = _database_env(tmp_path, url)
    for args in (("waybill", "show", "PG123456789012"), ("db", "upgrade"), ("serve", "--port", "1")):
        exit_code, stdout, stderr = run(env, *args)
        line = one_line(stderr)
        assert exit_code == 1 and line.startswith(f"error [{code}]"), (args, line)
        assert "PARCELGUARD_DATABASE_URL" in line
        assert SECRET not in stderr + stdout and "bug" not in line


POSTGRES = os.environ.get("PARCELGUARD_TEST_POSTGRES_URL")


@pytest.mark.skipif(not POSTGRES, reason="needs PARCELGUARD_TEST_POSTGRES_URL")
@pytest.mark.parametrize("what", ["user", "database"])
def test_a_wrong_postgresql_user_or_database_is_database_unavailable(tmp_path: Path, what: str) -> None:
    from sqlalchemy.engine import make_url

    good = make_url(str(POSTGRES))
    bad = (
        good.set(username="no_such_user", password=SECRET)
        if what == "user"
        else good.set(database="no_such_db")
    )
    env = _database_env(tmp_path, bad.render_as_string(hide_password=False))
    for args in (("waybill", "show", "PG123456789012"), ("db", "upgrade")):
        exit_code, stdout, stderr = run(env, *args)
        line = one_line(stderr)
        assert exit_code == 1 and line.startswith("error [database_unavailable]"), line
        assert SECRET not in stderr + stdout


def test_a_file_that_is_not_an_sqlite_database_is_database_corrupt(used_home: Path) -> None:
    (used_home / "parcelguard.db").write_text("x\n")
    env: Env = {"PARCELGUARD_HOME": str(used_home), "PARCELGUARD_DATABASE_URL": None}
    for args in (("waybill", "show", "PG123456789012"), ("db", "upgrade"), ("serve", "--port", "1")):
        exit_code, _, stderr = run(env, *args)
        line = one_line(stderr)
        assert exit_code == 1 and line.startswith("error [database_corrupt]"), (args, line)
    assert (used_home / "parcelguard.db").read_text() == "x\n"


def test_the_new_codes_are_documented_in_readme_and_have_an_http_status() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for code in (ErrorCode.DATABASE_UNAVAILABLE, ErrorCode.DATABASE_CORRUPT, ErrorCode.INVALID_CONFIGURATION):
        assert f"`{code.value}`" in readme
        assert code in STATUS_BY_CODE
    assert STATUS_BY_CODE[ErrorCode.DATABASE_UNAVAILABLE] == 503


def test_a_database_outage_during_a_request_is_503_database_unavailable(
    sqlite_runtime: Runtime, tmp_path: Path
) -> None:
    key = create_api_key(sqlite_runtime.ctx, actor="test", name="test", scopes=(Scope.ADMIN,))
    headers = {"Authorization": f"Bearer {key.presented}"}
    with TestClient(create_app(runtime=sqlite_runtime), raise_server_exceptions=False) as client:
        assert client.get("/v1/waybills/PG123456789012", headers=headers).status_code in (404, 422)
        url = sqlite_runtime.engine.url
        sqlite_runtime.engine.dispose()
        folder = Path(str(url.database)).parent
        shutil.rmtree(folder)  # every new connection now fails: "unable to open database file"
        answer = client.get("/v1/waybills/PG123456789012", headers=headers)
        assert answer.status_code == 503, answer.text
        assert answer.json()["code"] == "database_unavailable"


# -- 3. settings that are not what they must be ----------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("PARCELGUARD_PORT", "abc", "integer"),
        ("PARCELGUARD_ENVIRONMENT", "production", "'dev', 'test' or 'prod'"),
        ("PARCELGUARD_TRACK_BURST", "0", "greater than or equal to 1"),
    ],
)
def test_an_invalid_setting_names_the_variable_and_the_rule_never_the_value(
    used_home: Path, variable: str, value: str, says: str
) -> None:
    env: Env = {"PARCELGUARD_HOME": str(used_home), "PARCELGUARD_DATABASE_URL": None, variable: value}
    code, _, stderr = run(env, "waybill", "show", "PG123456789012")
    line = one_line(stderr)
    assert code == 1 and line.startswith(f"error [invalid_configuration] ({variable})"), line
    assert says in line
    assert value not in line.replace(says, "")
    assert "input_value" not in line and "pydantic" not in line and "http" not in line


# -- 4. an idempotency key given but blank -----------------------------------------------------------------


@pytest.mark.parametrize("key", ["", " ", " key", "key ", "k\tey", "ключ", "k" * 121])
def test_a_blank_or_padded_idempotency_key_is_refused_not_replaced(
    used_home: Path, tmp_path: Path, key: str
) -> None:
    orders = tmp_path / "more.jsonl"
    orders.write_text(json.dumps(SyntheticPeople(9).order(), ensure_ascii=False) + "\n", encoding="utf-8")
    env: Env = {"PARCELGUARD_HOME": str(used_home), "PARCELGUARD_DATABASE_URL": None}
    out = tmp_path / "result.jsonl"
    code, _, stderr = run(
        env, "waybill", "issue", "--in", str(orders), "--out", str(out), "--idempotency-key", key
    )
    line = one_line(stderr)
    assert code == 2 and line.startswith("error [invalid_request] (--idempotency-key)"), line
    assert not out.exists()


def test_an_idempotency_key_with_inner_blanks_is_used_as_given(used_home: Path, tmp_path: Path) -> None:
    orders = tmp_path / "more.jsonl"
    orders.write_text(json.dumps(SyntheticPeople(9).order(), ensure_ascii=False) + "\n", encoding="utf-8")
    env: Env = {"PARCELGUARD_HOME": str(used_home), "PARCELGUARD_DATABASE_URL": None}
    results = []
    for name in ("first.jsonl", "again.jsonl"):
        code, _, stderr = run(
            env,
            "waybill",
            "issue",
            "--in",
            str(orders),
            "--out",
            str(tmp_path / name),
            "--idempotency-key",
            "batch 7 of May" + "k" * 106,
        )
        assert code == 0, stderr
        results.append((tmp_path / name).read_text(encoding="utf-8"))
    assert results[0] == results[1]  # the same key: issued once


def test_a_cloud_provider_without_its_settings_is_invalid_not_insecure(used_home: Path) -> None:
    env: Env = {
        "PARCELGUARD_HOME": str(used_home),
        "PARCELGUARD_DATABASE_URL": None,
        "PARCELGUARD_VNUM_PROVIDER": "cloud",
    }
    code, _, stderr = run(env, "waybill", "show", "PG123456789012")
    line = one_line(stderr)
    assert code == 1 and line.startswith("error [invalid_configuration]") and "_POOL_KEY" in line, line
