"""``parcelguard deid``: find and rewrite personal data in free text, de-identify datasets.

``detect`` and ``redact`` read JSON lines ``{"id": ..., "text": ...}`` and write one line per input line;
a line that cannot be handled gets ``{"id", "line", "error": {"code", "message"}}``, the rest go on, and
the command exits with code 5. Output files are written beside their destination and renamed into place
when complete; ``--out`` is checked before any work.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from parcelguard.adapters.datasets import dataset_ref, engine_named
from parcelguard.adapters.output_file import atomic_text_output, check_output_path, write_bytes_atomically
from parcelguard.cli.common import (
    ENCODING_HELP,
    console,
    decode_json_line,
    finish_lines,
    input_lines,
    json_line,
    open_runtime,
    operator,
    refuse_overwriting_input,
    reported_errors,
    text_encoding,
)
from parcelguard.domain.anonymize import DatasetPolicy, Operator, TextPolicy, parse_operator, policy_from_text
from parcelguard.domain.deid.entity import EntityType
from parcelguard.errors import ErrorCode, ParcelGuardError, ValidationError
from parcelguard.services.deid import DEFAULT_TENANT, deidentify_dataset, detect_text, redact_text

app = typer.Typer(help="Find and de-identify personal data in text and datasets.", no_args_is_help=True)


def _item(value: object) -> tuple[object, str]:
    if not isinstance(value, dict):
        raise ValidationError("line is not a JSON object", code=ErrorCode.INVALID_REQUEST)
    text = value.get("text")
    if not isinstance(text, str):
        raise ValidationError("'text' must be a string", code=ErrorCode.INVALID_REQUEST, field="text")
    return value.get("id"), text


def _run_lines(
    in_path: Path, out_path: Path, encoding: str, handle: Callable[[object, str], dict[str, Any]]
) -> tuple[int, int]:
    """Apply ``handle`` to every line, streamed, and write the results atomically; returns (done, failed).

    ``--out`` and the encoding are checked and an empty input refused before any line is handled.
    """
    check_output_path(out_path, field="--out")
    refuse_overwriting_input(in_path, out_path)
    if next(input_lines(in_path, encoding), None) is None:
        raise ValidationError("the input has no lines (no non-blank lines)", code=ErrorCode.EMPTY_INPUT)
    done = failed = 0
    with atomic_text_output(out_path, field="--out") as out:
        for number, text in input_lines(in_path, encoding):
            value: object = None
            try:
                if isinstance(text, ValidationError):
                    raise text
                value = decode_json_line(text)
                row = handle(*_item(value))
                done += 1
            except ParcelGuardError as error:
                item_id = value.get("id") if isinstance(value, dict) else None
                row = {"id": item_id, "line": number, "error": error.to_dict()}
                failed += 1
            out.write(json_line(row))
    return done, failed


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
ENCODING_OPTION = typer.Option("utf-8", help=ENCODING_HELP)


@app.command()
def detect(
    in_path: Path = IN_OPTION,
    out_path: Path = typer.Option(..., "--out", dir_okay=False, help="JSON lines {id, entities}"),
    types: str | None = typer.Option(None, help="comma-separated entity types (default: all)"),
    encoding: str = ENCODING_OPTION,
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

        done, failed = _run_lines(in_path, out_path, encoding, handle)
    finish_lines(f"{done} texts, {found} entities, {failed} failed -> {out_path}", done, failed)


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
    encoding: str = ENCODING_OPTION,
) -> None:
    """Rewrite personal data in each text by operator (default: replace with a type tag like <PHONE>)."""
    with reported_errors():
        policy: TextPolicy = _load_policy(policy_path).text.with_overrides(_overrides(operators))
        check_output_path(out_path, field="--out")
        runtime = open_runtime(check_schema=False)

        def handle(item_id: object, text: str) -> dict[str, Any]:
            result = redact_text(runtime.ctx, text, policy, tenant=tenant)
            row: dict[str, Any] = {"id": item_id, "text": result.text}
            if with_entities:
                row["entities"] = [r.as_dict() for r in result.replacements]
            return row

        try:
            done, failed = _run_lines(in_path, out_path, encoding, handle)
        finally:
            runtime.close()
    finish_lines(f"{done} texts redacted, {failed} failed -> {out_path}", done, failed)


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
    encoding: str = typer.Option("utf-8", help=ENCODING_HELP + " (CSV and JSONL)"),
) -> None:
    """De-identify a dataset by a per-column policy; prints the change report (counts only)."""
    with reported_errors():
        policy = _load_policy(policy_path).with_k(k)
        source = dataset_ref(str(in_path), in_format, encoding=text_encoding(encoding))
        dest = dataset_ref(str(out_path), out_format)
        if out_path.resolve() == in_path.resolve():
            raise ValidationError("the output must not overwrite the input", code=ErrorCode.INVALID_DATASET)
        check_output_path(out_path, field="--out")
        if report_path is not None:
            check_output_path(report_path, field="--report")
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
            write_bytes_atomically(report_path, (body + "\n").encode("utf-8"), field="--report")
    console.print_json(body)
