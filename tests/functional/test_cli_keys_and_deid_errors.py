"""``parcelguard keys`` and ``deid redact`` errors as a fresh tester met them: one ``error [code]`` line on
stderr with a documented exit code, help text on every keys subcommand, and a repeated ``--operator`` entity
refused instead of the last one silently winning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from parcelguard.cli.keys import app as keys_app
from parcelguard.cli.main import app
from parcelguard.domain.anonymize.policy import Operator


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    return {"PARCELGUARD_HOME": str(tmp_path / "home"), "PARCELGUARD_DATABASE_URL": None}


def run(env: dict[str, str | None], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_revoking_an_unknown_key_is_one_error_line_on_stderr_with_exit_3(env: dict[str, str | None]) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    code, out, err = run(env, "keys", "revoke-api-key", "nope")
    assert code == 3 and out == ""
    assert err.startswith("error [not_found] (key_id): ") and len(err.strip().splitlines()) == 1


def test_revoking_a_key_twice_is_found_once(env: dict[str, str | None]) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    code, out, _ = run(env, "keys", "create-api-key", "--org", "carrier", "--name", "t")
    assert code == 0
    key_id = out.strip().split("_")[1]
    assert run(env, "keys", "revoke-api-key", key_id)[:2] == (0, "revoked\n")
    assert run(env, "keys", "revoke-api-key", key_id)[0] == 3


def test_every_keys_subcommand_and_parameter_has_help() -> None:
    group = typer.main.get_command(keys_app)
    commands = getattr(group, "commands", {})
    assert set(commands) >= {"rotate", "status", "create-api-key", "list", "revoke-api-key"}
    for name, command in commands.items():
        assert command.help and command.help.strip(), name
        for param in command.params:
            assert getattr(param, "help", None), (name, param.name)


def redact(env: dict[str, str | None], tmp_path: Path, *operators: str) -> tuple[int, str, str]:
    assert run(env, "db", "upgrade")[0] == 0
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "1", "text": "没有个人信息"}) + "\n", encoding="utf-8")
    args = ["deid", "redact", "--in", str(source), "--out", str(tmp_path / "o.jsonl"), "--mode", "fast"]
    for op in operators:
        args += ["--operator", op]
    return run(env, *args)


def test_a_repeated_operator_entity_is_refused_in_one_line(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    code, _, err = redact(env, tmp_path, "PHONE=mask", "phone=redact")
    assert code == 2 and err.startswith("error [duplicate_field] (operator.PHONE): ")
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "o.jsonl").exists()


def test_distinct_operator_entities_are_still_accepted(env: dict[str, str | None], tmp_path: Path) -> None:
    code, out, err = redact(env, tmp_path, "PHONE=fpe", "PERSON=mask")
    assert code == 0, err
    assert "1 texts redacted" in out


def test_the_known_operators_listed_include_every_accepted_spelling(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    code, _, err = redact(env, tmp_path, "PHONE=bogus")
    assert code == 2
    known = err.split("known: ", 1)[1].rstrip(")\n").split(", ")
    for spelling in (
        "fpe",
        "pseudonymise",
        "generalise",
        *(o.value for o in Operator if o is not Operator.DROP),
    ):
        assert spelling in known
