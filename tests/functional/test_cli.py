"""The `parcelguard` command as an operator uses it, in a fresh data directory."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parcelguard.cli.main import app
from parcelguard.domain.pii.synthetic import SyntheticPeople


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    return {"PARCELGUARD_HOME": str(tmp_path / "home"), "PARCELGUARD_DATABASE_URL": None}


def run(env: dict[str, str | None], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def write_orders(path: Path, count: int) -> list[dict[str, object]]:
    people = SyntheticPeople(8)
    orders = [people.order() for _ in range(count)]
    lines = [json.dumps(o, ensure_ascii=False) for o in orders]
    lines.insert(2, "{not json")
    bad = dict(orders[0])
    bad["recipient"] = {**orders[0]["recipient"], "mobile": "0000"}  # type: ignore[dict-item]
    lines.append(json.dumps(bad, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return orders


def test_issue_from_jsonl_writes_one_result_per_line(env: dict[str, str | None], tmp_path: Path) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    orders_path, out = tmp_path / "orders.jsonl", tmp_path / "result.jsonl"
    write_orders(orders_path, 5)
    code, _, stderr = run(env, "waybill", "issue", "--in", str(orders_path), "--out", str(out))
    assert code == 5, stderr
    assert stderr.strip() == "error [lines_failed]: 2 of 7 lines failed: see their error lines in the output"
    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(results) == 7
    assert results[2] == {
        "line": 3,
        "error": {"code": "invalid_request", "message": "line is not valid JSON"},
    }
    assert results[6]["line"] == 7 and results[6]["error"]["code"] == "invalid_mobile"
    issued = [r for r in results if "tracking_number" in r]
    assert len(issued) == 5 and all("*" in r["masked"]["recipient"]["mobile"] for r in issued)


def test_reissuing_the_same_file_issues_nothing_twice(env: dict[str, str | None], tmp_path: Path) -> None:
    run(env, "db", "upgrade")
    orders_path = tmp_path / "orders.jsonl"
    write_orders(orders_path, 3)
    run(env, "waybill", "issue", "--in", str(orders_path), "--out", str(tmp_path / "a.jsonl"))
    run(env, "waybill", "issue", "--in", str(orders_path), "--out", str(tmp_path / "b.jsonl"))
    assert (tmp_path / "a.jsonl").read_text() == (tmp_path / "b.jsonl").read_text()


def test_label_writes_each_format_and_the_pdf_text_holds_no_personal_data(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    run(env, "db", "upgrade")
    orders_path, out = tmp_path / "orders.jsonl", tmp_path / "result.jsonl"
    orders = write_orders(orders_path, 2)
    run(env, "waybill", "issue", "--in", str(orders_path), "--out", str(out))
    numbers = [json.loads(line)["tracking_number"] for line in out.read_text().splitlines()[:2]]
    for fmt in ("pdf", "png", "zpl"):
        code, _, stderr = run(env, "label", numbers[0], "--format", fmt, "--out", str(tmp_path / f"l.{fmt}"))
        assert code == 0, stderr
    code, _, _ = run(env, "label", *numbers, "--format", "pdf", "--out", str(tmp_path / "batch.pdf"))
    assert code == 0
    code, _, _ = run(env, "label", *numbers, "--format", "zpl", "--out", str(tmp_path / "batch.zpl"))
    stream = (tmp_path / "batch.zpl").read_bytes()
    assert code == 0 and stream.count(b"^XA") == 2 and all(n.encode() in stream for n in numbers)
    code, _, stderr = run(env, "label", *numbers, "--format", "png", "--out", str(tmp_path / "batch.png"))
    assert code == 2 and "invalid_label_format" in stderr and not (tmp_path / "batch.png").exists()
    pdf_text = subprocess.run(
        ["pdftotext", str(tmp_path / "batch.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert numbers[0] in pdf_text and numbers[1] in pdf_text
    for order in orders[:2]:
        for party in ("sender", "recipient"):
            assert order[party]["name"] not in pdf_text  # type: ignore[index]
        assert order["sender"]["id_number"] not in pdf_text  # type: ignore[index]


def test_bad_input_gives_a_message_and_an_exit_code_not_a_traceback(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    run(env, "db", "upgrade")
    code, _, stderr = run(env, "label", "PG12", "--format", "pdf", "--out", str(tmp_path / "x.pdf"))
    assert code == 2
    assert "invalid_tracking_number" in stderr and "Traceback" not in stderr
    code, _, stderr = run(env, "label", "PG123456789012", "--format", "gif", "--out", str(tmp_path / "x"))
    assert code == 2 and "invalid_label_format" in stderr


def test_commands_refuse_an_unmigrated_database_with_a_clear_message(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    code, _, stderr = run(env, "waybill", "show", "PG123456789012")
    assert code == 1 and "parcelguard db upgrade" in stderr


def test_keys_rotate_adds_a_version(env: dict[str, str | None]) -> None:
    run(env, "db", "upgrade")
    code, stdout, _ = run(env, "keys", "rotate")
    assert code == 0 and "key version 2 is current" in stdout
    assert "current 2" in run(env, "keys", "status")[1]


def test_db_check_finds_models_and_migrations_in_agreement(env: dict[str, str | None]) -> None:
    run(env, "db", "upgrade")
    code, stdout, _ = run(env, "db", "check")
    assert code == 0, stdout
