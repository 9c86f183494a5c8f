from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from parcelguard.adapters.render import LabelRenderer
from parcelguard.adapters.render import pdf as pdf_module
from parcelguard.domain.label import LabelData, LabelParty
from parcelguard.errors import LabelComplianceError
from tests.unit.render.conftest import make_label

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm", "pdfinfo", "pdffonts")),
    reason="poppler-utils is not installed",
)


def write_pdf(tmp_path: Path, pdf: bytes) -> Path:
    path = tmp_path / "labels.pdf"
    path.write_bytes(pdf)
    return path


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdfinfo(path: Path) -> str:
    return subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout


def test_pdftotext_finds_the_masked_recipient_and_the_tracking_number(
    tmp_path: Path, renderer: LabelRenderer, label: LabelData
) -> None:
    text = pdftotext(write_pdf(tmp_path, renderer.render_label(label, "pdf")))

    for expected in ("张*", "138******78", "北京市朝阳区建国路**号****", "PG1234567890123", "李*明"):
        assert expected in text
    assert "隐私面单" in text


def test_the_pdf_is_one_100_by_150_mm_page_with_the_cjk_font_embedded(
    tmp_path: Path, renderer: LabelRenderer, label: LabelData
) -> None:
    path = write_pdf(tmp_path, renderer.render_pdf(label))
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout

    assert re.search(r"Pages:\s+1\n", pdfinfo(path))
    assert re.search(r"Page size:\s+283\.46\d* x 425\.19\d* pts", pdfinfo(path))
    cjk = next(line for line in fonts.splitlines() if "DroidSansFallback" in line)
    assert cjk.split()[-5:-2] == ["yes", "yes", "yes"]  # embedded, subset, with a ToUnicode map


def test_a_reader_decodes_both_barcodes_from_the_pdf_rasterised_at_203_dpi(
    tmp_path: Path, renderer: LabelRenderer, label: LabelData
) -> None:
    path = write_pdf(tmp_path, renderer.render_pdf(label))
    subprocess.run(
        ["pdftoppm", "-r", "203", "-gray", "-png", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
    )
    page = Image.open(tmp_path / "page.png")

    found = {r.format: r.text for r in zxingcpp.read_barcodes(page)}

    assert abs(page.size[0] - 799) <= 1 and abs(page.size[1] - 1199) <= 1
    assert found[zxingcpp.BarcodeFormat.Code128] == label.tracking_number
    assert found[zxingcpp.BarcodeFormat.QRCode] == label.qr_payload


def test_a_batch_is_one_pdf_with_a_page_per_label(tmp_path: Path, renderer: LabelRenderer) -> None:
    labels = [make_label(tracking_number=f"PG{n:013d}") for n in range(7)]

    path = write_pdf(tmp_path, renderer.render_pdf_batch(labels))

    assert re.search(r"Pages:\s+7\n", pdfinfo(path))
    text = pdftotext(path)
    assert all(label.tracking_number in text for label in labels)


def test_a_batch_with_one_unmasked_label_renders_nothing(
    monkeypatch: pytest.MonkeyPatch, renderer: LabelRenderer
) -> None:
    def must_not_lay_out(data: LabelData) -> None:
        raise AssertionError("a page was drawn although the batch holds a rejected label")

    monkeypatch.setattr(pdf_module, "layout_label", must_not_lay_out)
    unmasked = make_label(recipient=LabelParty("张*", "13812345678", "北京市朝阳区建国路**号****"))
    batch = [make_label(), make_label(), unmasked]

    with pytest.raises(LabelComplianceError) as caught:
        renderer.render_pdf_batch(batch)

    assert caught.value.field == "recipient.phone"


def test_the_gate_rejects_an_address_with_a_full_phone_number_in_it(renderer: LabelRenderer) -> None:
    leaky = make_label(recipient=LabelParty("张*", "138******78", "北京市朝阳区 联系13812345678"))

    with pytest.raises(LabelComplianceError) as caught:
        renderer.render_label(leaky, "pdf")

    assert caught.value.field == "recipient.address"


def test_the_same_label_renders_to_the_same_bytes(renderer: LabelRenderer, label: LabelData) -> None:
    """No timestamps or random ids: a reprint is byte-identical, and caches and tests can rely on it."""
    assert renderer.render_pdf(label) == renderer.render_pdf(label)
