"""One entry point for every label format, with the media types the web layer and CLI need."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final, Literal, get_args

from PIL import Image

from parcelguard.adapters.render.fonts import FontChain, default_chain
from parcelguard.adapters.render.pdf import PdfLabelRenderer
from parcelguard.adapters.render.png import PngLabelRenderer
from parcelguard.adapters.render.zpl import DEFAULT_CJK_FONT, ZplLabelRenderer
from parcelguard.domain.label import LabelData, LabelGate, label_fields
from parcelguard.errors import ErrorCode, LabelComplianceError, ValidationError

LabelFormat = Literal["pdf", "png", "zpl"]
LABEL_FORMATS: Final[tuple[LabelFormat, ...]] = get_args(LabelFormat)

CONTENT_TYPES: Final[Mapping[LabelFormat, str]] = {
    "pdf": "application/pdf",
    "png": "image/png",
    # ZPL has no registered media type; it is UTF-8 text (^CI28) that printers and their drivers take as is
    "zpl": "text/plain; charset=utf-8",
}
FILE_EXTENSIONS: Final[Mapping[LabelFormat, str]] = {"pdf": ".pdf", "png": ".png", "zpl": ".zpl"}


class LabelRenderer:
    """Renders labels in any supported format; every label passes ``gate`` and the glyph check (every
    character it prints has a glyph in the font chain) before anything is drawn."""

    def __init__(
        self, gate: LabelGate, *, zpl_cjk_font: str = DEFAULT_CJK_FONT, fonts: FontChain | None = None
    ) -> None:
        self._gate = gate
        self.fonts = fonts or default_chain()
        self.pdf = PdfLabelRenderer(self.preflight, self.fonts)
        self.png = PngLabelRenderer(self.preflight, self.fonts)
        self.zpl = ZplLabelRenderer(self.preflight, cjk_font=zpl_cjk_font, chain=self.fonts)

    def preflight(self, data: LabelData) -> None:
        """Raise LabelComplianceError when ``data`` may not or cannot be printed.

        The gate first (``label_not_compliant``), then every character the label prints must have a glyph
        in some font of the chain (``label_glyph_missing``): a box or a gap in a name misdirects a parcel.
        The error names the field, never the characters.
        """
        self._gate(data)
        fields = label_fields(data)  # the captions, dates and weights are ours and always drawable
        if not self.fonts.missing_glyphs("".join(text for _, text in fields)):
            return
        for field, text in fields:
            if self.fonts.missing_glyphs(text):
                raise LabelComplianceError(
                    f"{field} holds a character no label font can draw",
                    code=ErrorCode.LABEL_GLYPH_MISSING,
                    field=field,
                )

    def render_label(self, data: LabelData, fmt: str) -> bytes:
        """One label as the bytes of a ``fmt`` file (see `CONTENT_TYPES`).

        ``fmt`` is a plain string because it usually arrives from a request; an unknown one is the caller's
        mistake, reported as `ValidationError` with code ``invalid_label_format``.
        """
        if fmt == "pdf":
            return self.pdf.render(data)
        if fmt == "png":
            return self.png.render(data)
        if fmt == "zpl":
            return self.zpl.render(data).encode()
        raise ValidationError(
            f"label format must be one of {', '.join(LABEL_FORMATS)}",
            code=ErrorCode.INVALID_LABEL_FORMAT,
            field="format",
        )

    def render_pdf(self, data: LabelData) -> bytes:
        return self.pdf.render(data)

    def render_pdf_batch(self, datas: Iterable[LabelData]) -> bytes:
        """Many labels as one PDF, a page each; nothing is produced if any label fails the gate."""
        return self.pdf.render_batch(datas)

    def render_png(self, data: LabelData) -> bytes:
        return self.png.render(data)

    def render_image(self, data: LabelData) -> Image.Image:
        return self.png.render_image(data)

    def render_zpl(self, data: LabelData) -> str:
        return self.zpl.render(data)


def content_type(fmt: LabelFormat) -> str:
    """The media type to send a ``fmt`` label with."""
    return CONTENT_TYPES[fmt]
