from __future__ import annotations

import pytest

from parcelguard.adapters.render import (
    CONTENT_TYPES,
    FILE_EXTENSIONS,
    LABEL_FORMATS,
    LabelRenderer,
    content_type,
)
from parcelguard.domain.label import LabelData
from parcelguard.errors import ErrorCode, ValidationError


@pytest.mark.parametrize(
    ("fmt", "magic"), [("pdf", b"%PDF-"), ("png", b"\x89PNG\r\n\x1a\n"), ("zpl", b"^XA")]
)
def test_render_label_returns_the_bytes_of_the_requested_format(
    renderer: LabelRenderer, label: LabelData, fmt: str, magic: bytes
) -> None:
    assert renderer.render_label(label, fmt).startswith(magic)


def test_an_unknown_format_is_a_validation_error_with_its_own_code(
    renderer: LabelRenderer, label: LabelData
) -> None:
    with pytest.raises(ValidationError) as caught:
        renderer.render_label(label, "svg")

    assert caught.value.code is ErrorCode.INVALID_LABEL_FORMAT
    assert caught.value.field == "format"


def test_every_format_has_a_content_type_and_a_file_extension() -> None:
    assert set(CONTENT_TYPES) == set(FILE_EXTENSIONS) == set(LABEL_FORMATS) == {"pdf", "png", "zpl"}
    assert content_type("pdf") == "application/pdf"
    assert content_type("png") == "image/png"
    assert content_type("zpl").startswith("text/plain")


def test_the_gate_is_called_once_per_label_in_every_format(label: LabelData) -> None:
    seen: list[str] = []
    renderer = LabelRenderer(lambda data: seen.append(data.tracking_number))

    for fmt in LABEL_FORMATS:
        renderer.render_label(label, fmt)
    renderer.render_pdf_batch([label, label])

    assert seen == [label.tracking_number] * 5
