"""One phone recogniser: what order intake accepts, the detector finds and the label gate refuses."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.domain.deid import Detector, EntityType
from parcelguard.domain.pii.fold import fold
from parcelguard.domain.pii.label_lint import check_label_text
from parcelguard.domain.pii.landline import Landline
from parcelguard.domain.pii.mobile import Mobile
from parcelguard.domain.pii.phone_recognizer import phone_leaks, scan_phones
from tests.unit.pii.strategies import (
    landline_numbers,
    landline_spellings,
    mobile_digits,
    mobile_spellings,
)

_DETECTOR = Detector()
# No 门: "天门" is a city, and a city before a number is rightly an address to the gate.
_FILLER = st.text(alphabet="您好请明天下午送到口谢谢，。！？ 、", max_size=8)


def _phones(text: str) -> list[str]:
    return [text[e.start : e.end] for e in _DETECTOR.detect(text) if e.type is EntityType.PHONE]


def _leaks(text: str) -> list[tuple[int, int, str]]:
    folded = fold(text)
    return [(*folded.span(start, end), rule) for start, end, rule in phone_leaks(folded.text)]


# --- the examples -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("手机号：1三8〇〇1三8〇〇〇", "1三8〇〇1三8〇〇〇"),
        ("手机：壹叁捌零零壹叁捌零零零", "壹叁捌零零壹叁捌零零零"),
        ("电话：138.0013.8000", "138.0013.8000"),
        ("我的电话是138_0013_8000", "138_0013_8000"),
        ("幺三八 零零幺三 八零零零", "幺三八 零零幺三 八零零零"),
        ("电话+86 15459045440", "+86 15459045440"),
        ("描述：(138)0013-8000", "(138)0013-8000"),
        ("電話：壹參捌零零壹參捌零零零", "壹參捌零零壹參捌零零零"),
    ],
)
def test_each_reported_spelling_is_one_phone(text: str, number: str) -> None:
    assert _phones(text) == [number]


@pytest.mark.parametrize(
    "raw", ["138.0013.8000", "(138)0013-8000", "１３８．００１３．８０００", "幺三八 零零幺三 八零零零"]
)
def test_order_intake_accepts_the_same_spellings(raw: str) -> None:
    assert Mobile.parse(raw).value == "13800138000"


@pytest.mark.parametrize(
    "text", ["描述：138.0013.8000", "给(138)0013-8000回电", "手机：壹叁捌零零壹叁捌零零零", "138_0013_8000"]
)
def test_the_label_gate_refuses_them(text: str) -> None:
    assert [rule for _, _, rule in _leaks(text)] == ["mobile_unmasked"]


@pytest.mark.parametrize(
    "text",
    [
        "PG8613231614636",
        "PG0086132316146",
        "运单号PG8613231614636",
        "SF1234567890123",
        "客服热线400-820-8820",
        "95338",
        "800-810-8888",
        "2层蛋糕 5#电池 3楼模型",
        "重量1.38kg",
        "2026-11-30 13:45",
    ],
)
def test_the_label_gate_does_not_read_codes_and_service_numbers_as_phones(text: str) -> None:
    assert _leaks(text) == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("138******34", None),
        ("138****1234", "mobile_undermasked"),
        ("1381234****", "mobile_undermasked"),
        ("***********", None),
        ("010-******78", None),
        ("010-6234**78", "landline_undermasked"),
        ("0755-88888888", "landline_unmasked"),
        ("138●●●●●●34", None),
        ("138××××××34", None),
    ],
)
def test_the_gate_counts_hidden_digits(text: str, rule: str | None) -> None:
    assert [r for _, _, r in _leaks(text)] == ([] if rule is None else [rule])


def test_a_bracket_that_closes_after_the_number_is_not_part_of_it() -> None:
    assert _phones("联系杨莉 (+86 172 7329 8386), 谢谢") == ["+86 172 7329 8386"]
    assert _phones("收件人严磊志（0086-13235959145）") == ["0086-13235959145"]
    assert _phones("电话(+86)13800138000") == ["(+86)13800138000"]


def test_scan_reports_kind_digits_and_country_code() -> None:
    (mobile, landline) = scan_phones(fold("电话+86 138-0013-8000 或 (0755)8888 8888").text)
    assert (mobile.kind, mobile.digits, mobile.country_code) == ("mobile", "13800138000", True)
    assert (landline.kind, landline.digits, landline.area_code) == ("landline", "075588888888", "0755")


# --- properties: the parser's whole input space ----------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(digits=mobile_digits, data=st.data(), before=_FILLER, after=_FILLER)
def test_every_mobile_spelling_intake_accepts_is_found_refused_and_its_mask_passes(
    digits: str, data: st.DataObject, before: str, after: str
) -> None:
    spelled = data.draw(mobile_spellings(digits))
    assert Mobile.parse(spelled).value == digits
    text = f"{before}手机{spelled}{after}"
    start = len(before) + 2
    hits = [(e.start, e.end) for e in _DETECTOR.detect(text) if e.type is EntityType.PHONE]
    assert hits == [(start, start + len(spelled))], (text, hits)
    leaks = _leaks(f"{before}{spelled}{after}")
    assert [rule for _, _, rule in leaks] == ["mobile_unmasked"], (spelled, leaks)
    assert _leaks(f"{before}{Mobile.parse(spelled).masked()}{after}") == []
    # The label gate itself (label_lint reads phones through phone_leaks).
    gate = check_label_text(f"{before}{spelled}{after}")
    assert ("mobile_unmasked", *leaks[0][:2]) in [(v.rule, v.start, v.end) for v in gate]
    assert check_label_text(f"{before}{Mobile.parse(spelled).masked()}{after}") == []


@settings(max_examples=300, deadline=None)
@given(number=landline_numbers(), data=st.data(), before=_FILLER, after=_FILLER)
def test_every_landline_spelling_intake_accepts_is_found_refused_and_its_mask_passes(
    number: tuple[str, str], data: st.DataObject, before: str, after: str
) -> None:
    area, local = number
    spelled = data.draw(landline_spellings(area, local))
    line = Landline.parse(spelled)
    assert (line.area_code, line.local_number) == (area, local)
    text = f"{before}座机{spelled}{after}"
    start = len(before) + 2
    hits = [(e.start, e.end) for e in _DETECTOR.detect(text) if e.type is EntityType.PHONE]
    assert hits == [(start, start + len(spelled))], (text, hits)
    assert [rule for _, _, rule in _leaks(f"{before}{spelled}{after}")] == ["landline_unmasked"]
    assert _leaks(f"{before}{line.masked()}{after}") == []
    assert "landline_unmasked" in [v.rule for v in check_label_text(f"{before}{spelled}{after}")]
    assert check_label_text(f"{before}{line.masked()}{after}") == []


@settings(max_examples=200, deadline=None)
@given(
    letters=st.sampled_from(["PG", "SF", "YT", "JT", "ZTO", "STO", "YD", "JDVA", "EA", "DPK", "KYE"]),
    digits=st.from_regex(r"[0-9]{10,15}", fullmatch=True),
)
def test_a_number_glued_to_code_letters_is_never_a_phone_to_the_gate(letters: str, digits: str) -> None:
    assert _leaks(letters + digits) == []


# -- any separator between a mobile's digit groups (issue 6 review) -------------------------------------

_OTHER_SEPARATORS = [
    "~",
    "～",
    ",",
    "，",
    "、",
    ":",
    ";",
    "|",
    "*",
    "+",
    "#",
    "=",
    "'",
    "\\",
    "\n",
    "    ",
    "○",
]


@pytest.mark.parametrize("sep", _OTHER_SEPARATORS)
def test_a_mobile_whose_groups_any_separator_joins_is_one_phone_and_refused(sep: str) -> None:
    number = f"1391{sep}234{sep}5678"
    text = f"电话{number}"
    assert [(text[e.start : e.end], e.type) for e in _DETECTOR.detect(text)] == [(number, EntityType.PHONE)]
    assert "mobile_unmasked" in [v.rule for v in check_label_text(text)]


@settings(max_examples=150)
@given(
    st.sampled_from(["3-4-4", "4-3-4", "3-8", "4-4-3"]),
    # ○ is left out: a run of them is zeros (138○○138○○○), one alone between groups a separator.
    st.text(alphabet="~,，、:;|*+#='\\\n !?%&^$@", min_size=1, max_size=4),
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
)
def test_every_mobile_with_up_to_four_symbols_between_its_groups_is_found(
    grouping: str, gap: str, digits: str
) -> None:
    sizes = [int(n) for n in grouping.split("-")]
    cuts = [sum(sizes[:i]) for i in range(len(sizes) + 1)]
    number = gap.join(digits[a:b] for a, b in itertools.pairwise(cuts))
    folded = fold(f"联系人 {number} 谢谢").text
    assert [p.digits for p in scan_phones(folded) if p.kind == "mobile"] == [digits], repr(number)
    assert [rule for _, _, rule in phone_leaks(folded)] == ["mobile_unmasked"]


@pytest.mark.parametrize(
    "text",
    [
        "139******78",
        "收件人 139******78 尾号78",
        "合计13,912,345,678元",
        "1,395,678,901,234",
        "价格13|45|67|89|01",
    ],
)
def test_masked_numbers_and_amounts_are_not_read_across_symbols(text: str) -> None:
    folded = fold(text).text
    assert [p for p in scan_phones(folded) if p.kind == "mobile"] == []
    assert phone_leaks(folded) == []
