from __future__ import annotations

import io

import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from parcelguard.adapters.render import LabelRenderer
from parcelguard.adapters.render import png as png_module
from parcelguard.domain.label import LabelData, LabelParty
from parcelguard.errors import LabelComplianceError
from tests.unit.render.conftest import make_label, strict_test_gate

TRACKING_NUMBERS = st.from_regex(r"[A-Z]{2}[0-9]{13}", fullmatch=True)
TOKENS = st.from_regex(r"PGT1[A-Z2-7]{1,56}", fullmatch=True)


def decode(image: Image.Image) -> dict[str, str]:
    """Format name -> text of every barcode a real reader finds in ``image``."""
    found = zxingcpp.read_barcodes(image.convert("L"))
    return {
        "code128": next(r.text for r in found if r.format == zxingcpp.BarcodeFormat.Code128),
        "qr": next(r.text for r in found if r.format == zxingcpp.BarcodeFormat.QRCode),
    }


def render_png(renderer: LabelRenderer, data: LabelData) -> Image.Image:
    image = Image.open(io.BytesIO(renderer.render_label(data, "png")))
    image.load()
    return image


def test_a_png_label_is_a_1_bit_203_dpi_image_of_100_by_150_mm(
    renderer: LabelRenderer, label: LabelData
) -> None:
    image = render_png(renderer, label)

    assert image.format == "PNG"
    assert image.mode == "1"
    assert image.size == (799, 1199)
    assert [round(d) for d in image.info["dpi"]] == [203, 203]


def test_a_reader_gets_the_tracking_number_and_the_exact_token_back_from_the_png(
    renderer: LabelRenderer, label: LabelData
) -> None:
    decoded = decode(render_png(renderer, label))

    assert decoded == {"code128": label.tracking_number, "qr": label.qr_payload}


def test_the_png_is_mostly_white_with_black_print(renderer: LabelRenderer, label: LabelData) -> None:
    histogram = render_png(renderer, label).convert("L").histogram()
    black, white = histogram[0], histogram[255]

    assert black + white == 799 * 1199
    assert 0.05 < black / (black + white) < 0.4


def test_chinese_text_is_drawn_with_glyphs_not_left_blank(renderer: LabelRenderer) -> None:
    """The CJK font draws real glyphs: a longer masked address leaves more ink than a shorter one."""
    short = make_label(recipient=LabelParty("张*", "138******78", "北京市**"))
    long = make_label(recipient=LabelParty("张*", "138******78", "北京市朝阳区建国路甲**号院****"))

    ink_short = render_png(renderer, short).convert("L").histogram()[0]
    ink_long = render_png(renderer, long).convert("L").histogram()[0]

    assert ink_long > ink_short + 500


def test_the_gate_rejects_an_unmasked_phone_before_anything_is_drawn(
    monkeypatch: pytest.MonkeyPatch, renderer: LabelRenderer
) -> None:
    def must_not_lay_out(data: LabelData) -> None:
        raise AssertionError("a label the gate rejected reached the layout")

    monkeypatch.setattr(png_module, "layout_label", must_not_lay_out)
    unmasked = make_label(recipient=LabelParty("张*", "13812345678", "北京市朝阳区建国路**号****"))

    with pytest.raises(LabelComplianceError) as caught:
        renderer.render_label(unmasked, "png")

    assert caught.value.field == "recipient.phone"
    assert "13812345678" not in str(caught.value)


def test_the_gate_rejects_an_unmasked_name(renderer: LabelRenderer) -> None:
    with pytest.raises(LabelComplianceError):
        renderer.render_png(make_label(sender=LabelParty("李明", "139******21", "上海市**")))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tracking_number=TRACKING_NUMBERS, token=TOKENS)
def test_any_tracking_number_and_token_round_trip_through_the_png_and_a_reader(
    tracking_number: str, token: str
) -> None:
    renderer = LabelRenderer(strict_test_gate)
    data = make_label(tracking_number=tracking_number, qr_payload=token)

    assert decode(render_png(renderer, data)) == {"code128": tracking_number, "qr": token}
