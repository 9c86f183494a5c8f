"""The details band (issue 7, Labels): long free text, weights as given, remarks and the piece count."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.adapters.render import LabelRenderer
from parcelguard.domain.label import (
    DESCRIPTION_PREFIX,
    ELLIPSIS,
    MIN_DETAIL_PT,
    REMARKS_PREFIX,
    Text,
    estimate_text_width_mm,
    format_weight,
    layout_label,
)
from tests.unit.render.conftest import make_label, strict_test_gate

LONG = ("进口零食大礼包含坚果果干饼干巧克力糖果饮料冲剂等共计二十余种请轻拿轻放注意防潮防压谢谢配合" * 5)[
    :200
]


def detail_lines(prefix: str, **overrides: object) -> list[Text]:
    layout = layout_label(make_label(**overrides))
    texts = [e for e in layout.foreground if isinstance(e, Text)]
    start = next(i for i, t in enumerate(texts) if t.text.startswith(prefix))
    lines = [texts[start]]
    for text in texts[start + 1 :]:
        if text.size_pt != lines[0].size_pt or text.text.startswith(("备注", "重量")):
            break
        lines.append(text)
    return lines


def test_a_200_character_description_wraps_to_two_legible_lines_ending_with_an_ellipsis() -> None:
    lines = detail_lines(DESCRIPTION_PREFIX, parcel_description=LONG)

    assert len(lines) == 2
    assert all(line.size_pt >= MIN_DETAIL_PT for line in lines)
    assert lines[-1].text.endswith(ELLIPSIS)
    # the layout's (generous) width estimate fits, so no renderer needs to shrink the line
    assert all(estimate_text_width_mm(line.text, line.size_pt) <= (line.max_width or 0) for line in lines)
    assert LONG.startswith((lines[0].text + lines[1].text)[len(DESCRIPTION_PREFIX) : -1])


@given(st.text(alphabet="物品测试ABC123 ，。", min_size=1, max_size=200))
def test_any_description_takes_at_most_two_lines_at_a_legible_size(description: str) -> None:
    lines = detail_lines(DESCRIPTION_PREFIX, parcel_description=description)

    assert 1 <= len(lines) <= 2 and all(line.size_pt >= MIN_DETAIL_PT for line in lines)


def test_a_short_description_is_printed_whole_without_an_ellipsis() -> None:
    (line,) = detail_lines(DESCRIPTION_PREFIX, parcel_description="图书")

    assert line.text == DESCRIPTION_PREFIX + "图书"


def test_the_zpl_carries_the_same_cut_lines_as_the_layout_not_a_silently_clipped_field() -> None:
    zpl = LabelRenderer(strict_test_gate).render_zpl(make_label(parcel_description=LONG))

    for line in detail_lines(DESCRIPTION_PREFIX, parcel_description=LONG):
        assert f"^FD{line.text}^FS" in zpl


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_the_pdf_prints_the_same_two_lines_with_the_ellipsis(tmp_path: Path) -> None:
    path = tmp_path / "label.pdf"
    path.write_bytes(LabelRenderer(strict_test_gate).render_pdf(make_label(parcel_description=LONG)))

    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout

    for line in detail_lines(DESCRIPTION_PREFIX, parcel_description=LONG):
        assert line.text in text.replace(" ", "")


@pytest.mark.parametrize(
    ("weight_kg", "printed"),
    [
        (999.999, "999.999 kg"),
        (0.001, "1 g"),
        (0.25, "250 g"),
        (1.25, "1.25 kg"),
        (1000.0, "1000 kg"),
        (1, "1 kg"),
    ],
)
def test_the_weight_is_printed_as_given_in_grams_below_one_kilogram(weight_kg: float, printed: str) -> None:
    assert format_weight(weight_kg) == printed
    zpl = LabelRenderer(strict_test_gate).render_zpl(make_label(weight_kg=weight_kg))
    assert f"重量：{printed}" in zpl


def test_the_masked_remarks_and_the_piece_count_are_printed() -> None:
    lines = detail_lines(REMARKS_PREFIX, remarks="到了放门口，电话139******78")
    zpl = LabelRenderer(strict_test_gate).render_zpl(make_label(remarks="到了放门口，电话139******78"))

    assert lines[0].text == REMARKS_PREFIX + "到了放门口，电话139******78"
    assert "件数：1" in zpl


def test_a_label_without_remarks_prints_no_remarks_line() -> None:
    texts = [e.text for e in layout_label(make_label()).foreground if isinstance(e, Text)]

    assert not any(text.startswith(REMARKS_PREFIX) for text in texts)
