"""An order's own values are masked wherever its free text repeats them (issue 6, item 2)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcelguard.domain.order import Order, parse_order
from parcelguard.domain.own_values import OwnValues, chinese_quantity, mask_own_values, may_hold_own_values
from parcelguard.domain.pii.fold import fold
from parcelguard.domain.pii.synthetic import SyntheticPeople
from tests.unit.pii.strategies import mobile_spellings, spelled_digits

_FILLERS = st.sampled_from(["", "给", "电话", "联系", "，", " ", "的生日礼物", "收", "到了打", "SKU"])


def order_with(**recipient: str) -> Order:
    raw: dict[str, Any] = SyntheticPeople(3).order()
    raw["recipient"].update(recipient)
    return parse_order(raw)


def digits_of(text: str) -> str:
    return "".join(ch for ch in fold(text).text if ch.isdigit())


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("给13912345678林晓彤的生日礼物", "林晓彤", "给139******78林**的生日礼物"),
        ("送欧阳娜娜", "欧阳娜娜", "送欧阳**"),
        ("收件张伟", "张伟", "收件张*"),
        ("给林曉彤", "林晓彤", "给林**"),
        ("晓彤收", "林晓彤", "**收"),
        ("收件人古丽米拉买合木提", "古丽米拉·买合木提", "收件人古*******"),
        ("2层蛋糕 5#电池", "林晓彤", "2层蛋糕 5#电池"),
    ],
)
def test_the_parties_names_and_mobiles_are_masked_in_place(text: str, name: str, expected: str) -> None:
    values = OwnValues.of(order_with(name=name, mobile="13912345678"))

    assert mask_own_values(text, values) == expected


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 10_000))
def test_the_recipients_mobile_in_any_spelling_never_survives(data: st.DataObject, seed: int) -> None:
    raw = SyntheticPeople(seed).order()
    order = parse_order(raw)
    mobile = order.recipient.mobile.value
    spelled = data.draw(mobile_spellings(mobile))
    text = data.draw(_FILLERS) + spelled + data.draw(_FILLERS)

    masked = mask_own_values(text, OwnValues.of(order))

    assert len(masked) == len(text)
    assert mobile[3:9] not in digits_of(masked)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 10_000))
def test_the_senders_id_number_in_any_spelling_keeps_only_its_first_and_last_characters(
    data: st.DataObject, seed: int
) -> None:
    order = parse_order(SyntheticPeople(seed).order())
    number = order.sender_id.number.value
    digits = number[:17]
    text = "身份证" + data.draw(spelled_digits(digits)) + number[17]

    masked = mask_own_values(text, OwnValues.of(order))

    # the 16 middle characters are hidden (more only where a part also spells one of the order's numbers)
    assert masked.count("*") >= 16
    assert number[6:14] not in digits_of(masked)


def test_the_house_number_building_unit_and_room_of_the_address_are_masked_but_other_numbers_stay() -> None:
    values = OwnValues.of(order_with(address="北京市朝阳区建国路88号阳光小区7栋2单元1201室"))

    masked = mask_own_values("送到1201，7栋2单元，建国路88号；共2件，5 kg", values)

    assert masked == "送到****，*栋*单元，建国路**号；共2件，5 kg"


_PIECES = st.sampled_from(
    ["2层", "5#", "衣服 2件", "第5单", "12", "蛋糕", " ", "·", ".", "a", "3", "栋", "单元", "室", "号"]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 10_000))
def test_free_text_the_prefilter_skips_never_holds_an_own_value(data: st.DataObject, seed: int) -> None:
    order = parse_order(SyntheticPeople(seed).order())
    own = [
        *order.recipient.address.household.values(),
        *order.sender.address.household.values(),
        order.recipient.name.value,
        order.sender.name.value[-1],
        order.recipient.mobile.value[:4],
    ]
    parts = data.draw(st.lists(st.one_of(_PIECES, st.sampled_from(own), st.text(max_size=3)), max_size=6))
    text = "".join(parts)

    assert may_hold_own_values(text, order) or mask_own_values(text, OwnValues.of(order)) == text


# -- issue 6 review: other separators, a passport's letter in any case, pieces of an own number ----------


@pytest.mark.parametrize("sep", [",", "，", "、", ":", ";", "|", "*", "+", "#", "=", "'", "○"])
def test_an_own_mobile_with_any_separator_between_its_groups_is_masked(sep: str) -> None:
    values = OwnValues.of(order_with(mobile="13912345678"))
    masked = mask_own_values(f"电话1391{sep}234{sep}5678 谢谢", values)
    assert "23456" not in digits_of(masked)
    assert digits_of(masked) == "13978"


def test_the_senders_id_number_with_fullwidth_commas_between_its_groups_is_masked() -> None:
    order = order_with()
    number = order.sender_id.number.value
    masked = mask_own_values(f"{number[:6]}，{number[6:14]}，{number[14:]}", OwnValues.of(order))
    assert digits_of(masked) == number[0] + number[-1].replace("X", "")


@pytest.mark.parametrize("written", ["h12345678", "H1234 5678", "E1234-5678"])
def test_a_passport_number_in_any_case_and_grouping_is_masked(written: str) -> None:
    raw: dict[str, Any] = SyntheticPeople(3).order()
    raw["sender"].update(id_type="passport", id_number=written[0].upper() + "12345678")
    values = OwnValues.of(parse_order(raw))
    assert "234567" not in digits_of(mask_own_values(f"护照 {written} 寄件", values))


def test_four_digits_of_an_own_mobile_written_apart_are_masked_too() -> None:
    values = OwnValues.of(order_with(mobile="13912345678"))
    assert (
        mask_own_values("备注：139******78 尾号5678，共2件 5kg", values)
        == "备注：139******78 尾号****，共2件 5kg"
    )


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("张伟", "张 伟寄", "张 *寄"),
        ("张伟", "张-伟", "张-*"),
        ("欧阳娜娜", "欧.阳.娜.娜", "欧.阳.*.*"),
        ("欧阳娜娜", "给 欧 阳 娜 娜", "给 欧 阳 * *"),
        ("欧阳娜娜", "欧阳 娜 娜", "欧阳 * *"),
    ],
)
def test_an_own_name_with_blanks_or_marks_between_its_characters_is_masked(
    name: str, text: str, expected: str
) -> None:
    assert mask_own_values(text, OwnValues.of(order_with(name=name))) == expected


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("张伟", "给zhang wei的礼物", "给zhang ***的礼物"),
        ("张伟", "ZHANGWEI收", "ZHANG***收"),
        ("张伟", "Zhang-Wei", "Zhang-***"),
        ("欧阳娜娜", "ouyang nana", "ouyang ****"),
        ("欧阳娜娜", "Ouyang Na Na", "Ouyang ** **"),
        ("张伟", "zhangweiming", "zhangweiming"),  # inside a longer word: not the name
    ],
)
def test_an_own_name_in_pinyin_is_masked_after_its_surname(name: str, text: str, expected: str) -> None:
    assert mask_own_values(text, OwnValues.of(order_with(name=name))) == expected


def test_a_description_holding_an_own_name_in_pinyin_may_hold_own_values() -> None:
    order = order_with(name="张伟")
    assert may_hold_own_values("ZHANGWEI收", order)
    assert not may_hold_own_values("clothes", order)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("三号楼二单元一二〇一", "*号楼*单元****"),
        ("八十八号", "***号"),
        ("捌拾捌号", "***号"),
        ("送到建国路八十八号", "送到建国路***号"),
        ("一起买了三个，十二楼", "一起买了三个，十二楼"),  # not the order's numbers
    ],
)
def test_own_house_building_unit_and_room_numbers_in_chinese_numerals_are_masked(
    text: str, expected: str
) -> None:
    values = OwnValues.of(order_with(address="北京市朝阳区建国路88号3号楼2单元1201室"))
    assert mask_own_values(text, values) == expected


def test_chinese_quantities_read_as_numbers() -> None:
    cases = {
        "八十八": "88",
        "捌拾捌": "88",
        "十二": "12",
        "一百零五": "105",
        "一二〇一": "1201",
        "两千": "2000",
    }
    assert {numeral: chinese_quantity(numeral) for numeral in cases} == cases


def test_a_description_with_an_own_house_number_in_chinese_numerals_may_hold_own_values() -> None:
    order = order_with(address="北京市朝阳区建国路88号3号楼2单元1201室")
    assert may_hold_own_values("捌拾捌号", order)
    assert not may_hold_own_values("一件衣服", order)
