from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.label import (
    LABEL_HEIGHT_MM,
    LABEL_WIDTH_MM,
    Box,
    Code128,
    LabelParty,
    Line,
    QrCode,
    Text,
    estimate_text_width_mm,
    label_texts,
    layout_label,
    wrap_text,
)
from parcelguard.errors import ErrorCode, ValidationError
from tests.unit.render.conftest import make_label

LONG_ADDRESS = "广东省深圳市南山区粤海街道科技园南区高新南七道**号深圳软件产业基地*栋*座****室"


def _inside_label(x: float, y: float) -> bool:
    return 0 <= x <= LABEL_WIDTH_MM and 0 <= y <= LABEL_HEIGHT_MM


def test_every_element_lies_on_the_100_by_150_mm_label() -> None:
    layout = layout_label(make_label(recipient=LabelParty("欧阳*", "186******09", LONG_ADDRESS)))

    assert (layout.width_mm, layout.height_mm) == (100, 150)
    for element in layout.elements:
        if isinstance(element, Text | QrCode | Code128 | Box):
            assert _inside_label(element.x, element.y), element
        if isinstance(element, Code128 | Box):
            assert _inside_label(element.x + element.width, element.y + element.height), element
        if isinstance(element, QrCode):
            assert _inside_label(element.x + element.size, element.y + element.size)
        if isinstance(element, Line):
            assert _inside_label(element.x1, element.y1) and _inside_label(element.x2, element.y2)


def test_the_label_carries_one_code128_of_the_tracking_number_and_one_qr_of_the_token() -> None:
    data = make_label()
    elements = layout_label(data).elements

    assert [e.value for e in elements if isinstance(e, Code128)] == [data.tracking_number]
    assert [e.payload for e in elements if isinstance(e, QrCode)] == [data.qr_payload]


def test_the_qr_code_sits_in_the_bottom_right_quarter() -> None:
    (qr,) = [e for e in layout_label(make_label()).elements if isinstance(e, QrCode)]

    assert qr.x > LABEL_WIDTH_MM / 2 and qr.y > LABEL_HEIGHT_MM * 0.7


def test_label_texts_cover_every_string_the_layout_draws() -> None:
    data = make_label(recipient=LabelParty("欧阳*", "186******09", LONG_ADDRESS))
    texts = label_texts(data)

    for element in layout_label(data).elements:
        if isinstance(element, Text):
            assert any(element.text in text for text in texts), element.text


def test_label_texts_list_the_masked_parties_and_a_wrapped_address_whole() -> None:
    data = make_label(recipient=LabelParty("欧阳*", "186******09", LONG_ADDRESS))
    texts = label_texts(data)

    assert LONG_ADDRESS in texts
    assert any("欧阳*" in text and "186******09" in text for text in texts)
    assert data.sender.address in texts


def test_a_long_address_wraps_onto_several_lines_without_losing_characters() -> None:
    data = make_label(recipient=LabelParty("欧阳*", "186******09", LONG_ADDRESS))
    lines = [e.text for e in layout_label(data).elements if isinstance(e, Text) and e.text in LONG_ADDRESS]

    assert len(lines) >= 2
    assert "".join(lines) == LONG_ADDRESS


def test_the_background_is_the_same_object_for_every_label_so_renderers_can_cache_it() -> None:
    first = layout_label(make_label())
    second = layout_label(make_label(tracking_number="PG9999999999999"))

    assert first.background is second.background


@given(
    st.text(alphabet="北京市朝阳区建国路号*0123456789 ABC-", min_size=0, max_size=80),
    st.sampled_from([8.0, 10.0, 12.0]),
)
def test_wrapping_keeps_every_visible_character_and_each_line_within_the_width(
    text: str, size: float
) -> None:
    width = 60.0
    lines = wrap_text(text, size, width)

    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert len(line) == 1 or estimate_text_width_mm(line, size) <= width + 1e-9


@pytest.mark.parametrize("tracking_number", ["", "PG123\n456", "运单1234567890", "P" * 31])
def test_a_tracking_number_code128_cannot_carry_is_refused(tracking_number: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make_label(tracking_number=tracking_number)

    assert caught.value.code is ErrorCode.INVALID_TRACKING_NUMBER
    assert caught.value.field == "tracking_number"


def test_a_qr_payload_longer_than_60_characters_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        make_label(qr_payload="PGT1" + "A" * 57)

    assert caught.value.field == "qr_payload"


@pytest.mark.parametrize("weight", [-0.1, float("nan"), float("inf")])
def test_a_weight_that_is_not_a_real_number_of_kilograms_is_refused(weight: float) -> None:
    with pytest.raises(ValidationError) as caught:
        make_label(weight_kg=weight)

    assert caught.value.code is ErrorCode.INVALID_PARCEL


def test_validation_messages_never_repeat_the_value_they_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        make_label(tracking_number="运单13800138000")

    assert "13800138000" not in str(caught.value)


def test_a_diagonal_line_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="horizontal or vertical"):
        Line(0, 0, 10, 10)
