"""``parcelguard waybill``: issue from JSONL files, show the masked view.

``issue`` streams: a first pass over the input's bytes derives the idempotency key (their SHA-256) and counts
the lines without parsing them; the second decodes and issues ``--batch-size`` lines at a time and writes
their results as it goes, so memory stays flat however long the file is. The result file appears (renamed
into place) only when every line has its result.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import Engine, event

from parcelguard.adapters.output_file import atomic_text_output, check_output_path
from parcelguard.bootstrap import Runtime
from parcelguard.cli.common import (
    ENCODING_HELP,
    console,
    decode_json_line,
    finish_lines,
    input_lines,
    is_input_line,
    json_line,
    open_input,
    open_runtime,
    operator,
    refuse_overwriting_input,
    reported_errors,
    text_encoding,
)
from parcelguard.errors import ConflictError, ErrorCode, ValidationError
from parcelguard.services.issuance import (
    MAX_BATCH,
    MAX_IDEMPOTENCY_KEY_CHARS,
    IssuedWaybill,
    is_idempotency_key,
    issue_batch,
)
from parcelguard.services.waybills import view_waybill

app = typer.Typer(help="Issue and inspect waybills.", no_args_is_help=True)

Line = tuple[int, Any]  # (line number, decoded order or the ValidationError that stopped it)

DEFAULT_BATCH = 500
"""Orders per transaction unless ``--batch-size`` says otherwise (the service takes up to MAX_BATCH, 1,000,
the default before issue 9). What a batch leaves allocated stays with the process as its peak: measured
(benchmarks/bench_cli_issue.py's corpus, 200,000 orders) 220 MiB at 1,000 and 214 at 500, the same CPU
(63.4 and 61.5 s)."""

ISSUE_PAGE_CACHE_KIB = 2048
"""SQLite's page cache of ``issue``'s connection, in KiB, instead of the engine's 8 MiB (a server's many
readers share hot pages; a stream of inserts at random places in seven indexes outgrows either size at
once). Measured (issue 9, benchmarks/bench_cli_issue.py's corpus, 200,000 orders, two runs side by side):
peak 220 -> 214 MiB, CPU 61.5 -> 62.4 s."""


MAX_KEY_CHARS = MAX_IDEMPOTENCY_KEY_CHARS - 8
"""Room for the batch number each transaction's key adds (``KEY:12345``), within the service's 128."""


def _checked_key(key: str | None) -> str | None:
    """``--idempotency-key`` as given, or ValidationError ``invalid_request`` (field --idempotency-key)."""
    # the service's one rule (services/issuance.py IDEMPOTENCY_KEY_PATTERN), with room for the batch number;
    # given but empty or blank is refused, never read as "no key": the file's own key would then be used
    if key is None or (len(key) <= MAX_KEY_CHARS and is_idempotency_key(key)):
        return key
    raise ValidationError(
        f"must be 1 to {MAX_KEY_CHARS} printable ASCII characters, neither the first nor the last a blank "
        "(leave the option out to derive the key from the file)",
        code=ErrorCode.INVALID_REQUEST,
        field="--idempotency-key",
    )


def _orders(path: Path, encoding: str) -> Iterator[Line]:
    for number, text in input_lines(path, encoding):
        if isinstance(text, ValidationError):
            yield number, text
            continue
        try:
            yield number, decode_json_line(text)
        except ValidationError as error:
            yield number, error


def _chunks(lines: Iterator[Line], size: int) -> Iterator[list[Line]]:
    chunk: list[Line] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _survey(path: Path, encoding: str) -> tuple[int, str]:
    """(how many lines :func:`input_lines` yields, the SHA-256 of the file's bytes in hex) in one pass that
    parses nothing. Raises ValidationError for an unknown encoding or an unreadable file."""
    codec = text_encoding(encoding)
    digest = hashlib.sha256()
    count = 0
    with open_input(path) as source:
        for number, raw in enumerate(source, start=1):
            digest.update(raw)
            if is_input_line(number, raw, codec):
                count += 1
    return count, digest.hexdigest()


@app.command()
def issue(
    in_path: Path = typer.Option(
        ..., "--in", exists=True, dir_okay=False, readable=True, help="orders, one JSON object a line"
    ),
    out_path: Path = typer.Option(..., "--out", dir_okay=False, help="results, one JSON object a line"),
    batch_size: int = typer.Option(
        DEFAULT_BATCH,
        min=1,
        max=MAX_BATCH,
        help="orders per transaction; a file run again is issued in the batches of its first run",
    ),
    idempotency_key: str | None = typer.Option(
        None,
        help="default: derived from the file's content, so re-running the same file issues nothing twice; "
        f"1-{MAX_IDEMPOTENCY_KEY_CHARS - 8} printable ASCII characters, no blank first or last",
    ),
    encoding: str = typer.Option("utf-8", help=ENCODING_HELP),
) -> None:
    """Issue a waybill for every order line; each result line is a tracking number or a coded error.

    Exit code 5 when some lines failed (their error lines are in the output), 2 for an empty input.
    """
    with reported_errors():
        idempotency_key = _checked_key(idempotency_key)
        check_output_path(out_path, field="--out")
        refuse_overwriting_input(in_path, out_path)
        total, digest = _survey(in_path, encoding)
        if total == 0:
            raise ValidationError("the input has no orders (no non-blank lines)", code=ErrorCode.EMPTY_INPUT)
        base_key = "file:" + digest if idempotency_key is None else idempotency_key
        runtime = open_runtime()
        _small_page_cache(runtime.engine)
        actor = operator().actor
        issued = failed = 0
        thawed = gc.get_freeze_count() == 0
        try:
            with (
                atomic_text_output(out_path, field="--out") as out,
                Progress(
                    TextColumn("issuing"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeRemainingColumn(),
                    console=console,
                    transient=True,
                ) as progress,
            ):
                task = progress.add_task("issue", total=total)
                for chunk_number, chunk in enumerate(_chunks(_orders(in_path, encoding), batch_size)):
                    try:
                        rows = _issue_chunk(runtime, chunk, actor, f"{base_key}:{chunk_number}")
                    except ConflictError as error:
                        if idempotency_key is not None or error.code is not ErrorCode.IDEMPOTENCY_CONFLICT:
                            raise
                        raise ConflictError(
                            f"{error.message}: this file was issued before in batches of another size; run "
                            "it again with that --batch-size (1000 before this version's default of "
                            f"{DEFAULT_BATCH})",
                            code=error.code,
                            field="--batch-size",
                        ) from None
                    out.write("".join(map(json_line, rows)))
                    errors = sum("error" in row for row in rows)
                    failed += errors
                    issued += len(rows) - errors
                    progress.advance(task, len(chunk))
                    del chunk, rows  # not kept alive while the next batch is read and issued
                    _settle()
        finally:
            if thawed:
                gc.unfreeze()  # a process that goes on (tests) collects as it did before
            runtime.close()
    finish_lines(f"{issued} issued, {failed} failed -> {out_path}", issued, failed)


def _small_page_cache(engine: Engine) -> None:
    """Give each SQLite connection ``engine`` hands out from now on a page cache of `ISSUE_PAGE_CACHE_KIB`
    (once per connection, the first time it is checked out: the one the schema check opened is already in
    the pool); other databases are left alone."""
    if engine.dialect.name != "sqlite":
        return

    def shrink(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.get("page_cache_kib") != ISSUE_PAGE_CACHE_KIB:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA cache_size=-{ISSUE_PAGE_CACHE_KIB}")
            cursor.close()
            record.info["page_cache_kib"] = ISSUE_PAGE_CACHE_KIB

    event.listen(engine, "checkout", shrink)


def _settle() -> None:
    """Between two batches: collect the cycles the batch left, then freeze what survives it.

    Why: what lives on (the runtime, the caches the batch filled) otherwise stays in the collector's oldest
    generation, and every full collection walks it again: about a tenth of the CPU at 1,000 orders a batch,
    a twentieth this way (the collection here walks only what the last batch left). Nothing of the batch
    itself survives it (its lines and results are gone by now), so what is frozen is what would have lived
    on anyway; frozen objects are still freed by reference counting (a cache's evicted entries), only cycles
    among them would never be reclaimed. Measured flat at 200,000 orders (benchmarks/bench_cli_issue.py)."""
    gc.collect()
    gc.freeze()


def _issue_chunk(runtime: Runtime, chunk: list[Line], actor: str, key: str) -> list[dict[str, Any]]:
    """One batch: the decoded orders go to issue_batch; every line gets its result row, in order."""
    decoded = [(number, order) for number, order in chunk if not isinstance(order, ValidationError)]
    by_line: dict[int, dict[str, Any]] = {}
    if decoded:
        batch = issue_batch(runtime.ctx, [order for _, order in decoded], actor=actor, idempotency_key=key)
        for item in batch.items:
            line = decoded[item.index][0]
            if isinstance(item, IssuedWaybill):
                by_line[line] = item.as_dict()
            else:
                by_line[line] = {"line": line, "error": item.error}
    for number, order in chunk:
        if isinstance(order, ValidationError):
            by_line[number] = {"line": number, "error": order.to_dict()}
    return [by_line[number] for number, _ in chunk]


@app.command()
def show(tracking_number: str) -> None:
    """The masked view of a waybill, as JSON."""
    with reported_errors():
        runtime = open_runtime()
        try:
            view = view_waybill(runtime.ctx, tracking_number, principal=operator())
        finally:
            runtime.close()
    body = {
        "tracking_number": view.tracking_number,
        "status": view.status,
        "created_at": view.created_at,
        "routing_code": view.routing_code,
        "masked": view.masked.as_dict(),
    }
    console.print_json(json.dumps(body, ensure_ascii=False))
