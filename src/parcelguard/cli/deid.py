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
from parcelguard.bootstrap import configure_detector
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
from parcelguard.domain.deid.words import DetectMode
from parcelguard.errors import ErrorCode, ParcelGuardError, ValidationError
from parcelguard.services.deid import (
    DEFAULT_TENANT,
    MAX_BATCH_CHARS,
    deidentify_dataset,
    detect_texts,
    redact_texts,
)

app = typer.Typer(help="Find and de-identify personal data in text and datasets.", no_args_is_help=True)


def _item(value: object) -> tuple[object, str]:
    if not isinstance(value, dict):
        raise ValidationError("line is not a JSON object", code=ErrorCode.INVALID_REQUEST)
    text = value.get("text")
    if not isinstance(text, str):
        raise ValidationError("'text' must be a string", code=ErrorCode.INVALID_REQUEST, field="text")
    return value.get("id"), text


_BATCH_LINES = 512  # lines read before the detector runs: the model of accurate mode batches them
# ... or fewer when they hold this many characters: the model's readings of a batch are held in memory at
# once (512 lines of 100,000 characters would be tens of millions of tagged words), and each batch is one
# request's work (the API's budget in accurate mode). A longer line is a batch of its own.
_BATCH_CHARS = MAX_BATCH_CHARS[DetectMode.ACCURATE]

Handler = Callable[[list[tuple[object, str]]], list[dict[str, Any]]]


def _run_lines(in_path: Path, out_path: Path, encoding: str, handle: Handler) -> tuple[int, int]:
    """Apply ``handle`` to the lines, streamed in batches of up to 512 lines and :data:`_BATCH_CHARS`
    characters, and write the results atomically in input order; returns (done, failed). A batch that fails
    is retried line by line, so an error is reported on its own line only.

    ``--out`` and the encoding are checked and an empty input refused before any line is handled.
    """
    check_output_path(out_path, field="--out")
    refuse_overwriting_input(in_path, out_path)
    if next(input_lines(in_path, encoding), None) is None:
        raise ValidationError("the input has no lines (no non-blank lines)", code=ErrorCode.EMPTY_INPUT)
    counts = [0, 0]  # done, failed
    with atomic_text_output(out_path, field="--out") as out:
        batch: list[tuple[int, object]] = []
        chars = 0
        for number, text in input_lines(in_path, encoding):
            value: object = text
            if isinstance(text, str):
                if batch and chars + len(text) > _BATCH_CHARS:
                    _flush(batch, handle, out.write, counts)
                    batch, chars = [], 0
                chars += len(text)
            if not isinstance(text, ValidationError):
                try:
                    value = decode_json_line(text)
                except ParcelGuardError as error:
                    value = error
            batch.append((number, value))
            if len(batch) >= _BATCH_LINES:
                _flush(batch, handle, out.write, counts)
                batch, chars = [], 0
        _flush(batch, handle, out.write, counts)
    return counts[0], counts[1]


def _flush(
    batch: list[tuple[int, object]], handle: Handler, write: Callable[[str], object], counts: list[int]
) -> None:
    rows: dict[int, dict[str, Any]] = {}
    items: list[tuple[int, object, tuple[object, str]]] = []
    for number, value in batch:
        try:
            if isinstance(value, ParcelGuardError):
                raise value
            items.append((number, value, _item(value)))
        except ParcelGuardError as error:
            rows[number] = _error_row(number, value, error)
    try:
        results = handle([item for _, _, item in items])
    except ParcelGuardError:
        results = []
        for number, value, item in items:
            try:
                results.extend(handle([item]))
            except ParcelGuardError as error:
                rows[number] = _error_row(number, value, error)
        items = [i for i in items if i[0] not in rows]
    done = set()
    for (number, _, _), row in zip(items, results, strict=True):
        rows[number] = row
        done.add(number)
    for number, _ in batch:
        counts[0 if number in done else 1] += 1
        write(json_line(rows[number]))


