"""The detector's modes on every path, with the real detector and model: the API's "mode", the CLI's
--mode and dataset policies' "mode". ``accurate`` (the default) finds a name after a job title that the
rules alone (``fast``) miss; an unknown mode is a coded error (422 / exit 2 / invalid_policy)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from parcelguard.bootstrap import Runtime
from parcelguard.cli.main import app as cli
from parcelguard.domain.access import Scope
from parcelguard.domain.anonymize import parse_policy
from parcelguard.domain.deid.words import DetectMode
from parcelguard.errors import ErrorCode, ValidationError
from parcelguard.services.api_keys import create_api_key
from parcelguard.web.app import create_app

TEXT = "华泰证券总裁沈东军认为市场将回暖，电话13800138000"
NAME = (6, 9)  # 沈东军


@pytest.fixture
def client(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=sqlite_runtime)) as test_client:
        yield test_client


def bearer(runtime: Runtime) -> dict[str, str]:
    key = create_api_key(runtime.ctx, actor="test", name="test", scopes=(Scope.DEID_USE,))
    return {"Authorization": f"Bearer {key.presented}"}


def persons(entities: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(e["start"], e["end"]) for e in entities if e["type"] == "PERSON"]


def test_http_detect_is_accurate_by_default_and_fast_on_request(
    client: TestClient, sqlite_runtime: Runtime
) -> None:
    headers = bearer(sqlite_runtime)
    items = [{"id": "1", "text": TEXT}]
    default = client.post("/v1/deid/detect", json={"items": items}, headers=headers)
    fast = client.post("/v1/deid/detect", json={"items": items, "mode": "fast"}, headers=headers)
    assert default.status_code == 200 and fast.status_code == 200, default.text
    assert persons(default.json()["items"][0]["entities"]) == [NAME]
    assert persons(fast.json()["items"][0]["entities"]) == []
    phones = [e for e in fast.json()["items"][0]["entities"] if e["type"] == "PHONE"]
    assert len(phones) == 1


def test_http_redact_takes_the_mode_and_refuses_an_unknown_one(
    client: TestClient, sqlite_runtime: Runtime
) -> None:
    headers = bearer(sqlite_runtime)
    body = {"items": [{"id": "1", "text": TEXT}], "operators": {"PERSON": "mask"}, "mode": "accurate"}
    redacted = client.post("/v1/deid/redact", json=body, headers=headers)
    assert redacted.status_code == 200 and "沈东军" not in redacted.json()["items"][0]["text"]
    bad = client.post("/v1/deid/redact", json={**body, "mode": "slow"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_request" and bad.json()["field"] == "mode"
    assert TEXT not in bad.text


def run(env: dict[str, str | None], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout + (result.stderr or "")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    return {"PARCELGUARD_HOME": str(tmp_path / "home"), "PARCELGUARD_DATABASE_URL": None}


def test_cli_detect_mode(env: dict[str, str | None], tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [{"id": i, "text": TEXT} for i in range(3)] + [{"id": "x", "text": 5}]
    source.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    for mode, expected in (("accurate", [list(NAME)]), ("FAST", [])):
        code, output = run(env, "deid", "detect", "--in", str(source), "--out", str(out), "--mode", mode)
        assert code == 5, output  # the line with a number for text fails on its own, the others pass
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [r["id"] for r in rows] == [0, 1, 2, "x"] and "error" in rows[3]
        assert all(persons(r["entities"]) == [tuple(e) for e in expected] for r in rows[:3])
    code, output = run(env, "deid", "detect", "--in", str(source), "--out", str(out), "--mode", "slow")
    assert code == 2 and "--mode" in output


def test_dataset_policies_name_a_mode_per_column_and_at_the_top(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    with (tmp_path / "in.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["a", "b"])
        for _ in range(3):
            writer.writerow([TEXT, TEXT])
    policy = {
        "mode": "fast",
        "columns": {"a": {"free_text": True}, "b": {"free_text": True, "mode": "accurate"}},
    }
    (tmp_path / "policy.json").write_text(json.dumps(policy), encoding="utf-8")
    code, output = run(
        env, "deid", "dataset", str(tmp_path / "in.csv"), "--policy", str(tmp_path / "policy.json"),
        "--out", str(tmp_path / "out.jsonl"),
    )  # fmt: skip
    assert code == 0, output
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all("沈东军" in r["a"] and "沈东军" not in r["b"] for r in rows)
    assert all("13800138000" not in r["a"] + r["b"] for r in rows)


def test_policy_modes_are_parsed_strictly() -> None:
    policy = parse_policy({"columns": {"a": "free_text", "b": {"free_text": True, "mode": "FAST"}}})
    assert policy.mode is DetectMode.ACCURATE
    assert [r.mode for r in policy.columns] == [DetectMode.ACCURATE, DetectMode.FAST]
    overridden = policy.with_mode(DetectMode.FAST)
    assert [r.mode for r in overridden.columns] == [DetectMode.FAST, DetectMode.FAST]
    assert policy.with_mode(None) is policy
    for doc, where in (
        ({"mode": "slow", "columns": {}}, "mode"),
        ({"mode": 1, "columns": {}}, "mode"),
        ({"columns": {"a": {"free_text": True, "mode": "x"}}}, "columns.a.mode"),
        ({"columns": {"a": {"type": "PHONE", "operator": "mask", "mode": "fast"}}}, "columns.a.mode"),
    ):
        with pytest.raises(ValidationError) as caught:
            parse_policy(doc)
        assert caught.value.code is ErrorCode.INVALID_POLICY and caught.value.field == where


@pytest.mark.parametrize(("mode", "budget"), [("accurate", 200_000), ("fast", 2_000_000)])
def test_http_a_request_over_its_modes_character_budget_is_refused_before_any_work(
    client: TestClient, sqlite_runtime: Runtime, mode: str, budget: int
) -> None:
    """1,000 texts of 20,000 characters took six CPU-minutes in accurate mode: the work of one request is
    bounded by the characters it holds, per mode (413 batch_too_large, never echoing a text)."""
    from parcelguard.services.deid import MAX_BATCH_CHARS

    assert MAX_BATCH_CHARS[DetectMode(mode)] == budget
    headers = bearer(sqlite_runtime)
    text = "沈东军" * 6_000  # 18,000 characters
    over = [{"id": str(i), "text": text} for i in range(budget // len(text) + 1)]
    for path in ("/v1/deid/detect", "/v1/deid/redact"):
        refused = client.post(path, json={"items": over, "mode": mode}, headers=headers)
        assert refused.status_code == 413, refused.text[:200]
        assert refused.json()["code"] == "batch_too_large" and refused.json()["field"] == "items"
        assert "沈东军" not in refused.text


def test_the_character_budget_counts_every_text_of_a_batch() -> None:
    from parcelguard.services.deid import MAX_BATCH_CHARS, check_batch

    for mode, budget in MAX_BATCH_CHARS.items():
        check_batch(["x" * (budget - 10), "y" * 10], mode)
        with pytest.raises(ValidationError) as refused:
            check_batch(["x" * (budget - 10), "y" * 11], mode)
        assert refused.value.code is ErrorCode.BATCH_TOO_LARGE and refused.value.field == "items"


def test_cli_batches_hold_at_most_the_character_budget(tmp_path: Path) -> None:
    """The model's readings of a batch are held at once: lines go to the detector in batches of at most
    the accurate budget's characters (a longer line alone), whatever the line count."""
    from parcelguard.cli import deid as cli_deid

    budget = cli_deid._BATCH_CHARS
    lines = [json.dumps({"id": i, "text": "沈东军" * 20_000}, ensure_ascii=False) for i in range(12)]
    lines.insert(5, json.dumps({"id": "big", "text": "x" * (budget + 5)}))
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sizes: list[int] = []

    def handle(items: list[tuple[object, str]]) -> list[dict[str, object]]:
        sizes.append(sum(len(text) for _, text in items))
        return [{"id": item_id} for item_id, _ in items]

    done, failed = cli_deid._run_lines(source, tmp_path / "out.jsonl", "utf-8", handle)
    assert (done, failed) == (13, 0)
    assert sum(sizes) == 12 * 60_000 + budget + 5
    assert max(size for size in sizes if size != budget + 5) <= budget
    assert budget + 5 in sizes


