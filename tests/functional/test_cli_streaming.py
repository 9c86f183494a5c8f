"""`waybill issue` streams in batches (issue 9): each batch is its own idempotent transaction, so re-running a
file, whole or after an interruption, issues nothing twice."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parcelguard.cli.main import app
from parcelguard.domain.pii.synthetic import SyntheticPeople


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    return {"PARCELGUARD_HOME": str(tmp_path / "home"), "PARCELGUARD_DATABASE_URL": None}


def run(env: dict[str, str | None], *args: str) -> int:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code


def waybills(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "home" / "parcelguard.db") as connection:
        return int(connection.execute("SELECT count(*) FROM waybill").fetchone()[0])


def test_a_file_issued_in_many_batches_and_issued_again_issues_each_order_once(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    assert run(env, "db", "upgrade") == 0
    people = SyntheticPeople(21)
    source = tmp_path / "orders.jsonl"
    source.write_text("".join(json.dumps(people.order(), ensure_ascii=False) + "\n" for _ in range(7)))
    first, again = tmp_path / "first.jsonl", tmp_path / "again.jsonl"

    assert run(env, "waybill", "issue", "--in", str(source), "--out", str(first), "--batch-size", "2") == 0
    assert waybills(tmp_path) == 7
    assert run(env, "waybill", "issue", "--in", str(source), "--out", str(again), "--batch-size", "2") == 0

    assert waybills(tmp_path) == 7
    assert again.read_text() == first.read_text()
    numbers = [json.loads(line)["tracking_number"] for line in first.read_text().splitlines()]
    assert len(set(numbers)) == 7


def test_a_run_stopped_after_some_batches_is_finished_by_running_the_file_again(
    env: dict[str, str | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parcelguard.cli import waybill

    assert run(env, "db", "upgrade") == 0
    people = SyntheticPeople(22)
    source = tmp_path / "orders.jsonl"
    source.write_text("".join(json.dumps(people.order(), ensure_ascii=False) + "\n" for _ in range(6)))
    out = tmp_path / "out.jsonl"
    real = waybill._issue_chunk
    calls = 0

    def stop_at_the_third_batch(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or the machine going down
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(waybill, "_issue_chunk", stop_at_the_third_batch)
    assert run(env, "waybill", "issue", "--in", str(source), "--out", str(out), "--batch-size", "2") != 0
    assert waybills(tmp_path) == 4 and not out.exists()  # two batches committed, no partial result file

    monkeypatch.setattr(waybill, "_issue_chunk", real)
    assert run(env, "waybill", "issue", "--in", str(source), "--out", str(out), "--batch-size", "2") == 0
    assert waybills(tmp_path) == 6
    assert len({json.loads(line)["tracking_number"] for line in out.read_text().splitlines()}) == 6
