"""An order's Latin names and its addresses' building, unit, floor and room are masked in its free text in
every spelling (a tester's label printed ``给158******91 Hannah的生日礼物``, ``Whitfield先生/女士``,
``21F前台`` and ``21楼`` for an order of Hannah Whitfield at …国际银行大厦21F), while common words and
numbers that are not the order's own still print."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from parcelguard.domain.order import Order, parse_order
from parcelguard.domain.own_values import OwnValues, mask_own_values, may_hold_own_values
from parcelguard.domain.pii.synthetic import SyntheticPeople

_ROAD = "广东省深圳市南山区科技园路12号"
_FILLERS = st.sampled_from(["", "给", "，", " ", "的生日礼物", "收", "放", "前台", "先生/女士", "谢谢"])


def order_with(**recipient: str) -> Order:
    raw: dict[str, Any] = SyntheticPeople(3).order()
    raw["recipient"].update(recipient)
    return parse_order(raw)


def squashed(text: str) -> str:
    """The text's Latin letters only, casefolded: what a name spelled out with blanks reads as."""
    return "".join(ch for ch in text.casefold() if "a" <= ch <= "z")


# -- Latin names ----------------------------------------------------------------------------------------

_PARTICLES = {"al", "bin", "da", "das", "de", "del", "der", "di", "do", "dos", "du", "el", "ibn", "la", "le"}
_PARTICLES |= {"bint", "della", "los", "mac", "san", "st", "van", "von", "y"}
_PART = st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9).filter(lambda p: p not in _PARTICLES)


