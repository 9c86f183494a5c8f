"""What a privacy e-waybill shows, and where, independent of the output format.

A label is laid out once, in millimetres on the standard 100 x 150 mm thermal e-waybill, and every renderer
(PDF, PNG, ZPL) only draws that layout. Keeping the arrangement here means the three formats cannot drift
apart, and the compliance gate can reason about exactly the strings a label will carry without knowing how
they are drawn.

Every personal field in `LabelData` arrives already masked: this module never sees a full name, phone or
address, and the renderers refuse to draw anything the `LabelGate` has not passed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Literal, Protocol

from parcelguard.errors import ErrorCode, ValidationError

LABEL_WIDTH_MM = 100.0
LABEL_HEIGHT_MM = 150.0
QR_PAYLOAD_MAX_CHARS = 60
TRACKING_NUMBER_MAX_CHARS = 30
MM_PER_PT = 25.4 / 72.0

PRIVACY_NOTICE = "隐私面单：个人信息已脱敏处理，快递员请扫码联系收件人"
QR_CAPTION = "扫码联系收件人"
RECIPIENT_MARK = "收"
SENDER_MARK = "寄"
DESCRIPTION_PREFIX = "物品："
REMARKS_PREFIX = "备注："
WEIGHT_PREFIX = "重量："
PIECES_PREFIX = "件数："
SIGNATURE_CAPTION = "签收："
ELLIPSIS = "…"
MIN_DETAIL_PT = 8.0
"""The smallest size free text is printed at: legible on a 203 dpi head (22 dots high). Longer text is cut
after two lines and ends with an ellipsis rather than shrinking to an unreadable size."""


@dataclass(frozen=True, slots=True)
class LabelParty:
    """One side of the parcel as printed. Every string is ALREADY MASKED by the caller (e.g. ``张*``)."""

    name: str
    phone: str
    address: str


@dataclass(frozen=True, slots=True)
class LabelData:
    """Everything a label prints. Only what the barcodes need is checked here; masking is the gate's job."""

    carrier_name: str
    tracking_number: str
    routing_code: str
    routing_text: str
    recipient: LabelParty
    sender: LabelParty
    qr_payload: str
    parcel_description: str
    weight_kg: float
    issued_on: date
    remarks: str | None = None
    pieces: int = 1

    def __post_init__(self) -> None:
        if self.pieces < 1:
            raise ValidationError(
                "a parcel has at least one piece", code=ErrorCode.INVALID_PARCEL, field="pieces"
            )
        if not _is_barcode_text(self.tracking_number, TRACKING_NUMBER_MAX_CHARS):
            raise ValidationError(
                f"tracking number must be 1-{TRACKING_NUMBER_MAX_CHARS} printable ASCII characters "
                "so Code 128 can carry it",
                code=ErrorCode.INVALID_TRACKING_NUMBER,
                field="tracking_number",
            )
        if not _is_barcode_text(self.qr_payload, QR_PAYLOAD_MAX_CHARS):
            raise ValidationError(
                f"QR payload must be 1-{QR_PAYLOAD_MAX_CHARS} printable ASCII characters "
                "so the QR code keeps its printed size",
                field="qr_payload",
            )
        if not (math.isfinite(self.weight_kg) and self.weight_kg >= 0):
            raise ValidationError(
                "weight must be a finite number of kilograms, not negative",
                code=ErrorCode.INVALID_PARCEL,
                field="weight_kg",
            )


_PRINTABLE_ASCII = re.compile("[ -~]+")


def _is_barcode_text(value: str, max_chars: int) -> bool:
    return 0 < len(value) <= max_chars and _PRINTABLE_ASCII.fullmatch(value) is not None


class LabelGate(Protocol):
    """Decides whether a label may be printed at all.

    Renderers call it before drawing anything, so a label that would show unmasked personal data fails
    with `parcelguard.errors.LabelComplianceError` instead of reaching paper.
    """

    def __call__(self, data: LabelData, /) -> None: ...


# --- drawing elements: millimetres from the label's top-left corner, y grows downwards -------------------

