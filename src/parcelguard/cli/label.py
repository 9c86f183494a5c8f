"""``parcelguard label``: print one label, or many: one multi-page PDF, or one ZPL stream (ZPL labels follow
each other in one file as a printer takes them)."""

from __future__ import annotations

from pathlib import Path

import typer

from parcelguard.adapters.output_file import check_output_path, write_bytes_atomically
from parcelguard.cli.common import console, open_runtime, operator, reported_errors
from parcelguard.errors import ErrorCode, ValidationError
from parcelguard.services.labels import parse_label_format, render_label, render_label_batch, render_labels


def label(
    tracking_numbers: list[str] = typer.Argument(
        ..., help="one tracking number, or several for a PDF or ZPL batch (one transaction)"
    ),
    fmt: str = typer.Option("pdf", "--format", help="pdf, png or zpl"),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="file to write (its folder must exist)"),
) -> None:
    """Render privacy e-waybill labels (100 x 150 mm): masked data, Code 128 and an opaque QR token.

    ``--out`` is checked before anything is rendered (rendering is audited and issues QR tokens).
    """
    with reported_errors():
        label_format = parse_label_format(fmt)
        if len(tracking_numbers) > 1 and label_format == "png":
            raise ValidationError(
                "several tracking numbers make one multi-page PDF or one ZPL stream: use --format pdf or zpl",
                code=ErrorCode.INVALID_LABEL_FORMAT,
                field="format",
            )
        check_output_path(out, field="--out")
        runtime = open_runtime()
        principal = operator()
        try:
            if len(tracking_numbers) == 1:
                content = render_label(runtime.ctx, tracking_numbers[0], label_format, principal=principal)
            elif label_format == "zpl":
                content = b"".join(render_labels(runtime.ctx, tracking_numbers, "zpl", principal=principal))
            else:
                content = render_label_batch(runtime.ctx, tracking_numbers, principal=principal)
        finally:
            runtime.close()
        write_bytes_atomically(out, content, field="--out")
    console.print(f"{len(tracking_numbers)} label(s) -> {out} ({len(content):,} bytes)", highlight=False)
