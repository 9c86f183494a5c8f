"""``parcelguard label``: print one label, or a multi-page PDF for many."""

from __future__ import annotations

from pathlib import Path

import typer

from parcelguard.cli.common import console, open_runtime, operator, reported_errors
from parcelguard.errors import ErrorCode, ValidationError
from parcelguard.services.labels import parse_label_format, render_label, render_label_batch


def label(
    tracking_numbers: list[str] = typer.Argument(..., help="one tracking number, or several for a PDF batch"),
    fmt: str = typer.Option("pdf", "--format", help="pdf, png or zpl"),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="file to write"),
) -> None:
    """Render privacy e-waybill labels (100 x 150 mm): masked data, Code 128 and an opaque QR token."""
    with reported_errors():
        label_format = parse_label_format(fmt)
        if len(tracking_numbers) > 1 and label_format != "pdf":
            raise ValidationError(
                "several tracking numbers make one multi-page PDF: use --format pdf",
                code=ErrorCode.INVALID_LABEL_FORMAT,
                field="format",
            )
        runtime = open_runtime()
        principal = operator()
        if len(tracking_numbers) == 1:
            content = render_label(runtime.ctx, tracking_numbers[0], label_format, principal=principal)
        else:
            content = render_label_batch(runtime.ctx, tracking_numbers, principal=principal)
        runtime.close()
        out.write_bytes(content)
    console.print(f"{len(tracking_numbers)} label(s) -> {out} ({len(content):,} bytes)")
