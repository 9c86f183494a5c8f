"""``parcelguard deid``: find and rewrite personal data in free text, de-identify datasets.

``detect`` and ``redact`` read JSON lines ``{"id": ..., "text": ...}`` and write one line per input line;
a line that cannot be handled gets ``{"id", "line", "error": {"code", "message"}}`` and the rest go on.
Output files are written beside their destination and renamed into place when complete.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

import typer

from parcelguard.adapters.datasets import dataset_ref, engine_named
from parcelguard.cli.common import console, open_runtime, operator, reported_errors
from parcelguard.domain.anonymize import DatasetPolicy, Operator, TextPolicy, parse_operator, policy_from_text
from parcelguard.domain.deid.entity import EntityType
from parcelguard.errors import ErrorCode, ParcelGuardError, ValidationError
from parcelguard.services.deid import DEFAULT_TENANT, deidentify_dataset, detect_text, redact_text

app = typer.Typer(help="Find and de-identify personal data in text and datasets.", no_args_is_help=True)


def _lines(path: Path) -> Iterator[tuple[int, object]]:
    """(line number, decoded JSON or the exception's absence marker); blank lines are skipped."""
    try:
        with path.open(encoding="utf-8-sig") as source:
            for number, line in enumerate(source, start=1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except ValueError:
                    yield number, _NOT_JSON
    except UnicodeDecodeError:
        raise typer.BadParameter("the input is not UTF-8 text", param_hint="--in") from None


_NOT_JSON = object()


def _item(value: object) -> tuple[object, str]:
    if value is _NOT_JSON or not isinstance(value, dict):
        raise ValidationError("line is not a JSON object", code=ErrorCode.INVALID_REQUEST)
    text = value.get("text")
    if not isinstance(text, str):
        raise ValidationError("'text' must be a string", code=ErrorCode.INVALID_REQUEST, field="text")
    return value.get("id"), text


def _run_lines(
    in_path: Path, out_path: Path, handle: Callable[[object, str], dict[str, Any]]
) -> tuple[int, int]:
    """Apply ``handle`` to every line and write the results atomically; returns (done, failed)."""
    done = failed = 0
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for number, value in _lines(in_path):
                item_id = value.get("id") if isinstance(value, dict) else None
                try:
                    row = handle(*_item(value))
                    done += 1
                except ParcelGuardError as error:
                    row = {"id": item_id, "line": number, "error": error.to_dict()}
                    failed += 1
                _write(out, row)
        os.replace(temporary, out_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return done, failed


def _write(out: TextIO, row: dict[str, Any]) -> None:
    out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


def _types(raw: str | None) -> frozenset[EntityType] | None:
    if not raw:
        return None
    chosen = set()
    for part in filter(None, (p.strip().upper() for p in raw.split(","))):
        try:
            chosen.add(EntityType(part))
        except ValueError:
            raise ValidationError(
                f"unknown entity type {part!r}", code=ErrorCode.INVALID_REQUEST, field="types"
            ) from None
    return frozenset(chosen)


def _load_policy(path: Path | None) -> DatasetPolicy:
    if path is None:
        return DatasetPolicy(columns=())
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise ValidationError(
            "cannot read the policy file as UTF-8 text", code=ErrorCode.INVALID_POLICY, field="policy"
        ) from None
    return policy_from_text(text, fmt="toml" if path.suffix.lower() == ".toml" else "json")


def _overrides(pairs: list[str]) -> dict[EntityType, Operator]:
    chosen: dict[EntityType, Operator] = {}
    for pair in pairs:
        name, sep, op = pair.partition("=")
        where = f"operator.{name.strip()}"
        if not sep:
            raise ValidationError(
                "--operator takes TYPE=OPERATOR", code=ErrorCode.INVALID_POLICY, field=where
            )
        try:
            entity_type = EntityType(name.strip().upper())
        except ValueError:
            raise ValidationError(
                f"unknown entity type {name.strip()!r}", code=ErrorCode.INVALID_POLICY, field=where
            ) from None
        chosen[entity_type] = parse_operator(op, where)
    return chosen


IN_OPTION = typer.Option(..., "--in", exists=True, dir_okay=False, help="JSON lines {id, text}")


@app.command()
def detect(
    in_path: Path = IN_OPTION,
    out_path: Path = typer.Option(..., "--out", dir_okay=False, help="JSON lines {id, entities}"),
    types: str | None = typer.Option(None, help="comma-separated entity types (default: all)"),
) -> None:
    """Find personal data: each output line lists the entities' type, offsets and score."""
    with reported_errors():
        wanted = _types(types)
        found = 0

        def handle(item_id: object, text: str) -> dict[str, Any]:
            nonlocal found
            entities = detect_text(text, types=wanted)
            found += len(entities)
            return {
                "id": item_id,
                "entities": [
                    {"type": e.type.value, "start": e.start, "end": e.end, "score": e.score} for e in entities
                ],
            }

        done, failed = _run_lines(in_path, out_path, handle)
    console.print(f"{done} texts, {found} entities, {failed} failed -> {out_path}")
    if failed and not done:
        raise typer.Exit(2)


@app.command()
def redact(
    in_path: Path = IN_OPTION,
    out_path: Path = typer.Option(..., "--out", dir_okay=False, help="JSON lines {id, text}"),
    policy_path: Path | None = typer.Option(
        None, "--policy", exists=True, dir_okay=False, help="policy file (JSON or TOML)"
    ),
    operators: list[str] = typer.Option(
        [], "--operator", help="TYPE=OPERATOR, e.g. PHONE=mask (repeatable; overrides the policy file)"
    ),
    tenant: str = typer.Option(DEFAULT_TENANT, help="whose pseudonyms and encryption tweaks to use"),
    with_entities: bool = typer.Option(False, help="also list what was replaced, with offsets"),
) -> None:
    """Rewrite personal data in each text by operator (default: replace with a type tag like <PHONE>)."""
    with reported_errors():
        policy: TextPolicy = _load_policy(policy_path).text.with_overrides(_overrides(operators))
        runtime = open_runtime(check_schema=False)

        def handle(item_id: object, text: str) -> dict[str, Any]:
            result = redact_text(runtime.ctx, text, policy, tenant=tenant)
            row: dict[str, Any] = {"id": item_id, "text": result.text}
            if with_entities:
                row["entities"] = [r.as_dict() for r in result.replacements]
            return row

        try:
            done, failed = _run_lines(in_path, out_path, handle)
        finally:
            runtime.close()
    console.print(f"{done} texts redacted, {failed} failed -> {out_path}")
    if failed and not done:
        raise typer.Exit(2)


@app.command()
def dataset(
    in_path: Path = typer.Argument(..., exists=True, help="CSV, JSONL or Parquet file"),
    policy_path: Path = typer.Option(..., "--policy", exists=True, dir_okay=False, help="JSON or TOML"),
    out_path: Path = typer.Option(..., "--out", dir_okay=False, help="output file (.csv, .jsonl, .parquet)"),
    k: int | None = typer.Option(None, "--k", help="k-anonymity target (overrides the policy's)"),
    engine_name: str = typer.Option("local", "--engine", help="local or dask"),
    workers: int = typer.Option(2, min=1, help="Dask: worker processes of the local cluster"),
    scheduler: str | None = typer.Option(None, help="Dask: address of an existing scheduler"),
    in_format: str | None = typer.Option(None, help="csv, jsonl or parquet (default: from the suffix)"),
    out_format: str | None = typer.Option(None, help="csv, jsonl or parquet (default: from the suffix)"),
    report_path: Path | None = typer.Option(None, "--report", dir_okay=False, help="write the report here"),
    tenant: str = typer.Option(DEFAULT_TENANT, help="whose pseudonyms and encryption tweaks to use"),
) -> None:
    """De-identify a dataset by a per-column policy; prints the change report (counts only)."""
    with reported_errors():
        policy = _load_policy(policy_path).with_k(k)
        source = dataset_ref(str(in_path), in_format)
        dest = dataset_ref(str(out_path), out_format)
        if out_path.resolve() == in_path.resolve():
            raise ValidationError("the output must not overwrite the input", code=ErrorCode.INVALID_DATASET)
        runtime = open_runtime()
        engine = engine_named(engine_name, workers=workers, address=scheduler)
        try:
            report = deidentify_dataset(
                runtime.ctx, engine, source, dest, policy, actor=operator().actor, tenant=tenant
            )
        finally:
            engine.close()
            runtime.close()
        body = json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
        if report_path is not None:
            report_path.write_text(body + "\n", encoding="utf-8")
    console.print_json(body)
