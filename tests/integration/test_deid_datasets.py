"""Dataset de-identification end to end: real files, real keys, the local engine and a Dask cluster.

The Dask tests share one small in-process LocalCluster (processes=False) for the module. They need the
``datasets`` extra (pyarrow, dask, distributed) and are skipped without it.
"""

from __future__ import annotations

import csv
import importlib
import json
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from parcelguard.adapters.datasets import DaskEngine, LocalEngine, dataset_ref
from parcelguard.bootstrap import Runtime
from parcelguard.domain.anonymize import (
    DEID_DATASET_EXPORTED,
    ChangeReport,
    DatasetPolicy,
    TextPolicy,
    parse_policy,
)
from parcelguard.domain.pii import SyntheticPeople
from parcelguard.errors import ErrorCode, ParcelGuardError
from parcelguard.services.deid import deidentify_dataset, redact_text
from tests.unit.anonymize.fakes import FakeDetector

COLUMNS = ["name", "phone", "id_number", "address", "age", "order_date", "gender", "remark", "amount"]
QIS = ["address", "age", "order_date", "gender"]
POLICY: dict[str, Any] = {
    "columns": {
        "name": {"type": "PERSON", "operator": "mask"},
        "phone": {"type": "PHONE", "operator": "pseudonymize"},
        "id_number": {"type": "CN_ID", "operator": "encrypt"},
        "address": {"type": "ADDRESS", "quasi_identifier": True, "generalize": "district"},
        "age": {"quasi_identifier": True, "generalize": "band5"},
        "order_date": {"quasi_identifier": True, "generalize": "day"},
        "gender": {"quasi_identifier": True},
        "remark": {"free_text": True},
        "amount": "keep",
    },
    "free_text_operators": {"PHONE": "mask", "PERSON": "redact"},
    "k": 5,
    "max_suppression": 0.05,
}


def rows(n: int, seed: int = 7) -> list[dict[str, Any]]:
    people, rnd = SyntheticPeople(seed), random.Random(seed)
    out = []
    for _ in range(n):
        person = people.person()
        out.append(
            {
                "name": person.name,
                "phone": person.mobile,
                "id_number": person.resident_id,
                "address": person.address,
                "age": rnd.randint(18, 80),
                "order_date": f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                "gender": rnd.choice("MF"),
                "remark": f"张伟说请联系{person.mobile}，放门口",
                "amount": round(rnd.random() * 100, 2),
            }
        )
    return out


def write_csv(path: Path, data: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(data)
    return path


def write_jsonl(path: Path, data: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in data), encoding="utf-8")
    return path


def write_parquet(path: Path, data: list[dict[str, Any]], row_group_size: int = 100) -> Path:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.Table.from_pylist(data), path, row_group_size=row_group_size)
    return path


