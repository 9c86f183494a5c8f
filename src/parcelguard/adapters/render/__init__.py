"""Label rendering: one layout (`parcelguard.domain.label`), three output formats.

Every renderer is built with the label gate and calls it before drawing anything, so no format can print a
label the gate rejected. `LabelRenderer` is what the rest of the application uses; the per-format classes
are there for callers that need their extras (PDF batches, Pillow images).
"""

from __future__ import annotations

from parcelguard.adapters.render.renderer import (
    CONTENT_TYPES,
    FILE_EXTENSIONS,
    LABEL_FORMATS,
    LabelFormat,
    LabelRenderer,
    content_type,
)

__all__ = [
    "CONTENT_TYPES",
    "FILE_EXTENSIONS",
    "LABEL_FORMATS",
    "LabelFormat",
    "LabelRenderer",
    "content_type",
]
