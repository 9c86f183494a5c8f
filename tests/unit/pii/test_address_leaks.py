"""The label gate's address check: numbers count only when they are part of an address."""

from __future__ import annotations

import pytest

from parcelguard.domain.pii.address import Address
from parcelguard.domain.pii.address_leaks import address_detail_leaks
from parcelguard.domain.pii.fold import fold


def shown(text: str, *, is_address: bool = False) -> list[tuple[str, str]]:
    return [(text[s:e], rule) for s, e, rule in address_detail_leaks(text, is_address=is_address)]


@pytest.mark.parametrize(
    "text", ["2层蛋糕", "5#电池", "3楼模型", "12寸蛋糕 2层", "SKU15012345678", "重量1.5kg"]
)
def test_a_number_with_a_floor_word_outside_an_address_is_not_a_leak(text: str) -> None:
    assert shown(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "北京市朝阳区建国路88号阳光花园3号楼2单元1201室",
            [
                ("88号", "house_number"),
                ("3号楼", "address_detail"),
                ("2单元", "address_detail"),
                ("1201室", "address_detail"),
            ],
        ),
        ("送到阳光花园3栋1802", [("3栋", "address_detail"), ("1802", "address_detail")]),
        ("上海市黄浦区长乐路123弄4号601室", [("123弄4号", "house_number"), ("601室", "address_detail")]),
        ("放到幸福小区5-2-1201，谢谢", [("5-2-1201", "address_detail")]),
        ("三号楼二单元", [("三号楼", "address_detail"), ("二单元", "address_detail")]),
    ],
)
def test_the_house_number_and_household_detail_of_an_address_are_leaks(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert shown(text) == expected


def test_a_traditional_address_in_free_text_leaks_its_number_floor_and_room_once_folded() -> None:
    text = fold("禮物寄到廣東省東莞市虎門鎮運河北路84號3樓301室").text
    assert [piece for piece, _ in shown(text)] == ["84号", "3楼", "301室"]


def test_a_hong_kong_address_in_free_text_leaks_its_detail() -> None:
    text = fold("香港九龍旺角彌敦道580號A座12樓1203室").text
    assert {piece for piece, _ in shown(text)} >= {"580号", "A座", "12楼", "1203室"}


def test_an_english_address_leaks_its_numbers_but_not_its_postcode() -> None:
    text = "Room 1201, No. 88 Jianguo Road, Chaoyang District, Beijing 100020"
    assert [piece for piece, _ in shown(text)] == ["1201", "88"]


def test_a_shelf_code_after_its_label_is_not_an_address() -> None:
    assert shown("货架号5-2-12") == []


def test_an_address_field_counts_every_household_number_but_not_a_bare_one() -> None:
    assert shown("邮编100020", is_address=True) == []
    assert shown("2024-05-01", is_address=True) == []
    assert [p for p, _ in shown("3#楼", is_address=True)] == ["3#楼"]


@pytest.mark.parametrize(
    "raw",
    [
        "北京市朝阳区建国路88号阳光花园3号楼2单元1201室",
        "廣東省東莞市虎門鎮運河北路84號3樓",
        "上海市黄浦区长乐路123弄4号601室",
        "深圳市南山区阳光花园5-2-1201",
    ],
)
def test_the_masked_form_of_a_parsed_address_passes_and_the_full_form_does_not(raw: str) -> None:
    address = Address.parse(raw)
    assert shown(address.masked(), is_address=True) == []
    assert shown("寄到" + address.masked() + "，谢谢") == []
    assert shown(address.full, is_address=True) != []


def test_a_household_word_counts_even_where_the_address_start_is_already_masked() -> None:
    assert shown("建国路**号*****单元1201室") == [("1201室", "address_detail")]


def test_a_building_typed_with_a_homophone_is_household_detail_for_the_gate_and_the_parser() -> None:
    text = "浙江省温州市苍南县龙港镇泰和小区3撞1097"
    assert ("1097", "address_detail") in shown(text)
    assert ("3撞", "address_detail") in shown(text)
    household = Address.parse(text).household
    assert (household.building, household.room) == ("3撞", "1097")


def test_a_shop_after_an_address_without_a_region_counts_for_the_gate() -> None:
    assert shown("包裹放科技园路56号星光电子有限公司3楼前台") == [
        ("56号", "house_number"),
        ("3楼", "address_detail"),
    ]
