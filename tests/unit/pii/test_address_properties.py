"""Properties tying the one address recogniser together: what order intake accepts, the detector finds,
the label gate refuses unmasked, and the gate passes once masked.

The generator covers the parser's input space: every leaf division, its region in every spelling the
parser knows (official names, short forms, without province, city abbreviations, former names), simplified
or traditional characters, full-width digits and spaces, a road with or without a house number and each
household shape (building, unit, floor, room, dash forms).
"""

from __future__ import annotations

import opencc
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from parcelguard.domain.deid import Detector, EntityType
from parcelguard.domain.pii._lexicon import ESTATE_STEMS, ESTATE_TYPES, ROAD_STEMS
from parcelguard.domain.pii.address import Address
from parcelguard.domain.pii.address_grammar import ROAD_WORDS
from parcelguard.domain.pii.address_leaks import address_detail_leaks
from parcelguard.domain.pii.divisions import Division, division_table
from parcelguard.domain.pii.label_lint import check_label_text
from parcelguard.errors import ValidationError

_TABLE = division_table()
_LEAVES = sorted((d for d in _TABLE.leaves() if d.code[:2] not in ("71", "81", "82")), key=lambda d: d.code)
_DETECTOR = Detector()
_TO_TRADITIONAL = opencc.OpenCC("s2t")
_FULLWIDTH = str.maketrans("0123456789 ", "０１２３４５６７８９\u3000")
_ABBREVIATIONS = {"150100": "呼市", "650100": "乌市", "230100": "哈市", "230200": "齐市"}
_FORMER = {"431181": "祁阳县", "110118": "密云县", "654203": "沙湾县", "370116": "莱芜市"}


def _spellings(leaf: Division) -> list[str]:
    lineage = (*_TABLE.ancestors(leaf), leaf)

    def short(d: Division) -> str:
        return d.short_name or d.name

    names = [d.name for d in lineage]
    spellings = [
        "".join(names),
        "".join(names[1:]) or names[0],
        short(lineage[0]) + "".join(names[1:]),
        "".join(short(d) for d in lineage[:-1]) + leaf.name,
    ]
    for code, alias in {**_ABBREVIATIONS, **_FORMER}.items():
        if any(d.code == code for d in lineage):
            at = next(i for i, d in enumerate(lineage) if d.code == code)
            spellings.append("".join(names[:at]) + alias + "".join(names[at + 1 :]))
    return spellings


_CN = "一二三四五六七八九"
_n = st.integers(1, 30)


@st.composite
def households(draw: st.DrawFn) -> str:
    """Every household shape the grammar knows, after an estate name."""
    estate = draw(st.sampled_from(ESTATE_STEMS)) + draw(st.sampled_from(ESTATE_TYPES))
    floor, room = draw(st.integers(1, 33)), draw(st.integers(1, 8))
    shapes = [
        f"{draw(_n)}号楼{draw(st.integers(1, 6))}单元{floor}{room:02d}室",
        f"{draw(_n)}栋{floor}{room:02d}",
        f"{draw(_n)}幢{draw(st.integers(1, 4))}单元{floor}层{room:02d}室",
        f"{draw(st.sampled_from('ABCD'))}座{floor}{room:02d}室",
        f"{draw(_n)}-{draw(st.integers(1, 6))}-{floor}{room:02d}",
        f"{draw(_n)}-{floor}{room:02d}",
        f"{draw(st.sampled_from(_CN))}号楼{draw(st.sampled_from(_CN))}单元{floor}{room:02d}",
        f"{draw(_n)}#楼{floor}{room:02d}房",
        f"{draw(_n)}栋{floor}楼{room:02d}户",
    ]
    return estate + draw(st.sampled_from(shapes))


@st.composite
def addresses(draw: st.DrawFn) -> str:
    leaf = draw(st.sampled_from(_LEAVES))
    region = draw(st.sampled_from(_spellings(leaf)))
    road = draw(st.sampled_from(ROAD_STEMS)) + draw(st.sampled_from(["", "东", "西", "南", "北", "中"]))
    road += draw(st.sampled_from((*ROAD_WORDS, "街")))
    number = draw(
        st.sampled_from(["", f"{draw(st.integers(1, 999))}号", f"{draw(st.integers(1, 300))}弄2号"])
    )
    text = region + road + number + draw(households())
    if draw(st.booleans()):
        text = _TO_TRADITIONAL.convert(text)
    if draw(st.integers(0, 4)) == 0:
        text = text.translate(_FULLWIDTH)
    return text


def _parsed(raw: str) -> Address:
    try:
        return Address.parse(raw)
    except ValidationError:
        assume(False)
        raise


_BEFORE = st.sampled_from(["寄到", "收货地址：", "麻烦送到", "我住在", "", "您好，地址是"])
_AFTER = st.sampled_from(["，谢谢", "。", " 电话见上", "", "，放门口"])


@settings(max_examples=300, deadline=None)
@given(raw=addresses(), before=_BEFORE, after=_AFTER)
def test_every_accepted_address_is_found_whole_by_the_detector_inside_a_sentence(
    raw: str, before: str, after: str
) -> None:
    _parsed(raw)
    text = before + raw + after
    spans = [(e.start, e.end) for e in _DETECTOR.detect(text) if e.type is EntityType.ADDRESS]
    start = len(before)
    assert any(s <= start and start + len(raw) <= e for s, e in spans), (text, spans)


@settings(max_examples=300, deadline=None)
@given(raw=addresses(), before=_BEFORE, after=_AFTER)
def test_the_gate_refuses_every_accepted_address_unmasked_and_passes_it_masked(
    raw: str, before: str, after: str
) -> None:
    address = _parsed(raw)
    assert address_detail_leaks(before + address.full + after), address.full
    assert address_detail_leaks(address.full, is_address=True)
    masked = address.masked()
    assert address_detail_leaks(masked, is_address=True) == []
    assert address_detail_leaks(before + masked + after) == []
    assert check_label_text(masked) == []


@settings(max_examples=200, deadline=None)
@given(raw=addresses())
def test_every_household_part_of_an_accepted_address_is_reported_by_the_gate(raw: str) -> None:
    address = _parsed(raw)
    leaks = address_detail_leaks(address.full, is_address=True)
    shown = {address.full[s:e] for s, e, _ in leaks}
    for part in address.household.values():
        assert any(part in piece for piece in shown), (address.full, part, shown)


@settings(max_examples=200, deadline=None)
@given(
    number=st.integers(1, 99),
    word=st.sampled_from(["层", "楼", "#", "号", "寸", "斤"]),
    goods=st.sampled_from(["蛋糕", "电池", "模型", "书架", "收纳盒", "衣柜", "手办"]),
)
def test_a_description_with_a_number_and_a_floor_word_but_no_address_passes_the_gate(
    number: int, word: str, goods: str
) -> None:
    assert address_detail_leaks(f"{number}{word}{goods}") == []
