from __future__ import annotations

import re

import pytest

from parcelguard.adapters.render import LabelRenderer
from parcelguard.adapters.render.zpl import ZplLabelRenderer, escape_field
from parcelguard.domain.label import LabelData, LabelParty
from parcelguard.errors import LabelComplianceError
from tests.unit.render.conftest import make_label, strict_test_gate


def test_a_zpl_label_is_one_format_from_xa_to_xz_in_utf8_at_799_by_1199_dots(
    renderer: LabelRenderer, label: LabelData
) -> None:
    zpl = renderer.render_zpl(label)

    assert zpl.startswith("^XA")
    assert zpl.rstrip().endswith("^XZ")
    assert zpl.count("^XA") == zpl.count("^XZ") == 1
    assert "^CI28" in zpl and "^PW799" in zpl and "^LL1199" in zpl


def test_the_tracking_number_is_a_code128_field_without_the_printers_own_text_line(
    renderer: LabelRenderer, label: LabelData
) -> None:
    zpl = renderer.render_zpl(label)

    assert re.search(r"\^BY[2-3]\^BCN,\d+,N,N,N,A\^FH_\^FDPG1234567890123\^FS", zpl)
    after_barcode = zpl.split("^BC", 1)[1].split("\n", 1)[1]
    assert "^FDPG1234567890123^FS" in after_barcode  # the layout prints the number as text itself


def test_the_token_is_a_qr_field_in_manual_alphanumeric_mode(
    renderer: LabelRenderer, label: LabelData
) -> None:
    zpl = renderer.render_zpl(label)

    assert f"^BQN,2,4,Q,7^FDQM,A{label.qr_payload}^FS" in zpl


def test_a_token_outside_the_qr_alphanumeric_set_falls_back_to_automatic_input() -> None:
    zpl = ZplLabelRenderer(strict_test_gate).render(make_label(qr_payload="pgt1_abc"))

    assert "^FH_^FDQA,pgt1_5Fabc^FS" in zpl


def test_caret_tilde_and_underscore_in_field_data_are_hex_escaped(renderer: LabelRenderer) -> None:
    data = make_label(recipient=LabelParty("张^*", "138******78", "北京市~XA朝阳区_建国路**号****"))

    zpl = renderer.render_zpl(data)

    assert "张_5E*" in zpl
    assert "北京市_7EXA朝阳区_5F建国路**号****" in zpl
    assert zpl.count("^XA") == 1 and "~XA" not in zpl


def test_escaping_covers_control_characters_too() -> None:
    assert escape_field("a\nb\x1fc") == "a_0Ab_1Fc"


def test_chinese_text_uses_the_configured_printer_font_and_ascii_the_builtin_one() -> None:
    zpl = ZplLabelRenderer(strict_test_gate, cjk_font="E:SIMSUN.TTF").render(make_label())

    assert "^A@N,45,45,E:SIMSUN.TTF^FH_^FD张*  138******78^FS" in zpl
    assert re.search(r"\^A0N,\d+,\d+\^FH_\^FDParcelGuard Express\^FS", zpl)


def test_the_frame_is_drawn_with_graphic_boxes(renderer: LabelRenderer, label: LabelData) -> None:
    assert len(re.findall(r"\^GB\d+,\d+,\d+\^FS", renderer.render_zpl(label))) >= 8


def test_the_gate_rejects_an_unmasked_phone_and_no_zpl_is_produced(renderer: LabelRenderer) -> None:
    unmasked = make_label(sender=LabelParty("李*", "13912345621", "上海市**"))

    with pytest.raises(LabelComplianceError):
        renderer.render_label(unmasked, "zpl")
