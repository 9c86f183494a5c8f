"""``parcelguard vnum`` as an operator uses it: import (bad lines named), bind, show, extend, unbind, route,
and one-line errors with their exit codes. Synthetic people only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parcelguard.cli.main import app
from parcelguard.domain.pii import Mobile
from parcelguard.domain.pii.synthetic import SyntheticPeople


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    return {"PARCELGUARD_HOME": str(tmp_path / "home"), "PARCELGUARD_DATABASE_URL": None}


def run(env: dict[str, str | None], *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def issue(env: dict[str, str | None], tmp_path: Path, seed: int) -> tuple[str, str]:
    order = SyntheticPeople(seed).order()
    (tmp_path / "o.jsonl").write_text(json.dumps(order, ensure_ascii=False) + "\n", encoding="utf-8")
    code, _, err = run(
        env, "waybill", "issue", "--in", str(tmp_path / "o.jsonl"), "--out", str(tmp_path / "r.jsonl")
    )
    assert code == 0, err
    number = json.loads((tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()[0])["tracking_number"]
    recipient = order["recipient"]
    assert isinstance(recipient, dict)
    return number, Mobile.parse(str(recipient["mobile"])).value


def test_an_operator_imports_binds_routes_extends_and_unbinds(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("number,pool\n# the first batch\n17033330000,p1\n17033330001\n", encoding="utf-8")
    assert run(env, "vnum", "import", str(numbers))[1].strip() == "added 2, already present 0"
    assert run(env, "vnum", "import", str(numbers))[1].strip() == "added 0, already present 2"
    tracking, recipient = issue(env, tmp_path, 3)

    code, out, _ = run(
        env, "vnum", "bind", tracking, "--model", "AXE", "--pool", "p1", "--ttl-seconds", "600", "--json"
    )
    bound = json.loads(out)
    assert code == 0 and bound["number"] == "17033330000" and bound["display"].startswith("17033330000-")
    caller = Mobile.parse(SyntheticPeople(4).mobile()).value
    code, out, _ = run(env, "vnum", "route", "--caller", caller, "--called", bound["display"], "--json")
    assert (
        json.loads(out)["target"] == Mobile.parse(recipient).masked() and recipient not in out and code == 0
    )
    code, out, _ = run(env, "vnum", "route", "--caller", caller, "--called", "17033330000")
    assert out.strip() == "reject\tcaller_not_party"
    assert run(env, "vnum", "extend", tracking, "--hours", "5")[0] == 0
    code, out, _ = run(env, "vnum", "unbind", tracking, "--json")
    assert code == 0 and json.loads(out)["display"] == bound["display"]
    code, out, _ = run(env, "vnum", "route", "--caller", caller, "--called", bound["display"], "--json")
    assert json.loads(out)["reason"] == "number_quarantined"


def test_errors_are_one_line_with_an_exit_code(env: dict[str, str | None], tmp_path: Path) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("17033330000,p1\n12345,p1\n", encoding="utf-8")
    code, _, err = run(env, "vnum", "import", str(bad))
    assert code == 2 and "[invalid_mobile] (line 2)" in err and "12345" not in err
    tracking, _ = issue(env, tmp_path, 5)
    code, _, err = run(env, "vnum", "bind", tracking, "--model", "axn", "--pool", "nowhere")
    assert code != 0 and "[pool_exhausted]" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(env, "vnum", "bind", tracking, "--model", "axb", "--pool", "nowhere")
    assert code != 0 and "[party_phone_missing]" in err
    code, _, err = run(env, "vnum", "show", tracking)
    assert code == 3 and "[binding_not_found]" in err
    code, _, err = run(env, "vnum", "phone", "nobody.here", stdin="13800138000\n")
    assert code == 3 and "[user_not_found]" in err


def test_huge_or_not_a_number_durations_are_invalid_requests_not_internal_errors(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("17033330000,p1\n", encoding="utf-8")
    assert run(env, "vnum", "import", str(numbers))[0] == 0
    tracking, _ = issue(env, tmp_path, 6)
    code, _, err = run(
        env, "vnum", "bind", tracking, "--model", "axn", "--pool", "p1", "--ttl-seconds", "1" + "0" * 16
    )
    assert code == 2 and "[invalid_request] (ttl_seconds)" in err
    assert run(env, "vnum", "bind", tracking, "--model", "axn", "--pool", "p1")[0] == 0
    for hours in ("nan", "inf", "1e300", "721"):
        code, _, err = run(env, "vnum", "extend", tracking, "--hours", hours)
        assert code == 2 and "[invalid_request] (hours)" in err, (hours, err)


def test_blank_lines_are_skipped_and_a_bad_line_is_named_by_its_line_in_the_file(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    numbers = tmp_path / "numbers.csv"
    blanks = ["", "   ", "\t", " , ", "\u200b", "\ufeff ", "\u3000"]  # zero-width space and BOM are invisible
    numbers.write_text("number,pool\n" + "\n".join([*blanks, "17033330000,p1"]) + "\n", encoding="utf-8")
    code, out, err = run(env, "vnum", "import", str(numbers))
    assert code == 0 and out.strip() == "added 1, already present 0", err
    numbers.write_text("number,pool\n# comment\n\n17033330001,p1\n12345,p1\n", encoding="utf-8")
    code, _, err = run(env, "vnum", "import", str(numbers))
    assert code == 2 and "[invalid_mobile] (line 5)" in err


def test_an_ordinary_mobile_is_not_a_pool_number(env: dict[str, str | None], tmp_path: Path) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("17033330000,default\n13800138000,default\n", encoding="utf-8")
    code, out, err = run(env, "vnum", "import", str(numbers))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "[invalid_mobile] (line 2)" in err and "virtual-number range" in err and "13800138000" not in err


def test_a_phone_for_a_role_that_takes_no_calls_is_refused(env: dict[str, str | None]) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    code, _, err = run(
        env,
        "user",
        "add",
        "agent.x",
        "--role",
        "cs_agent",
        "--password-stdin",
        stdin="Corr3ct-horse-battery-9\n",
    )
    assert code == 0, err
    code, out, err = run(env, "vnum", "phone", "agent.x", stdin="13900139000\n")
    assert code == 2 and "[role_not_allowed] (username)" in err and "phone set" not in out


def test_extending_a_binding_without_an_end_is_refused(env: dict[str, str | None], tmp_path: Path) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    (tmp_path / "n.csv").write_text("17033330005,p1\n", encoding="utf-8")
    assert run(env, "vnum", "import", str(tmp_path / "n.csv"))[0] == 0
    tracking, _ = issue(env, tmp_path, 8)
    assert run(env, "vnum", "bind", tracking, "--model", "axn", "--pool", "p1")[0] == 0
    code, out, err = run(env, "vnum", "extend", tracking, "--hours", "2")
    assert code == 2 and out == "" and "[invalid_transition]" in err and len(err.strip().splitlines()) == 1
