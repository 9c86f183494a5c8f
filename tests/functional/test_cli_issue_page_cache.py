"""`waybill issue` runs on SQLite connections with a smaller page cache than the server's (issue 9: memory),
and issues exactly what it issued before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from parcelguard.adapters.db.engine import CACHE_KIB
from parcelguard.cli import waybill
from parcelguard.cli.main import app
from parcelguard.domain.pii.synthetic import SyntheticPeople


def test_the_issue_command_s_connections_have_the_smaller_page_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"PARCELGUARD_HOME": str(tmp_path / "home"), "PARCELGUARD_DATABASE_URL": None}
    assert CliRunner().invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    people = SyntheticPeople(31)
    source = tmp_path / "orders.jsonl"
    source.write_text("".join(json.dumps(people.order(), ensure_ascii=False) + "\n" for _ in range(4)))
    real = waybill._issue_chunk
    cache_sizes: list[int] = []

    def spy(runtime: Any, *args: Any, **kwargs: Any) -> Any:
        with runtime.engine.connect() as connection:
            cache_sizes.append(connection.exec_driver_sql("PRAGMA cache_size").scalar())
        return real(runtime, *args, **kwargs)

    monkeypatch.setattr(waybill, "_issue_chunk", spy)
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        app, ["waybill", "issue", "--in", str(source), "--out", str(out), "--batch-size", "2"], env=env
    )

    assert result.exit_code == 0, result.output
    assert cache_sizes == [-waybill.ISSUE_PAGE_CACHE_KIB] * 2
    assert waybill.ISSUE_PAGE_CACHE_KIB < CACHE_KIB
    assert len({json.loads(line)["tracking_number"] for line in out.read_text().splitlines()}) == 4
