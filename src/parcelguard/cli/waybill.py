"""``parcelguard waybill``: issue from JSONL files, show the masked view."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from parcelguard.cli.common import console, open_runtime, operator, reported_errors
from parcelguard.errors import ErrorCode
from parcelguard.services.issuance import MAX_BATCH, IssuedWaybill, issue_batch
from parcelguard.services.waybills import view_waybill

app = typer.Typer(help="Issue and inspect waybills.", no_args_is_help=True)


def _read_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, decoded order or None when the line is not JSON); blank lines are skipped."""
    with path.open(encoding="utf-8") as source:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError:
                yield number, _NOT_JSON


_NOT_JSON = object()


def _chunks(items: list[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@app.command()
def issue(
    in_path: Path = typer.Option(
        ..., "--in", exists=True, dir_okay=False, help="orders, one JSON object a line"
    ),
    out_path: Path = typer.Option(..., "--out", dir_okay=False, help="results, one JSON object a line"),
    batch_size: int = typer.Option(MAX_BATCH, min=1, max=MAX_BATCH, help="orders per transaction"),
    idempotency_key: str | None = typer.Option(
        None,
        help="default: derived from the file's content, so re-running the same file issues nothing twice",
    ),
) -> None:
    """Issue a waybill for every order line; each result line is a tracking number or a coded error."""
    with reported_errors():
        if not os.access(in_path, os.R_OK):
            raise typer.BadParameter("cannot read the input file", param_hint="--in")
        try:
            lines = list(_read_lines(in_path))
        except UnicodeDecodeError:
            raise typer.BadParameter("the input is not UTF-8 text", param_hint="--in") from None
        base_key = idempotency_key or "file:" + hashlib.sha256(in_path.read_bytes()).hexdigest()
        runtime = open_runtime()
        actor = operator().actor
        results: list[dict[str, Any]] = []
        issued = failed = 0
        with Progress(
            TextColumn("issuing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
        ) as progress:
            task = progress.add_task("issue", total=len(lines))
            for chunk_number, chunk in enumerate(_chunks(lines, batch_size)):
                orders = [order for _, order in chunk if order is not _NOT_JSON]
                line_of = [number for number, order in chunk if order is not _NOT_JSON]
                batch = issue_batch(
                    runtime.ctx, orders, actor=actor, idempotency_key=f"{base_key}:{chunk_number}"
                )
                by_line: dict[int, dict[str, Any]] = {}
                for item in batch.items:
                    line = line_of[item.index]
                    if isinstance(item, IssuedWaybill):
                        by_line[line] = item.as_dict()
                        issued += 1
                    else:
                        by_line[line] = {"line": line, "error": item.error}
                        failed += 1
                for number, order in chunk:
                    if order is _NOT_JSON:
                        failed += 1
                        by_line[number] = {
                            "line": number,
                            "error": {
                                "code": ErrorCode.INVALID_REQUEST.value,
                                "message": "line is not valid JSON",
                            },
                        }
                    results.append(by_line[number])
                progress.advance(task, len(chunk))
        runtime.close()
        _write_atomically(out_path, results)
    console.print(f"{issued} issued, {failed} failed -> {out_path}")
    if failed and not issued:
        raise typer.Exit(2)


def _write_atomically(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write to a temporary file beside ``path`` and rename: a reader never sees half a result file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@app.command()
def show(tracking_number: str) -> None:
    """The masked view of a waybill, as JSON."""
    with reported_errors():
        runtime = open_runtime()
        view = view_waybill(runtime.ctx, tracking_number, principal=operator())
        runtime.close()
    body = {
        "tracking_number": view.tracking_number,
        "status": view.status,
        "created_at": view.created_at,
        "routing_code": view.routing_code,
        "masked": view.masked.as_dict(),
    }
    console.print_json(json.dumps(body, ensure_ascii=False))
