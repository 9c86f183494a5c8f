"""The address finder remembers what its rules find per (text, veto): the answer is the one computed afresh,
with and without a model's places, on first reading and on every reading after."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.domain.deid.address import anchor_vetoed
from parcelguard.domain.pii.address_finder import ModelPlace, _find_uncached, find_address_spans
from parcelguard.domain.pii.fold import fold

_PIECES = (
    "浙江省",
    "杭州市",
    "西湖区",
    "温岭市",
    "柳市镇",
    "东岸村",
    "文三路",
    "建国路",
    "100号",
    "88号",
    "3栋",
    "2单元",
    "1201室",
    "12层",
    "5-2-1201",
    "阳光花园",
    "小区",
    "电子大厦",
    "15楼",
    "B懂1097",
    "地址:",
    "送到",
    "收件人",
    "王小明",
    "收",
    "打电话",
    "138",
    "0012",
    "3456",
    "热线",
    "400-820-8820",
    "货架号",
    "5-2-12",
    "2层蛋糕",
    "5#电池",
    "书籍",
    ",",
    " ",
    "-",
    "#",
    "号楼",
    "一",
    "三号楼",
    "中国",
    "北京市",
    "朝阳区",
    "司法局",
    "科员",
    "就读于",
    "小学",
    "Room 5",
    "12 Main St",
    "快递柜",
    "放",
    "门口",
)

texts = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join).map(lambda text: fold(text).text)


@st.composite
def text_and_places(draw: st.DrawFn) -> tuple[str, list[ModelPlace]]:
    text = draw(texts)
    places: list[ModelPlace] = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        places.append((start, end, draw(st.sampled_from(("LOC", "ORG", "PER")))))
    return text, places


@settings(max_examples=300)
@given(case=text_and_places(), vetoed=st.booleans())
def test_remembered_spans_equal_the_spans_found_afresh(
    case: tuple[str, list[ModelPlace]], vetoed: bool
) -> None:
    text, places = case
    veto = anchor_vetoed if vetoed else None
    expected_rules = _find_uncached(text, veto)
    expected_places = _find_uncached(text, veto, places)
    for _ in range(2):  # the first reading fills the memory, the second answers from it
        assert find_address_spans(text, veto) == expected_rules
        assert find_address_spans(text, veto, places) == expected_places
        assert find_address_spans(text, veto, None) == expected_rules


def test_a_caller_changing_its_answer_does_not_change_the_remembered_one() -> None:
    text = fold("地址:浙江省杭州市西湖区文三路100号3栋2单元1201室").text
    first = find_address_spans(text, anchor_vetoed)
    first.clear()
    assert find_address_spans(text, anchor_vetoed) == _find_uncached(text, anchor_vetoed) != []
