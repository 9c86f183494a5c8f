"""CLI examples from issue 7's second review: label formats in any case, strict tracking numbers on every
path, duplicate JSON keys refused in JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parcelguard.cli.main import app
from parcelguard.domain.pii.synthetic import SyntheticPeople


@pytest.fixture
def ready(tmp_path: Path) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        "PARCELGUARD_HOME": str(tmp_path / "home"),
        "PARCELGUARD_DATABASE_URL": None,
    }
    assert run(env, "db", "upgrade")[0] == 0
    return env


def run(env: dict[str, str | None], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def issue_one(env: dict[str, str | None], tmp_path: Path) -> str:
    (tmp_path / "in.jsonl").write_text(json.dumps(SyntheticPeople(31).order(), ensure_ascii=False) + "\n")
    code, _, stderr = run(
        env, "waybill", "issue", "--in", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl")
    )
    assert code == 0, stderr
    number: str = json.loads((tmp_path / "out.jsonl").read_text())["tracking_number"]
    return number


@pytest.mark.parametrize("fmt", ["PDF", "Pdf", "pNg", "ZPL"])
def test_label_format_is_case_insensitive_as_on_the_api(
    ready: dict[str, str | None], tmp_path: Path, fmt: str
) -> None:
    number = issue_one(ready, tmp_path)
    code, _, stderr = run(ready, "label", number, "--format", fmt, "--out", str(tmp_path / "label.out"))
    assert code == 0, stderr
    assert (tmp_path / "label.out").stat().st_size > 0


@pytest.mark.parametrize("extra", [" ", "\n", "\r\n", "\t"])
def test_a_tracking_number_with_blanks_is_refused_on_every_cli_path(
    ready: dict[str, str | None], tmp_path: Path, extra: str
) -> None:
    number = issue_one(ready, tmp_path)
    for args in (
        ("label", number + extra, "--out", str(tmp_path / "x.pdf")),
        ("track", number + extra),
    ):
        code, _, stderr = run(ready, *args)
        assert code != 0 and "invalid_tracking_number" in stderr, (args, stderr)
        assert "Traceback" not in stderr
    code, _, stderr = run(ready, "track", number.lower())
    assert code == 0, stderr  # lower case is read as capitals, and documented so


def test_a_repeated_key_in_a_json_line_fails_that_line_with_its_path(
    ready: dict[str, str | None], tmp_path: Path
) -> None:
    order = json.dumps(SyntheticPeople(32).order(), ensure_ascii=False)
    repeated = order[:-1] + ', "parcel": {"description": "书", "weight_kg": 9}}'
    (tmp_path / "in.jsonl").write_text(order + "\n" + repeated + "\n", encoding="utf-8")
    code, _, _ = run(
        ready, "waybill", "issue", "--in", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl")
    )
    assert code == 5
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert "tracking_number" in rows[0]
    assert rows[1]["error"]["code"] == "duplicate_field" and rows[1]["error"]["field"] == "parcel"