def read_output(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    pq = pytest.importorskip("pyarrow.parquet")
    return list(pq.read_table(path).to_pylist())


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    pytest.importorskip("pyarrow")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def run(
    runtime: Runtime,
    engine: LocalEngine | DaskEngine,
    source: Path,
    dest: Path,
    policy: DatasetPolicy | None = None,
    tenant: str = "analytics",
) -> ChangeReport:
    return deidentify_dataset(
        runtime.ctx,
        engine,
        dataset_ref(str(source)),
        dataset_ref(str(dest)),
        policy or parse_policy(POLICY),
        actor="test",
        tenant=tenant,
        detector=FakeDetector(),
    )


def test_a_csv_comes_out_k_anonymous_with_no_raw_personal_data(
    sqlite_runtime: Runtime, tmp_path: Path
) -> None:
    data = rows(600)
    report = run(
        sqlite_runtime,
        LocalEngine(partition_rows=128),
        write_csv(tmp_path / "in.csv", data),
        tmp_path / "out.csv",
    )
    text = (tmp_path / "out.csv").read_text(encoding="utf-8")
    for row in data:
        for field in ("name", "phone", "id_number", "address"):
            assert row[field] not in text
    out = read_output(tmp_path / "out.csv")
    classes = Counter(tuple(r[c] for c in QIS) for r in out)
    assert min(classes.values()) >= 5
    assert report.recoding is not None and report.recoding.k_achieved == min(classes.values())
    assert report.stats.rows_out == len(out) == 600 - report.stats.rows_suppressed
    assert report.stats.rows_suppressed <= 30
    assert report.partitions == 5
    assert report.stats.columns["remark"].entities == Counter({"PERSON": 600, "PHONE": 600})
    assert all(r["remark"].startswith("<PERSON>说请联系") for r in out)


def test_the_same_phone_gets_the_same_pseudonym_and_tenants_differ(
    sqlite_runtime: Runtime, tmp_path: Path
) -> None:
    data = rows(20)
    data[1]["phone"] = data[0]["phone"]
    source = write_csv(tmp_path / "in.csv", data)
    policy = parse_policy({"columns": {"phone": {"type": "PHONE", "operator": "pseudonymize"}}})
    run(sqlite_runtime, LocalEngine(), source, tmp_path / "a.csv", policy, tenant="a")
    run(sqlite_runtime, LocalEngine(), source, tmp_path / "b.csv", policy, tenant="b")
    a, b = read_output(tmp_path / "a.csv"), read_output(tmp_path / "b.csv")
    assert a[0]["phone"] == a[1]["phone"] != a[2]["phone"]
    assert {r["phone"] for r in a}.isdisjoint({r["phone"] for r in b})


def test_each_run_is_recorded_in_the_audit_log_without_data(sqlite_runtime: Runtime, tmp_path: Path) -> None:
    report = run(
        sqlite_runtime, LocalEngine(), write_csv(tmp_path / "in.csv", rows(50)), tmp_path / "out.csv"
    )
    with sqlite_runtime.ctx.uow() as uow:
        events = uow.audit.for_subject(report.job)
    assert [e.action for e in events] == [DEID_DATASET_EXPORTED]
    assert events[0].details["rows_in"] == 50 and events[0].details["k_target"] == 5


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_dask_writes_exactly_what_the_local_engine_writes(
    sqlite_runtime: Runtime, tmp_path: Path, dask_client: Any, fmt: str
) -> None:
    data = rows(400)
    writers = {"csv": write_csv, "jsonl": write_jsonl, "parquet": write_parquet}
    source = writers[fmt](tmp_path / f"in.{fmt}", data)
    local = run(sqlite_runtime, LocalEngine(), source, tmp_path / f"local.{fmt}")
    dask = run(
        sqlite_runtime, DaskEngine(client=dask_client, blocksize=8 * 1024), source, tmp_path / f"dask.{fmt}"
    )
    assert dask.partitions > 1
    if fmt == "parquet":
        assert read_output(tmp_path / "dask.parquet") == read_output(tmp_path / "local.parquet")
    else:
        assert (tmp_path / f"dask.{fmt}").read_bytes() == (tmp_path / f"local.{fmt}").read_bytes()
    assert dask.as_dict()["columns"] == local.as_dict()["columns"]
    assert dask.recoding == local.recoding


def test_parquet_keeps_the_types_of_kept_columns(sqlite_runtime: Runtime, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    source = write_parquet(tmp_path / "in.parquet", rows(50))
    run(sqlite_runtime, LocalEngine(), source, tmp_path / "out.parquet")
    schema = pq.read_schema(tmp_path / "out.parquet")
    assert str(schema.field("amount").type) == "double"
    assert str(schema.field("age").type) == "string"  # generalised to bands


def test_a_csv_can_be_written_as_parquet_and_jsonl(sqlite_runtime: Runtime, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    source = write_csv(tmp_path / "in.csv", rows(100))
    run(sqlite_runtime, LocalEngine(), source, tmp_path / "out.csv")
    run(sqlite_runtime, LocalEngine(), source, tmp_path / "out.parquet")
    run(sqlite_runtime, LocalEngine(), source, tmp_path / "out.jsonl")
    as_csv = read_output(tmp_path / "out.csv")
    assert read_output(tmp_path / "out.parquet") == as_csv == read_output(tmp_path / "out.jsonl")


def test_dask_refuses_a_csv_cut_inside_a_quoted_line_break(
    sqlite_runtime: Runtime, tmp_path: Path, dask_client: Any
) -> None:
    data = rows(200)
    for row in data:
        row["remark"] = "第一行\n" * 30 + "第二行"
    source = write_csv(tmp_path / "in.csv", data)
    run(sqlite_runtime, LocalEngine(), source, tmp_path / "local.csv")  # the local engine reads it whole
    with pytest.raises(ParcelGuardError) as caught:
        run(sqlite_runtime, DaskEngine(client=dask_client, blocksize=4 * 1024), source, tmp_path / "dask.csv")
    assert caught.value.code is ErrorCode.INVALID_DATASET
    assert not (tmp_path / "dask.csv").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("engine_name", ["local", "dask"])
def test_a_jsonl_line_with_an_unexpected_field_stops_the_job_and_leaves_no_output(
    sqlite_runtime: Runtime, tmp_path: Path, engine_name: str, request: pytest.FixtureRequest
) -> None:
    data = rows(50)
    data[30]["secret_note"] = "13800138000"
    source = write_jsonl(tmp_path / "in.jsonl", data)
    engine: LocalEngine | DaskEngine = (
        LocalEngine() if engine_name == "local" else DaskEngine(client=request.getfixturevalue("dask_client"))
    )
    with pytest.raises(ParcelGuardError) as caught:
        run(sqlite_runtime, engine, source, tmp_path / "out.jsonl")
    assert caught.value.code is ErrorCode.INVALID_DATASET
    assert "13800138000" not in caught.value.message
    assert not (tmp_path / "out.jsonl").exists()


def test_a_policy_for_other_columns_is_refused_before_anything_is_written(
    sqlite_runtime: Runtime, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "in.csv", rows(10))
    policy = parse_policy({"columns": {"mobile": {"type": "PHONE", "operator": "mask"}}})
    with pytest.raises(ParcelGuardError) as caught:
        run(sqlite_runtime, LocalEngine(), source, tmp_path / "out.csv", policy)
    assert caught.value.code is ErrorCode.INVALID_DATASET
    assert not (tmp_path / "out.csv").exists()


def test_a_k_target_without_quasi_identifiers_is_a_policy_error(
    sqlite_runtime: Runtime, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "in.csv", rows(10))
    policy = parse_policy({"columns": {"phone": {"type": "PHONE", "operator": "mask"}}, "k": 3})
    with pytest.raises(ParcelGuardError) as caught:
        run(sqlite_runtime, LocalEngine(), source, tmp_path / "out.csv", policy)
    assert caught.value.code is ErrorCode.INVALID_POLICY


def test_the_real_detector_feeds_redaction_when_it_is_installed(sqlite_runtime: Runtime) -> None:
    if not hasattr(importlib.import_module("parcelguard.domain.deid"), "Detector"):
        pytest.skip("the free-text detector (domain.deid.Detector) is not in this tree yet")
    result = redact_text(sqlite_runtime.ctx, "请联系13800138000，谢谢", TextPolicy.uniform())
    assert "13800138000" not in result.text and "<PHONE>" in result.text