Align = Literal["left", "center", "right"]


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text. ``y`` is the BASELINE, which PDF, Pillow (anchor ``*s``) and ZPL (^FT) all share.

    ``x`` is the left edge, the centre or the right edge depending on ``align``. When the drawn text would be
    wider than ``max_width`` the renderer shrinks the font, because it alone knows the real glyph widths.
    """

    x: float
    y: float
    size_pt: float
    text: str
    bold: bool = False
    max_width: float | None = None
    align: Align = "left"


@dataclass(frozen=True, slots=True)
class Code128:
    """A Code 128 symbol centred in the ``width`` x ``height`` area whose top-left is (x, y).

    The area includes the quiet zones; the renderer picks a whole number of printer dots per module.
    """

    x: float
    y: float
    width: float
    height: float
    value: str


@dataclass(frozen=True, slots=True)
class QrCode:
    """A QR code in the ``size`` x ``size`` square whose top-left is (x, y), quiet zone included."""

    x: float
    y: float
    size: float
    payload: str


@dataclass(frozen=True, slots=True)
class Line:
    """A horizontal or vertical rule. Thermal printers draw rules as thin filled boxes, so no diagonals."""

    x1: float
    y1: float
    x2: float
    y2: float
    thickness: float = 0.4

    def __post_init__(self) -> None:
        if self.x1 != self.x2 and self.y1 != self.y2:
            raise ValueError("label lines must be horizontal or vertical")


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle outline; the border is drawn inside (x, y, width, height), as ZPL's ^GB does."""

    x: float
    y: float
    width: float
    height: float
    thickness: float = 0.4


Element = Text | Code128 | QrCode | Line | Box


@dataclass(frozen=True, slots=True)
class LabelLayout:
    """Where everything goes. ``background`` is identical on every label (frame, captions, notice), so a
    renderer may draw it once and reuse it; ``foreground`` is what this label's data puts on top."""

    width_mm: float
    height_mm: float
    background: tuple[Element, ...]
    foreground: tuple[Element, ...]

    @property
    def elements(self) -> tuple[Element, ...]:
        """Everything, background first."""
        return self.background + self.foreground


# --- text measurement without fonts ----------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _char_ems(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6


def estimate_text_width_mm(text: str, size_pt: float) -> float:
    """A font-free, slightly generous width estimate: CJK glyphs are one em, everything else 0.6 em.

    The layout must wrap addresses without loading a font (the domain does no I/O), and ZPL printers measure
    text themselves; erring wide means a line wraps early rather than running off the label.
    """
    return _text_ems(text) * size_pt * MM_PER_PT


def _text_ems(text: str) -> float:
    return 0.6 * len(text) if text.isascii() else sum(map(_char_ems, text))


def wrap_text(text: str, size_pt: float, width_mm: float) -> list[str]:
    """Greedy line breaking by character, as Chinese typesetting allows a break between any two characters."""
    max_ems = width_mm / (size_pt * MM_PER_PT)
    if _text_ems(text) <= max_ems:
        return [text.rstrip()]
    lines: list[str] = []
    current: list[str] = []
    ems = 0.0
    for ch in text:
        ch_ems = _char_ems(ch)
        if current and ems + ch_ems > max_ems:
            lines.append("".join(current).rstrip())
            current, ems = ([], 0.0) if ch == " " else ([ch], ch_ems)
        else:
            current.append(ch)
            ems += ch_ems
    last = "".join(current).rstrip()
    if last or not lines:
        lines.append(last)
    return lines


def _fit_lines(
    text: str, width_mm: float, sizes: tuple[float, ...], max_lines: int, *, ellipsis: bool = False
) -> tuple[float, list[str]]:
    """The largest size at which ``text`` wraps into ``max_lines``. At the smallest size, the surplus is
    cut and the last line ends with an ellipsis (``ellipsis``), or else folded into the last line, which
    the renderer then shrinks to ``width_mm`` (text is never dropped: addresses)."""
    for size in sizes:
        lines = wrap_text(text, size, width_mm)
        if len(lines) <= max_lines:
            return size, lines
    size = sizes[-1]
    lines = wrap_text(text, size, width_mm)
    if ellipsis:
        kept, last = lines[: max_lines - 1], lines[max_lines - 1]
        max_ems = width_mm / (size * MM_PER_PT)
        while last and _text_ems(last + ELLIPSIS) > max_ems:
            last = last[:-1]
        return size, [*kept, last.rstrip() + ELLIPSIS]
    lines = lines[: max_lines - 1]
    rest = text
    for line in lines:
        rest = rest[rest.index(line) + len(line) :]
    return size, [*lines, rest.strip()]


def _line_pitch_mm(size_pt: float) -> float:
    return size_pt * MM_PER_PT * 1.25


# --- the strings a label shows -----------------------------------------------------------------------------


def _party_line(party: LabelParty) -> str:
    return f"{party.name}  {party.phone}"


