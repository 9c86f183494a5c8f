"""Keyless operators on one value: masks hide at least what GB/T 41833 asks, generalisations stay useful."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.domain.anonymize import canonical_value, generalize_value, mask_value, redact_tag
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii import SyntheticPeople
from tests.unit.pii.strategies import mobile_digits, mobile_spellings, resident_ids

DIGIT = re.compile(r"[0-9]")


def digits(text: str) -> str:
    return "".join(DIGIT.findall(text))


@settings(max_examples=200, deadline=None)
@given(data=st.data(), number=mobile_digits)
def test_a_masked_mobile_shows_only_its_segment_and_last_two_digits(data: st.DataObject, number: str) -> None:
    spelled = data.draw(mobile_spellings(number))
    masked, parsed = mask_value(EntityType.PHONE, spelled)
    assert parsed
    assert digits(masked) == number[:3] + number[-2:]
    assert masked.count("*") >= 6


@settings(max_examples=200, deadline=None)
@given(
    entity_type=st.sampled_from(
        [EntityType.PHONE, EntityType.CN_ID, EntityType.BANK_CARD, EntityType.PASSPORT]
    ),
    raw=st.text(alphabet="0123456789 -X", min_size=1, max_size=30),
)
def test_a_masked_number_never_shows_more_than_its_ends_and_hides_at_least_six(
    entity_type: EntityType, raw: str
) -> None:
    masked, _ = mask_value(entity_type, raw)
    shown, original = digits(masked), digits(raw)
    assert len(shown) <= max(0, len(original) - 6)
    head = next((i for i in range(len(shown) + 1) if not original.startswith(shown[:i])), len(shown) + 1) - 1
    # A landline's extension (0396-******88-*) is hidden whole after the number's last two digits.
    hidden_tail = len(masked) - len(masked.rstrip("*- "))
    end = len(original) - sum(ch == "*" for ch in masked[len(masked) - hidden_tail :])
    assert original[:end].endswith(shown[head:]) or shown[head:] == ""


@settings(max_examples=100, deadline=None)
@given(number=resident_ids())
def test_a_masked_resident_id_shows_only_its_first_and_last_characters(number: str) -> None:
    masked, parsed = mask_value(EntityType.CN_ID, number)
    assert parsed
    assert masked == number[0] + "*" * 16 + number[-1]


@pytest.mark.parametrize(
    ("entity_type", "value", "expected"),
    [
        (EntityType.PERSON, "欧阳娜娜", "欧阳**"),
        (EntityType.PERSON, "张伟", "张*"),
        (EntityType.PHONE, "010-62345678", "010-******78"),
        (EntityType.ADDRESS, "北京市朝阳区建国路88号3号楼2单元1201室", "北京市朝阳区建国路**号****"),
        (EntityType.EMAIL, "zhang.san@example.com", "z***@example.com"),
        (EntityType.BANK_CARD, "6222 0212 3456 7890", "6222 **** **** 7890"),
        (EntityType.PASSPORT, "E12345678", "E*******8"),
        (EntityType.LICENSE_PLATE, "京A·12345", "京A*****"),
        (EntityType.IP, "192.168.1.20", "192.168.*.*"),
    ],
)
def test_each_type_has_its_conventional_mask(entity_type: EntityType, value: str, expected: str) -> None:
    assert mask_value(entity_type, value)[0] == expected


@pytest.mark.parametrize(
    ("entity_type", "value"),
    [
        (EntityType.PERSON, "张3"),
        (EntityType.ADDRESS, "阳光花园3栋2单元501"),
        (EntityType.EMAIL, "not-an-address"),
        (EntityType.IP, "999.1.1.1"),
        (EntityType.CN_ID, "110105194912310021"),  # bad check character
    ],
)
def test_values_that_do_not_parse_are_masked_at_least_as_strictly(
    entity_type: EntityType, value: str
) -> None:
    masked, parsed = mask_value(entity_type, value)
    assert not parsed
    assert value not in masked
    assert len(digits(masked)) <= max(0, len(digits(value)) - 6)


def test_unparsed_addresses_keep_only_the_divisions_they_start_with() -> None:
    assert mask_value(EntityType.ADDRESS, "广东省 某某大厦8楼") == ("广东省****", False)


@pytest.mark.parametrize(
    ("value", "masked", "generalised"),
    [
        # Two cities have a 鼓楼区 in Jiangsu: the fallback keeps what both share, never a guess.
        ("江苏省鼓楼区复兴北路1号", "江苏省****", None),
        ("朝阳区人民大街1号", "****", None),
    ],
)
def test_an_ambiguous_address_falls_back_to_what_its_candidates_share(
    value: str, masked: str, generalised: str | None
) -> None:
    assert mask_value(EntityType.ADDRESS, value) == (masked, False)
    assert generalize_value(EntityType.ADDRESS, value) == (generalised or "<ADDRESS>", False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("江苏省鼓楼区琵琶街道复兴北路1号", "江苏省徐州市鼓楼区"),
        ("廣東省東莞市虎門鎮運河北路84號3樓", "广东省东莞市"),
        ("湖南省祁阳县人民路1号", "湖南省永州市祁阳市"),
        ("新疆伊犁哈萨克自治州塔城地区额敏县人民路1号", "新疆维吾尔自治区塔城地区额敏县"),
        ("呼市新城区新华大街1号", "内蒙古自治区呼和浩特市新城区"),
    ],
)
def test_addresses_generalise_through_the_one_division_resolver(value: str, expected: str) -> None:
    assert generalize_value(EntityType.ADDRESS, value) == (expected, True)


@pytest.mark.parametrize(
    ("entity_type", "value", "expected"),
    [
        (EntityType.ADDRESS, "北京市朝阳区建国路88号3号楼2单元1201室", "北京市朝阳区"),
        (EntityType.ADDRESS, "广东省深圳市南山区科技园路1号A栋501", "广东省深圳市南山区"),
        (EntityType.CN_ID, "11010519491231002X", "北京市/1949"),
        (EntityType.PHONE, "13800138000", "138********"),
        (EntityType.PHONE, "010-62345678", "010-********"),
        (EntityType.PERSON, "欧阳娜娜", "欧阳某"),
        (EntityType.EMAIL, "zhang@example.com", "*@example.com"),
        (EntityType.IP, "192.168.1.20", "192.168.1.0/24"),
        (EntityType.LICENSE_PLATE, "京A12345", "京A"),
        (EntityType.PASSPORT, "E12345678", "<PASSPORT>"),
    ],
)
def test_generalisation_keeps_the_coarse_meaning(entity_type: EntityType, value: str, expected: str) -> None:
    assert generalize_value(entity_type, value)[0] == expected


def test_a_value_that_cannot_be_generalised_becomes_its_tag() -> None:
    assert generalize_value(EntityType.CN_ID, "12345") == ("<CN_ID>", False)
    assert redact_tag(EntityType.PHONE) == "<PHONE>"


def test_synthetic_people_generalise_to_their_own_district() -> None:
    people = SyntheticPeople(11)
    for _ in range(30):
        person = people.person()
        region, parsed = generalize_value(EntityType.ADDRESS, person.address)
        assert parsed and region and person.address not in region
        assert not DIGIT.search(region)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), number=mobile_digits)
def test_every_spelling_of_a_mobile_has_one_canonical_form(data: st.DataObject, number: str) -> None:
    assert canonical_value(EntityType.PHONE, data.draw(mobile_spellings(number))) == number
