"""De-identification as operators and platforms use it: the ``deid`` commands and /v1/deid.

A stand-in detector replaces the real one here: these tests are about the interfaces (shapes, keys,
scopes, errors), not about what the detector finds.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from parcelguard.bootstrap import Runtime
from parcelguard.cli.main import app as cli
from parcelguard.domain.access import Scope
from parcelguard.domain.deid.entity import EntityType
from parcelguard.services.api_keys import create_api_key
from parcelguard.web.app import create_app
from tests.unit.anonymize.fakes import FakeDetector

TEXTS: list[dict[str, object]] = [
    {"id": 1, "text": "张伟的电话13800138000，身份证11010519491231002X"},
    {"id": "b", "text": "没有个人信息"},
]
# The API's item ids are strings (strict types, like the order contract); the CLI's JSON lines echo any id.
API_TEXTS: list[dict[str, object]] = [{**TEXTS[0], "id": "1"}, TEXTS[1]]


@pytest.fixture(autouse=True)
def fake_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    def factory(types: frozenset[EntityType] | None = None) -> FakeDetector:
        return FakeDetector(types)

    monkeypatch.setattr("parcelguard.services.deid.default_detector", factory)


# -- CLI ---------------------------------------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    return {"PARCELGUARD_HOME": str(tmp_path / "home"), "PARCELGUARD_DATABASE_URL": None}


def run(env: dict[str, str | None], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def jsonl(path: Path, items: list[dict[str, object]], extra: str = "") -> Path:
    path.write_text(
        "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items) + extra, encoding="utf-8"
    )
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_cli_detect_writes_one_line_of_entities_per_text(env: dict[str, str | None], tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", TEXTS, extra="{broken\n")
    code, stdout, _ = run(env, "deid", "detect", "--in", str(source), "--out", str(tmp_path / "out.jsonl"))
    assert code == 5, stdout  # some lines failed
    lines = read_jsonl(tmp_path / "out.jsonl")
    assert lines[0] == {
        "id": 1,
        "entities": [
            {"type": "PERSON", "start": 0, "end": 2, "score": 0.8},
            {"type": "PHONE", "start": 5, "end": 16, "score": 0.9},
            {"type": "CN_ID", "start": 20, "end": 38, "score": 0.9},
        ],
    }
    assert lines[1] == {"id": "b", "entities": []}
    assert lines[2]["error"] == {"code": "invalid_request", "message": "line is not valid JSON"}


def test_cli_detect_can_look_for_some_types_only(env: dict[str, str | None], tmp_path: Path) -> None:
    source = jsonl(tmp_path / "in.jsonl", TEXTS)
    out = tmp_path / "out.jsonl"
    assert run(env, "deid", "detect", "--in", str(source), "--out", str(out), "--types", "phone")[0] == 0
    assert [e["type"] for e in read_jsonl(out)[0]["entities"]] == ["PHONE"]
    code, _, stderr = run(env, "deid", "detect", "--in", str(source), "--out", str(out), "--types", "FAX")
    assert code == 2 and "invalid_request" in stderr


def test_cli_redact_uses_the_policy_file_and_operator_options(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    assert run(env, "db", "upgrade")[0] == 0  # pseudonym keys live in the data folder
    source = jsonl(tmp_path / "in.jsonl", TEXTS)
    policy = tmp_path / "policy.toml"
    policy.write_text('[free_text_operators]\nPERSON = "mask"\nPHONE = "mask"\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, stdout, _ = run(
        env, "deid", "redact", "--in", str(source), "--out", str(out), "--policy", str(policy),
        "--operator", "CN_ID=generalize", "--with-entities",
    )  # fmt: skip
    assert code == 0, stdout
    first = read_jsonl(out)[0]
    assert first["text"] == "张*的电话138******00，身份证北京市/1949"
    assert [e["operator"] for e in first["entities"]] == ["mask", "mask", "generalize"]


def test_cli_redact_defaults_to_type_tags_and_pseudonyms_are_stable(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    source = jsonl(tmp_path / "in.jsonl", TEXTS)
    out = tmp_path / "out.jsonl"
    assert run(env, "deid", "redact", "--in", str(source), "--out", str(out))[0] == 0
    assert read_jsonl(out)[0] == {"id": 1, "text": "<PERSON>的电话<PHONE>，身份证<CN_ID>"}
    args = ["deid", "redact", "--in", str(source), "--out", str(out), "--operator", "PHONE=pseudonymize"]
    run(env, *args)
    first = read_jsonl(out)[0]["text"]
    run(env, *args)
    assert read_jsonl(out)[0]["text"] == first and "PSN_PHONE_" in str(first)
    run(env, *args, "--tenant", "other")
    assert read_jsonl(out)[0]["text"] != first


def test_cli_redact_refuses_a_bad_operator_without_a_traceback(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    source = jsonl(tmp_path / "in.jsonl", TEXTS)
    code, _, stderr = run(
        env,
        "deid",
        "redact",
        "--in",
        str(source),
        "--out",
        str(tmp_path / "o.jsonl"),
        "--operator",
        "PERSON=encrypt",
    )
    assert code == 2 and "invalid_policy" in stderr and "Traceback" not in stderr


def write_dataset(path: Path, n: int = 60) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["phone", "age", "gender", "remark", "internal"])
        for i in range(n):
            writer.writerow([f"138{i:08d}", 20 + i % 40, "MF"[i % 2], f"张伟 138{i:08d}", "x"])


POLICY = {
    "columns": {
        "phone": {"type": "PHONE", "operator": "mask"},
        "age": {"quasi_identifier": True, "generalize": "band10"},
        "gender": {"quasi_identifier": True},
        "remark": {"free_text": True},
    },
    "k": 3,
}


def test_cli_dataset_writes_the_output_and_prints_the_report(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    write_dataset(tmp_path / "in.csv")
    (tmp_path / "policy.json").write_text(json.dumps(POLICY), encoding="utf-8")
    code, stdout, stderr = run(
        env, "deid", "dataset", str(tmp_path / "in.csv"), "--policy", str(tmp_path / "policy.json"),
        "--out", str(tmp_path / "out.jsonl"), "--k", "4", "--report", str(tmp_path / "report.json"),
    )  # fmt: skip
    assert code == 0, stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["k_anonymity"]["target"] == 4 and report["k_anonymity"]["achieved"] >= 4
    assert report["dropped_columns"] == ["internal"]
    assert report["columns"]["remark"]["entities"] == {"PERSON": 60, "PHONE": 60}
    out = read_jsonl(tmp_path / "out.jsonl")
    assert set(out[0]) == {"phone", "age", "gender", "remark"}
    assert out[0]["phone"] == "138******00" and out[0]["remark"] == "<PERSON> <PHONE>"
    assert "13800000000" not in (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert '"job"' in stdout


def test_cli_dataset_reports_bad_input_with_a_code(env: dict[str, str | None], tmp_path: Path) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    write_dataset(tmp_path / "in.csv")
    (tmp_path / "policy.json").write_text('{"columns": {"mobile": "keep"}}', encoding="utf-8")
    code, _, stderr = run(
        env, "deid", "dataset", str(tmp_path / "in.csv"), "--policy", str(tmp_path / "policy.json"),
        "--out", str(tmp_path / "out.csv"),
    )  # fmt: skip
    assert code == 2 and "invalid_dataset" in stderr
    (tmp_path / "policy.json").write_text('{"columns": {}, "k": 0}', encoding="utf-8")
    code, _, stderr = run(
        env, "deid", "dataset", str(tmp_path / "in.csv"), "--policy", str(tmp_path / "policy.json"),
        "--out", str(tmp_path / "out.txt"),
    )  # fmt: skip
    assert code == 2 and ("invalid_policy" in stderr or "invalid_dataset" in stderr)


def test_cli_dataset_runs_on_a_dask_cluster(env: dict[str, str | None], tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    assert run(env, "db", "upgrade")[0] == 0
    write_dataset(tmp_path / "in.csv")
    policy = {"columns": {"phone": {"type": "PHONE", "operator": "pseudonymize"}, "gender": "keep"}}
    (tmp_path / "policy.json").write_text(json.dumps(policy), encoding="utf-8")
    args = ["deid", "dataset", str(tmp_path / "in.csv"), "--policy", str(tmp_path / "policy.json")]
    assert run(env, *args, "--out", str(tmp_path / "local.csv"))[0] == 0
    code, _, stderr = run(
        env, *args, "--out", str(tmp_path / "dask.csv"), "--engine", "dask", "--workers", "1"
    )
    assert code == 0, stderr
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()


# -- HTTP --------------------------------------------------------------------------------------------------


@pytest.fixture
def client(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=sqlite_runtime)) as test_client:
        yield test_client


def bearer(runtime: Runtime, *scopes: Scope) -> dict[str, str]:
    key = create_api_key(runtime.ctx, actor="test", name="test", scopes=scopes or (Scope.DEID_USE,))
    return {"Authorization": f"Bearer {key.presented}"}


def test_http_detect_needs_a_key_with_the_deid_scope(client: TestClient, sqlite_runtime: Runtime) -> None:
    body = {"items": API_TEXTS}
    assert client.post("/v1/deid/detect", json=body).status_code == 401
    denied = client.post("/v1/deid/detect", json=body, headers=bearer(sqlite_runtime, Scope.WAYBILL_READ))
    assert denied.status_code == 403 and denied.json()["message"] == "this key lacks the scope deid:use"


def test_http_detect_returns_entities_per_item(client: TestClient, sqlite_runtime: Runtime) -> None:
    response = client.post(
        "/v1/deid/detect",
        json={"items": API_TEXTS, "types": ["PHONE", "CN_ID"]},
        headers=bearer(sqlite_runtime),
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert items[0]["id"] == "1" and [e["type"] for e in items[0]["entities"]] == ["PHONE", "CN_ID"]
    assert items[0]["entities"][0] == {"type": "PHONE", "start": 5, "end": 16, "score": 0.9}
    assert items[1] == {"id": "b", "entities": []}


def test_http_redact_applies_operators_and_keys_pseudonyms_per_api_key(
    client: TestClient, sqlite_runtime: Runtime
) -> None:
    body = {"items": API_TEXTS[:1], "operators": {"PERSON": "mask", "PHONE": "pseudonymize"}}
    key_a, key_b = bearer(sqlite_runtime), bearer(sqlite_runtime)
    first = client.post("/v1/deid/redact", json=body, headers=key_a).json()["items"][0]
    again = client.post("/v1/deid/redact", json=body, headers=key_a).json()["items"][0]
    other = client.post("/v1/deid/redact", json=body, headers=key_b).json()["items"][0]
    assert first["text"].startswith("张*的电话PSN_PHONE_") and first["text"].endswith("<CN_ID>")
    assert first == again and first["text"] != other["text"]
    entity = first["entities"][1]
    assert entity["operator"] == "pseudonymize" and (entity["start"], entity["end"]) == (5, 16)
    assert first["text"][entity["output_start"] : entity["output_end"]].startswith("PSN_PHONE_")


def test_http_errors_are_coded_and_never_echo_the_text(client: TestClient, sqlite_runtime: Runtime) -> None:
    secret = "13800138000"
    bad_pair = client.post(
        "/v1/deid/redact",
        json={"items": [{"text": secret}], "operators": {"PERSON": "encrypt"}},
        headers=bearer(sqlite_runtime),
    )
    assert bad_pair.status_code == 422 and bad_pair.json()["code"] == "invalid_policy"
    bad_shape = client.post(
        "/v1/deid/redact", json={"items": [{"text": secret, "extra": secret}]}, headers=bearer(sqlite_runtime)
    )
    assert bad_shape.status_code == 422 and bad_shape.json()["code"] == "unknown_field"

    too_many = client.post(
        "/v1/deid/detect", json={"items": [{"text": "x"}] * 1001}, headers=bearer(sqlite_runtime)
    )
    assert too_many.status_code == 422
    for response in (bad_pair, bad_shape):
        assert secret not in response.text


@pytest.mark.parametrize("path", ["/v1/deid/detect", "/v1/deid/redact"])
@pytest.mark.parametrize("item_id", [1, 1.5, True, ["a"]])
def test_http_item_ids_are_strings_only(
    client: TestClient, sqlite_runtime: Runtime, path: str, item_id: object
) -> None:
    body = {"items": [{"id": item_id, "text": "没有个人信息"}]}
    response = client.post(path, json=body, headers=bearer(sqlite_runtime))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request" and response.json()["field"] == "items.0.id"