@st.composite
def latin_names(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A name of one to three words, a word possibly hyphenated (Mary-Jane), and its parts."""
    words: list[str] = []
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        pieces = draw(st.lists(_PART, min_size=1, max_size=2))
        words.append("-".join(p.capitalize() for p in pieces))
        parts.extend(pieces)
    name = " ".join(words)
    assume(len(name) <= 30)
    return name, parts


def spelled(part: str, draw: st.DrawFn) -> str:
    """``part`` in some case, written together or (three letters or more) one letter at a time."""
    case = draw(st.sampled_from([str.lower, str.upper, str.capitalize]))
    written = case(part)
    if len(part) >= 3 and draw(st.booleans()):
        written = draw(st.sampled_from([" ", "  ", ".", "-"])).join(written)
    return written


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(named=latin_names(), data=st.data())
def test_no_part_of_an_own_latin_name_survives_in_any_case_or_spacing(
    named: tuple[str, list[str]], data: st.DataObject
) -> None:
    name, parts = named
    order = order_with(name=name)
    part = data.draw(st.sampled_from(parts))
    text = data.draw(_FILLERS) + spelled(part, data.draw) + data.draw(_FILLERS)

    masked = mask_own_values(text, OwnValues.of(order))

    assert len(masked) == len(text)
    assert part not in squashed(masked)
    assert may_hold_own_values(text, order)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("Hannah Whitfield", "给158******91 Hannah的生日礼物", "给158******91 H*****的生日礼物"),
        ("Hannah Whitfield", "Whitfield先生/女士", "W********先生/女士"),
        ("Hannah Whitfield", "HANNAH", "H*****"),
        ("Hannah Whitfield", "H a n n a h   W h i t f i e l d", "H * * * * *   W * * * * * * * *"),
        ("Mary-Jane O'Neil", "Mary-Jane收", "M***-****收"),
        ("Mary-Jane O'Neil", "给Jane", "给J***"),
        ("Mary-Jane O'Neil", "ONEIL 收", "O**** 收"),
        ("Mary-Jane O'Neil", "Neil先生", "N***先生"),
        ("Li Wu", "LI收 wu先生", "L*收 w*先生"),
    ],
)
def test_an_own_latin_name_is_masked_part_by_part(name: str, text: str, expected: str) -> None:
    assert mask_own_values(text, OwnValues.of(order_with(name=name))) == expected


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Hannah Whitfield", "Hand cream, Hannahs"),  # another word that starts or holds the name
        ("Max Power", "iPhone 15 Pro Maximum"),
        ("Li Wu", "lipstick 尺码 L i M"),  # a two-letter part is a word written together only
        ("Juan de la Cruz", "de luxe, la la land"),  # particles alone are common words
        ("Ann Lee", "planning"),
    ],
)
def test_words_that_are_not_an_own_name_part_print(name: str, text: str) -> None:
    assert mask_own_values(text, OwnValues.of(order_with(name=name))) == text


# -- building, unit, floor and room ----------------------------------------------------------------------

_CN_DIGITS = "零一二三四五六七八九"


def chinese(number: int) -> str:
    """1-99 as a Chinese quantity (十二, 二十一)."""
    tens, units = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[units] if units else "")


@st.composite
def households(draw: st.DrawFn) -> tuple[str, dict[str, str], list[str]]:
    """(address, the parts it holds by kind, each part written in another spelling the grammar reads)."""
    building = draw(st.one_of(st.sampled_from("ABCDE"), st.integers(1, 40).map(str)))
    unit = draw(st.integers(1, 9))
    floor = draw(st.integers(2, 60))
    room = f"{floor}{draw(st.integers(1, 20)):02d}"
    in_address = {
        "building": building
        + draw(st.sampled_from(["栋", "幢", "座"] + ([] if building.isalpha() else ["号楼"]))),
        "unit": f"{unit}单元",
        "floor": f"{floor}" + draw(st.sampled_from(["层", "楼", "F"])),
        "room": room + "室",
    }
    kinds = draw(st.lists(st.sampled_from(list(in_address)), min_size=1, max_size=4, unique=True))
    kinds.sort(key=list(in_address).index)
    address = _ROAD + "阳光大厦" + "".join(in_address[kind] for kind in kinds)
    other = {
        "building": [building.lower() + "座", building + "幢", building + "栋"],
        "unit": [f"{unit}单元", f"{chinese(unit)}单元"],
        "floor": [f"{floor}F", f"{floor}f", f"{floor}楼", f"{floor}层", f"{chinese(floor)}楼"],
        "room": [room + "室", room + "房", room],
    }
    written = [draw(st.sampled_from(other[kind])) for kind in kinds]
    return address, {kind: in_address[kind] for kind in kinds}, written


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(household=households(), data=st.data())
def test_no_own_building_unit_floor_or_room_survives_in_another_spelling(
    household: tuple[str, dict[str, str], list[str]], data: st.DataObject
) -> None:
    address, parts, written = household
    order = order_with(address=address)
    assert dict(zip(parts, order.recipient.address.household.values()[1:], strict=True)) == parts
    piece = data.draw(st.sampled_from(written))
    text = data.draw(_FILLERS) + piece + data.draw(_FILLERS)

    masked = mask_own_values(text, OwnValues.of(order))

    number = re.match(r"[A-Za-z]|[0-9]+|[一二三四五六七八九十]+", piece)
    assert number is not None
    assert masked[number.start() + text.index(piece) : number.end() + text.index(piece)] == "*" * len(
        number.group()
    )
    assert may_hold_own_values(text, order)


@pytest.mark.parametrize(
    ("address", "text", "expected"),
    [
        (_ROAD + "A栋501", "放A栋501", "放*栋***"),
        (_ROAD + "A栋501", "放在a座门口", "放在*座门口"),
        ("北京市朝阳区建国路88号国际银行大厦21F", "21F前台", "**F前台"),
        ("北京市朝阳区建国路88号国际银行大厦21F", "送到21楼，二十一层也行", "送到**楼，***层也行"),
        ("北京市朝阳区建国路88号国际银行大厦12F-1208", "12F-1208", "**F-****"),
        ("北京市朝阳区建国路88号国际银行大厦12F-1208", "12楼1208", "**楼****"),
    ],
)
def test_an_own_building_floor_and_room_are_masked_in_the_spellings_the_grammar_reads(
    address: str, text: str, expected: str
) -> None:
    assert mask_own_values(text, OwnValues.of(order_with(address=address))) == expected


@pytest.mark.parametrize(
    ("address", "text"),
    [
        (_ROAD + "阳光小区3栋2单元201室", "送2件"),  # room 201: 2件 is a count
        (_ROAD + "阳光小区3栋2单元201室", "放2层蛋糕，5#电池"),
        ("北京市朝阳区建国路88号国际银行大厦21F", "12楼前台，3F咖啡，21个"),
        ("北京市朝阳区建国路88号国际银行大厦21F", "共21件 21kg"),
        (_ROAD + "A栋501", "B座 A4纸"),
    ],
)
def test_numbers_and_words_not_from_the_order_print(address: str, text: str) -> None:
    assert mask_own_values(text, OwnValues.of(order_with(address=address))) == text