@lru_cache(maxsize=4096)
def format_weight(weight_kg: float) -> str:
    """The weight as given, never rounded away: grams below one kilogram (0.001 -> ``1 g``, 0.25 ->
    ``250 g``), kilograms from one up (999.999 -> ``999.999 kg``). Uses the shortest decimal that reads
    back as the same float, so no binary noise (0.1 + 0.2) is printed."""
    kilograms = Decimal(repr(weight_kg))
    if kilograms < 1:
        return f"{_plain_decimal(kilograms * 1000)} g"
    return f"{_plain_decimal(kilograms)} kg"


def _plain_decimal(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _weight_line(data: LabelData) -> str:
    return f"{WEIGHT_PREFIX}{format_weight(data.weight_kg)}  {PIECES_PREFIX}{data.pieces}"


def label_fields(data: LabelData) -> list[tuple[str, str]]:
    """``(field, text)`` for every piece of label data that is printed as text (captions excluded)."""
    fields = [
        ("carrier_name", data.carrier_name),
        ("routing_code", data.routing_code),
        ("routing_text", data.routing_text),
        ("tracking_number", data.tracking_number),
        ("recipient.name", data.recipient.name),
        ("recipient.phone", data.recipient.phone),
        ("recipient.address", data.recipient.address),
        ("sender.name", data.sender.name),
        ("sender.phone", data.sender.phone),
        ("sender.address", data.sender.address),
        ("parcel.description", data.parcel_description),
    ]
    if data.remarks:
        fields.append(("remarks", data.remarks))
    return fields


def label_texts(data: LabelData) -> list[str]:
    """Every human-readable string the label will show, unwrapped and uncut, for the glyph check.

    A wrapped address appears here whole, so a check for long digit runs cannot be dodged by a line break;
    a description cut with an ellipsis appears whole too.
    """
    texts = [
        data.carrier_name,
        data.issued_on.isoformat(),
        data.routing_code,
        data.routing_text,
        data.tracking_number,
        RECIPIENT_MARK,
        _party_line(data.recipient),
        data.recipient.address,
        SENDER_MARK,
        _party_line(data.sender),
        data.sender.address,
        DESCRIPTION_PREFIX + data.parcel_description,
    ]
    if data.remarks:
        texts.append(REMARKS_PREFIX + data.remarks)
    return [*texts, _weight_line(data), SIGNATURE_CAPTION, QR_CAPTION, PRIVACY_NOTICE, ELLIPSIS]


# --- the arrangement ---------------------------------------------------------------------------------------

_MARGIN = 4.0
_RIGHT = LABEL_WIDTH_MM - _MARGIN
_CONTENT_WIDTH = _RIGHT - _MARGIN
_RULE = 0.4

# horizontal rules that split the label into bands (y in mm)
_HEADER_BOTTOM = 12.0
_ROUTING_BOTTOM = 34.0
_BARCODE_BOTTOM = 63.0
_RECIPIENT_BOTTOM = 92.0
_SENDER_BOTTOM = 112.0
_NOTICE_TOP = 142.0

_MARK_SIZE = 9.0  # side of the 收 / 寄 boxes
_PARTY_X = _MARGIN + _MARK_SIZE + 2.5
_PARTY_WIDTH = _RIGHT - _PARTY_X

_QR_SIZE = 24.0
_QR_X = _RIGHT - _QR_SIZE
_QR_Y = _SENDER_BOTTOM + 1.0
_DETAILS_WIDTH = _QR_X - 2.0 - _MARGIN


def _background() -> tuple[Element, ...]:
    rules = (_HEADER_BOTTOM, _ROUTING_BOTTOM, _BARCODE_BOTTOM, _RECIPIENT_BOTTOM, _SENDER_BOTTOM, _NOTICE_TOP)
    frame: list[Element] = [Box(1.5, 1.5, LABEL_WIDTH_MM - 3.0, LABEL_HEIGHT_MM - 3.0, thickness=0.5)]
    frame += [Line(1.5, y, LABEL_WIDTH_MM - 1.5, y, _RULE) for y in rules]
    frame += [
        Box(_MARGIN, _BARCODE_BOTTOM + 3.0, _MARK_SIZE, _MARK_SIZE, thickness=0.5),
        Text(_MARGIN + _MARK_SIZE / 2, _BARCODE_BOTTOM + 10.3, 18, RECIPIENT_MARK, bold=True, align="center"),
        Box(_MARGIN, _RECIPIENT_BOTTOM + 3.0, _MARK_SIZE, _MARK_SIZE, thickness=0.5),
        Text(_MARGIN + _MARK_SIZE / 2, _RECIPIENT_BOTTOM + 10.3, 18, SENDER_MARK, bold=True, align="center"),
        Text(_MARGIN, _SENDER_BOTTOM + 25.5, 10, SIGNATURE_CAPTION),
        Line(_MARGIN + 10.0, _SENDER_BOTTOM + 26.5, _QR_X - 4.0, _SENDER_BOTTOM + 26.5, 0.3),
        Text(_QR_X + _QR_SIZE / 2, _NOTICE_TOP - 1.2, 8, QR_CAPTION, align="center", max_width=_QR_SIZE + 2),
        Text(
            LABEL_WIDTH_MM / 2,
            _NOTICE_TOP + 5.3,
            8.5,
            PRIVACY_NOTICE,
            align="center",
            max_width=_CONTENT_WIDTH,
        ),
    ]
    return tuple(frame)


_BACKGROUND = _background()


def _party_block(
    party: LabelParty, top: float, heading_pt: float, address_sizes: tuple[float, ...], max_lines: int
) -> list[Element]:
    heading_y = top + 7.0
    elements: list[Element] = [
        Text(_PARTY_X, heading_y, heading_pt, _party_line(party), bold=True, max_width=_PARTY_WIDTH)
    ]
    size, lines = _fit_lines(party.address, _PARTY_WIDTH, address_sizes, max_lines)
    pitch = _line_pitch_mm(size)
    for i, line in enumerate(lines):
        elements.append(Text(_PARTY_X, heading_y + (i + 1) * pitch, size, line, max_width=_PARTY_WIDTH))
    return elements


def layout_label(data: LabelData) -> LabelLayout:
    """Position every element of a privacy e-waybill, so each output format draws the same label.

    The order follows the usual Chinese e-waybill: carrier and date, the big sorting code couriers read
    from a distance, the tracking barcode, recipient then sender (names and phones masked), parcel details,
    and the QR code through which a courier reaches the recipient without ever seeing the number.
    """
    elements: list[Element] = [
        Text(_MARGIN, 8.6, 13, data.carrier_name, bold=True, max_width=60.0),
        Text(_RIGHT, 8.6, 10, data.issued_on.isoformat(), align="right", max_width=30.0),
        Text(_MARGIN, _ROUTING_BOTTOM - 6.5, 40, data.routing_code, bold=True, max_width=50.0),
        Text(_RIGHT, _ROUTING_BOTTOM - 8.0, 18, data.routing_text, bold=True, align="right", max_width=40.0),
        Code128(_MARGIN, _ROUTING_BOTTOM + 2.0, _CONTENT_WIDTH, 18.0, data.tracking_number),
        Text(LABEL_WIDTH_MM / 2, _BARCODE_BOTTOM - 2.6, 14, data.tracking_number, bold=True, align="center"),
    ]
    # sizes and line counts chosen so each block stays inside its band (29 mm and 20 mm high)
    elements += _party_block(data.recipient, _BARCODE_BOTTOM, 16, (12.0, 11.0, 10.0, 9.0), max_lines=3)
    elements += _party_block(data.sender, _RECIPIENT_BOTTOM, 11, (10.0, 9.0, 8.0), max_lines=2)

    elements += _detail_lines(DESCRIPTION_PREFIX + data.parcel_description, _SENDER_BOTTOM + 4.3)
    if data.remarks:
        elements += _detail_lines(REMARKS_PREFIX + data.remarks, _SENDER_BOTTOM + 11.6)
    elements += [
        Text(_MARGIN, _SENDER_BOTTOM + 19.2, 9, _weight_line(data), max_width=_DETAILS_WIDTH),
        QrCode(_QR_X, _QR_Y, _QR_SIZE, data.qr_payload),
    ]
    return LabelLayout(LABEL_WIDTH_MM, LABEL_HEIGHT_MM, _BACKGROUND, tuple(elements))


def _detail_lines(text: str, first_baseline: float) -> list[Element]:
    """Free text in the details band: at most two lines, never below MIN_DETAIL_PT, cut with an ellipsis."""
    size, lines = _fit_lines(text, _DETAILS_WIDTH, (9.0, 8.5, MIN_DETAIL_PT), max_lines=2, ellipsis=True)
    pitch = _line_pitch_mm(size)
    return [
        Text(_MARGIN, first_baseline + i * pitch, size, line, max_width=_DETAILS_WIDTH)
        for i, line in enumerate(lines)
    ]