def test_a_model_that_cannot_load_fails_accurate_calls_with_a_code_and_fast_ones_still_work() -> None:
    """onnxruntime missing or unable to run: the process starts, fast mode works, accurate is
    dependency_missing with a message that says what to check, and the model is not loaded by fast calls."""
    from parcelguard.bootstrap import configure_detector
    from parcelguard.errors import ConfigurationError
    from parcelguard.services.deid import detect_texts, use_tagger

    calls = []

    def broken() -> object:
        calls.append(1)
        raise ImportError("libonnxruntime.so: cannot open shared object file")

    use_tagger(broken)  # type: ignore[arg-type]
    try:
        found = detect_texts([TEXT], mode=DetectMode.FAST)
        assert [e.type.value for e in found[0]] == ["PHONE"] and calls == []
        with pytest.raises(ConfigurationError) as failed:
            detect_texts([TEXT], mode=DetectMode.ACCURATE)
        assert failed.value.code is ErrorCode.DEPENDENCY_MISSING
        assert (
            "onnxruntime" in str(failed.value)
            and "fast" in str(failed.value)
            and TEXT not in str(failed.value)
        )
    finally:
        configure_detector()


def test_over_http_a_model_that_cannot_load_is_503_for_accurate_and_fast_still_answers(
    client: TestClient, sqlite_runtime: Runtime
) -> None:
    """The server is up but cannot serve accurate mode now: 503 Service Unavailable, not a 500 (a bug)."""
    from parcelguard.bootstrap import configure_detector
    from parcelguard.services.deid import use_tagger

    def broken() -> object:
        raise ImportError("libonnxruntime.so: cannot open shared object file")

    headers = bearer(sqlite_runtime)
    items = [{"id": "1", "text": TEXT}]
    use_tagger(broken)  # type: ignore[arg-type]
    try:
        accurate = client.post("/v1/deid/detect", json={"items": items}, headers=headers)
        fast = client.post("/v1/deid/detect", json={"items": items, "mode": "fast"}, headers=headers)
    finally:
        configure_detector()
    assert (accurate.status_code, accurate.json()["code"]) == (503, "dependency_missing")
    assert TEXT not in accurate.text and fast.status_code == 200
