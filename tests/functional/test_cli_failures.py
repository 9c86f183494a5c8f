"""The CLI keeps its promises when things go wrong: one line on stderr, a documented exit code, no traceback,
no work done before an unusable ``--out`` is refused, and no new store created by accident."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parcelguard.bootstrap import bootstrap
from parcelguard.cli.main import app
from parcelguard.config import Settings
from parcelguard.domain.pii.synthetic import SyntheticPeople


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    return {"PARCELGUARD_HOME": str(tmp_path / "home"), "PARCELGUARD_DATABASE_URL": None}


@pytest.fixture
def ready(env: dict[str, str | None]) -> dict[str, str | None]:
    """A migrated data folder."""
    assert run(env, "db", "upgrade")[0] == 0
    return env


def run(env: dict[str, str | None], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def one_line(stderr: str) -> str:
    """The single error line (nothing else on stderr but set-up notes), never a traceback."""
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("note:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def order_lines(count: int, seed: int = 21) -> list[str]:
    people = SyntheticPeople(seed)
    return [json.dumps(people.order(), ensure_ascii=False) for _ in range(count)]


def waybills_in(home: str | None) -> str | None:
    runtime = bootstrap(Settings(home=Path(str(home))), create_keys=False)
    try:
        with runtime.ctx.uow() as uow:
            return uow.waybills.any_tracking_number()
    finally:
        runtime.close()


# -- bad lines: each is a coded error line in the output, the rest are issued, exit code 5 --------------


def test_nested_huge_and_surrogate_lines_fail_alone(ready: dict[str, str | None], tmp_path: Path) -> None:
    good = order_lines(2)
    bad = [
        "[" * 100_000 + "]" * 100_000,  # deeper than the parser's recursion limit
        '{"a": ' + "[" * 40 + "1" + "]" * 40 + "}",  # parses, but deeper than an order can be
        '{"parcel": {"weight_kg": ' + "9" * 5000 + "}}",
        '{"recipient": {"name": "\\ud800"}}',
        "NaN",
    ]
    (tmp_path / "in.jsonl").write_text("\n".join([good[0], *bad, good[1]]) + "\n", encoding="utf-8")
    code, _, stderr = run(
        ready, "waybill", "issue", "--in", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl")
    )
    assert code == 5
    line = one_line(stderr)
    assert line == "error [lines_failed]: 5 of 7 lines failed: see their error lines in the output"
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert "tracking_number" in rows[0] and "tracking_number" in rows[6]
    messages = [row["error"]["message"] for row in rows[1:6]]
    assert [row["line"] for row in rows[1:6]] == [2, 3, 4, 5, 6]
    assert "nested" in messages[0] and "nested" in messages[1]
    assert "number longer than" in messages[2]
    assert "lone surrogate" in messages[3]
    assert "NaN" in messages[4]
    written = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    for row in (rows[0], rows[6]):  # random tracking numbers may hold 9999 themselves
        written = written.replace(row["tracking_number"], "")
    assert "9999" not in written


def test_deid_detect_survives_the_same_lines(ready: dict[str, str | None], tmp_path: Path) -> None:
    lines = ['{"id": 1, "text": "\\udfff"}', "[" * 50_000, '{"id": 2, "text": "fine"}']
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, stderr = run(
        ready, "deid", "detect", "--in", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl")
    )
    assert code == 5 and "lines_failed" in one_line(stderr)
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [("error" in row) for row in rows] == [True, True, False]
    assert rows[0]["id"] is None and rows[2]["id"] == 2


def test_an_empty_input_says_so(ready: dict[str, str | None], tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("\n  \n", encoding="utf-8")
    for command in (("waybill", "issue"), ("deid", "detect")):
        code, _, stderr = run(
            ready, *command, "--in", str(tmp_path / "empty.jsonl"), "--out", str(tmp_path / "out.jsonl")
        )
        assert code == 2 and "[empty_input]" in one_line(stderr)
        assert not (tmp_path / "out.jsonl").exists()


# -- --out is checked before any work ------------------------------------------------------------------


@pytest.fixture
def orders(tmp_path: Path) -> Path:
    path = tmp_path / "orders.jsonl"
    path.write_text("\n".join(order_lines(3)) + "\n", encoding="utf-8")
    return path


def unusable_outputs(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    yield "no such folder", tmp_path / "missing" / "deeper" / "out.jsonl"
    yield "a read-only file system", Path("/proc/parcelguard-out.jsonl")
    target = tmp_path / "target.jsonl"
    target.write_text("keep me\n", encoding="utf-8")
    (tmp_path / "link.jsonl").symlink_to(target)
    yield "a symbolic link", tmp_path / "link.jsonl"
    yield "a device", Path("/dev/null")
    os.mkfifo(tmp_path / "pipe.jsonl")
    yield "a pipe", tmp_path / "pipe.jsonl"
    if os.geteuid() != 0:  # root writes anywhere permission bits say it may not
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        yield "a folder that is not writable", locked / "out.jsonl"


def test_an_unusable_out_is_refused_before_anything_is_issued(
    ready: dict[str, str | None], tmp_path: Path, orders: Path
) -> None:
    for what, out in unusable_outputs(tmp_path):
        code, _, stderr = run(ready, "waybill", "issue", "--in", str(orders), "--out", str(out))
        assert code == 2, what
        assert one_line(stderr).startswith("error [output_not_writable] (--out): "), what
        assert waybills_in(ready["PARCELGUARD_HOME"]) is None, what
    assert not (tmp_path / "missing").exists(), "folders are never created silently"
    code, _, stderr = run(ready, "waybill", "issue", "--in", str(orders), "--out", str(orders))
    assert code == 2 and "must not be the input" in one_line(stderr)
    assert (tmp_path / "link.jsonl").is_symlink()
    assert (tmp_path / "target.jsonl").read_text(encoding="utf-8") == "keep me\n"


def test_label_checks_out_before_rendering(
    ready: dict[str, str | None], tmp_path: Path, orders: Path
) -> None:
    run(ready, "waybill", "issue", "--in", str(orders), "--out", str(tmp_path / "issued.jsonl"))
    number = json.loads((tmp_path / "issued.jsonl").read_text(encoding="utf-8").splitlines()[0])[
        "tracking_number"
    ]
    runtime = bootstrap(Settings(home=Path(str(ready["PARCELGUARD_HOME"]))), create_keys=False)
    with runtime.ctx.uow() as uow:
        before = len(uow.audit.for_subject(number))
    (tmp_path / "labels").mkdir()
    for what, out in unusable_outputs(tmp_path / "labels"):
        code, _, stderr = run(ready, "label", number, "--format", "zpl", "--out", str(out))
        assert code == 2 and "[output_not_writable]" in one_line(stderr), what
    with runtime.ctx.uow() as uow:
        assert len(uow.audit.for_subject(number)) == before, "nothing was rendered or audited"
    runtime.close()
    existing = tmp_path / "label.zpl"
    existing.write_text("old", encoding="utf-8")
    code, _, _ = run(ready, "label", number, "--format", "zpl", "--out", str(existing))
    assert code == 0 and existing.read_text(encoding="utf-8").startswith("^XA")


def test_deid_dataset_checks_out_and_report_first(ready: dict[str, str | None], tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("phone\n13800138000\n", encoding="utf-8")
    (tmp_path / "policy.json").write_text('{"columns": {"phone": "keep"}}', encoding="utf-8")
    base = ["deid", "dataset", str(tmp_path / "in.csv"), "--policy", str(tmp_path / "policy.json")]
    code, _, stderr = run(ready, *base, "--out", str(tmp_path / "no" / "out.csv"))
    assert code == 2 and one_line(stderr).startswith("error [output_not_writable] (--out)")
    code, _, stderr = run(
        ready, *base, "--out", str(tmp_path / "out.csv"), "--report", str(tmp_path / "no" / "r.json")
    )
    assert code == 2 and one_line(stderr).startswith("error [output_not_writable] (--report)")
    assert not (tmp_path / "out.csv").exists()


# -- encodings ------------------------------------------------------------------------------------------


def test_a_utf8_bom_is_accepted(ready: dict[str, str | None], tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_bytes(b"\xef\xbb\xbf" + ("\n".join(order_lines(2)) + "\n").encode())
    code, _, stderr = run(
        ready, "waybill", "issue", "--in", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl")
    )
    assert code == 0, stderr
    (tmp_path / "t.jsonl").write_bytes(b'\xef\xbb\xbf{"id": 1, "text": "hello"}\n')
    code, _, stderr = run(
        ready, "deid", "detect", "--in", str(tmp_path / "t.jsonl"), "--out", str(tmp_path / "t.out")
    )
    assert code == 0, stderr


def test_orders_saved_as_gb18030_are_read_with_the_encoding_option(
    ready: dict[str, str | None], tmp_path: Path
) -> None:
    (tmp_path / "in.jsonl").write_bytes(("\n".join(order_lines(2)) + "\n").encode("gb18030"))
    args = ["waybill", "issue", "--in", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl")]
    code, _, _ = run(ready, *args)
    assert code == 5
    first = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert "--encoding gb18030" in first["error"]["message"]
    code, _, stderr = run(ready, *args, "--encoding", "gb18030", "--idempotency-key", "gbk")
    assert code == 0, stderr
    code, _, stderr = run(ready, *args, "--encoding", "utf-16")
    assert code == 2 and "(--encoding)" in one_line(stderr)


def gbk_csv(path: Path) -> None:
    path.write_bytes("姓名,电话,备注\n张伟,13800138000,送到门口\n李娜,13900139000,放快递柜\n".encode("gbk"))


def test_a_csv_from_chinese_excel_is_read_with_gb18030(ready: dict[str, str | None], tmp_path: Path) -> None:
    gbk_csv(tmp_path / "in.csv")
    columns = {"电话": {"type": "PHONE", "operator": "mask"}, "姓名": "keep", "备注": "keep"}
    (tmp_path / "policy.json").write_text(json.dumps({"columns": columns}), encoding="utf-8")
    base = ["deid", "dataset", str(tmp_path / "in.csv"), "--policy", str(tmp_path / "policy.json")]
    code, _, stderr = run(ready, *base, "--out", str(tmp_path / "out.csv"))
    assert code == 2
    assert "not valid utf-8" in one_line(stderr) and "--encoding gb18030" in stderr
    code, _, stderr = run(ready, *base, "--out", str(tmp_path / "out.csv"), "--encoding", "gb18030")
    assert code == 0, stderr
    out = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert "张伟" in out and "13800138000" not in out and "138******00" in out


# -- usage errors and the unexpected --------------------------------------------------------------------


def test_usage_errors_are_one_line(ready: dict[str, str | None], tmp_path: Path) -> None:
    code, _, stderr = run(ready, "waybill", "issue", "--in", str(tmp_path / "nope.jsonl"), "--out", "x")
    line = one_line(stderr)
    assert code == 2 and line.startswith("error [invalid_request]") and "'--in'" in line
    code, _, stderr = run(ready, "waybill", "issue", "--frobnicate")
    assert code == 2 and "[invalid_request]" in one_line(stderr)


def test_an_unexpected_error_is_one_line_without_its_message(
    ready: dict[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("13800138000 leaked into an exception")

    monkeypatch.setattr("parcelguard.cli.waybill.view_waybill", explode)
    code, _, stderr = run(ready, "waybill", "show", "PG123456789012")
    assert code == 1
    assert one_line(stderr) == "error [internal_error]: unexpected RuntimeError (a bug: please report it)"


# -- the data folder ------------------------------------------------------------------------------------


def test_outside_any_data_folder_commands_refuse_instead_of_creating_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    bare: dict[str, str | None] = {"PARCELGUARD_HOME": None, "PARCELGUARD_DATABASE_URL": None}
    for args in (("waybill", "show", "PG123456789012"), ("keys", "status"), ("track", "PG123456789012")):
        code, _, stderr = run(bare, *args)
        line = one_line(stderr)
        assert code == 1 and "[data_folder_not_found]" in line and "PARCELGUARD_HOME" in line, args
    assert list(tmp_path.iterdir()) == []


def test_a_data_folder_above_the_current_one_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    bare: dict[str, str | None] = {"PARCELGUARD_HOME": None, "PARCELGUARD_DATABASE_URL": None}
    code, _, stderr = run(bare, "db", "upgrade")
    assert code == 0 and "new data folder" in stderr and (tmp_path / "var" / "keys.json").is_file()
    deeper = tmp_path / "exports" / "2026"
    deeper.mkdir(parents=True)
    monkeypatch.chdir(deeper)
    code, _, stderr = run(bare, "keys", "status")
    assert code == 0, stderr
    assert not (deeper / "var").exists()


def test_demo_sets_up_a_fresh_checkout_and_later_runs_reuse_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README's first command (scripts/start runs `demo`) still works where no data folder exists yet."""
    monkeypatch.chdir(tmp_path)
    bare: dict[str, str | None] = {"PARCELGUARD_HOME": None, "PARCELGUARD_DATABASE_URL": None}
    code, _, stderr = run(bare, "demo", "--no-serve", "--orders", "1")
    assert code == 0, stderr
    assert "new data folder" in stderr and (tmp_path / "var" / "keys.json").is_file()
    keys = (tmp_path / "var" / "keys.json").read_bytes()
    code, _, stderr = run(bare, "demo", "--no-serve", "--orders", "1")
    assert code == 0 and "new data folder" not in stderr
    assert (tmp_path / "var" / "keys.json").read_bytes() == keys
