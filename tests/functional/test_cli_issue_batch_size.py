"""`waybill issue` issues 500 orders a transaction unless told otherwise (issue 9: memory); a file run again
in batches of another size issues nothing and says which option to give."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from parcelguard.cli import waybill
from parcelguard.cli.main import app
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.issuance import MAX_BATCH


def waybills(home: Path) -> int:
    with sqlite3.connect(home / "parcelguard.db") as connection:
        return int(connection.execute("SELECT count(*) FROM waybill").fetchone()[0])


def test_the_default_batch_is_smaller_than_the_service_s_largest() -> None:
    assert waybill.DEFAULT_BATCH == 500 < MAX_BATCH


def test_a_file_run_again_in_batches_of_another_size_issues_nothing_and_names_the_option(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    env = {"PARCELGUARD_HOME": str(home), "PARCELGUARD_DATABASE_URL": None}
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    people = SyntheticPeople(32)
    source = tmp_path / "orders.jsonl"
    source.write_text("".join(json.dumps(people.order(), ensure_ascii=False) + "\n" for _ in range(5)))
    issue = ["waybill", "issue", "--in", str(source), "--out", str(tmp_path / "out.jsonl")]
    assert runner.invoke(app, [*issue, "--batch-size", "2"], env=env).exit_code == 0

    again = runner.invoke(app, [*issue, "--batch-size", "3"], env=env)

    assert again.exit_code == 1
    assert "[idempotency_conflict] (--batch-size)" in again.output
    assert "run it again with that --batch-size" in again.output
    assert waybills(home) == 5
    assert runner.invoke(app, [*issue, "--batch-size", "2"], env=env).exit_code == 0
    assert waybills(home) == 5