def _error_row(number: int, value: object, error: ParcelGuardError) -> dict[str, Any]:
    item_id = value.get("id") if isinstance(value, dict) else None
    return {"id": item_id, "line": number, "error": error.to_dict()}


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
    """``--operator TYPE=OPERATOR`` options by entity type; a type given twice is ``duplicate_field``
    (field ``operator.TYPE``) rather than the last one silently winning."""
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
        if entity_type in chosen:
            raise ValidationError(
                f"--operator names {entity_type.value} more than once: give one operator per type",
                code=ErrorCode.DUPLICATE_FIELD,
                field=f"operator.{entity_type.value}",
            )
        chosen[entity_type] = parse_operator(op, where)
    return chosen


IN_OPTION = typer.Option(..., "--in", exists=True, dir_okay=False, help="JSON lines {id, text}")
MODE_HELP = "accurate: sequence model (Baidu LAC) and rules; fast: rules only, about 50x faster"
MODE_OPTION = typer.Option(DetectMode.ACCURATE, "--mode", case_sensitive=False, help=MODE_HELP)
ENCODING_OPTION = typer.Option("utf-8", help=ENCODING_HELP)


@app.command()
def detect(
    in_path: Path = IN_OPTION,
    out_path: Path = typer.Option(..., "--out", dir_okay=False, help="JSON lines {id, entities}"),
    types: str | None = typer.Option(None, help="comma-separated entity types (default: all)"),
    encoding: str = ENCODING_OPTION,
    mode: DetectMode = MODE_OPTION,
) -> None:
    """Find personal data: each output line lists the entities' type, offsets and score."""
    with reported_errors():
        wanted = _types(types)
        configure_detector()
        found = 0

        def handle(items: list[tuple[object, str]]) -> list[dict[str, Any]]:
            nonlocal found
            rows = []
            results = detect_texts([text for _, text in items], types=wanted, mode=mode)
            for (item_id, _), entities in zip(items, results, strict=True):
                found += len(entities)
                rows.append(
                    {
                        "id": item_id,
                        "entities": [
                            {"type": e.type.value, "start": e.start, "end": e.end, "score": e.score}
                            for e in entities
                        ],
                    }
                )
            return rows

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
        [],
        "--operator",
        help="TYPE=OPERATOR, e.g. PHONE=mask (one per type, repeat for others; overrides the policy file)",
    ),
    tenant: str = typer.Option(DEFAULT_TENANT, help="whose pseudonyms and encryption tweaks to use"),
    with_entities: bool = typer.Option(False, help="also list what was replaced, with offsets"),
    encoding: str = ENCODING_OPTION,
    mode: DetectMode = MODE_OPTION,
) -> None:
    """Rewrite personal data in each text by operator (default: replace with a type tag like <PHONE>)."""
    with reported_errors():
        policy: TextPolicy = _load_policy(policy_path).text.with_overrides(_overrides(operators))
        check_output_path(out_path, field="--out")
        runtime = open_runtime(check_schema=False)

        def handle(items: list[tuple[object, str]]) -> list[dict[str, Any]]:
            texts = [text for _, text in items]
            rows = []
            results = redact_texts(runtime.ctx, texts, policy, tenant=tenant, mode=mode)
            for (item_id, _), result in zip(items, results, strict=True):
                row: dict[str, Any] = {"id": item_id, "text": result.text}
                if with_entities:
                    row["entities"] = [r.as_dict() for r in result.replacements]
                rows.append(row)
            return rows

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
    mode: DetectMode | None = typer.Option(
        None,
        "--mode",
        case_sensitive=False,
        help=MODE_HELP + " (default: the policy's 'mode'; columns naming their own keep it)",
    ),
) -> None:
    """De-identify a dataset by a per-column policy; prints the change report (counts only)."""
    with reported_errors():
        policy = _load_policy(policy_path).with_k(k).with_mode(mode)
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
