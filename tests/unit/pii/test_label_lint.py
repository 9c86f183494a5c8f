from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.label import LabelData, LabelParty
from parcelguard.domain.label_gate import label_violations, privacy_gate
from parcelguard.domain.pii.address import Address
from parcelguard.domain.pii.label_lint import (
    RULES,
    assert_label_compliant,
    check_free_text,
    check_label_fields,
    check_label_text,
    mask_violations,
)
from parcelguard.domain.pii.landline import Landline
from parcelguard.domain.pii.mobile import Mobile
from parcelguard.domain.pii.name import PersonName
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.errors import ErrorCode, LabelComplianceError

from .strategies import mobile_digits, resident_ids


def rules(text: str) -> list[str]:
    return [v.rule for v in check_label_text(text)]


def test_the_common_four_star_mask_is_caught_as_undermasked() -> None:
    assert rules("138****1234") == ["mobile_undermasked"]


def test_six_hidden_digits_pass() -> None:
    assert rules("收件人 张* 138******78") == []


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "(+86)13812345678",
        "008613812345678",
        "１３８１２３４５６７８",
        "电话:13812345678。",
    ],
)
def test_an_unmasked_mobile_is_caught_in_any_spelling(text: str) -> None:
    assert rules(text) == ["mobile_unmasked"]


@pytest.mark.parametrize(
    "text", ["***12345678", "138 **** 5678", "+86 138-****-5678", "１３８＊＊＊＊５６７８", "138●●●●5678"]
)
def test_an_undermasked_mobile_is_caught_in_any_spelling(text: str) -> None:
    assert rules(text) == ["mobile_undermasked"]


def test_a_violation_points_at_the_original_text_even_with_fullwidth_and_invisible_characters() -> None:
    text = "电话：１３８\u200b１２３４５６７８。"
    [violation] = check_label_text(text)
    assert text[violation.start : violation.end] == "１３８\u200b１２３４５６７８"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("010-62345678", "landline_unmasked"),
        ("(0755)8888 8888", "landline_unmasked"),
        ("+86 10 6234 5678", "landline_unmasked"),
        ("0571-*****67", "landline_undermasked"),
        ("010-6234****", "landline_undermasked"),
    ],
)
def test_landlines_with_fewer_than_six_hidden_digits_are_caught(text: str, rule: str) -> None:
    assert rules(text) == [rule]


@pytest.mark.parametrize("text", ["010-******78", "0571-******7", "0755-******88-***"])
def test_masked_landlines_pass(text: str) -> None:
    assert rules(text) == []


@pytest.mark.parametrize(
    "text",
    ["11010519491231002X", "身份证11010519491231002x号", "110105 19491231 002X", "110105491231002"],
)
def test_any_resident_id_is_caught(text: str) -> None:
    assert rules(text) == ["resident_id"]


def test_a_masked_resident_id_passes() -> None:
    assert rules("1****************X") == []


def test_a_partly_masked_resident_id_is_caught() -> None:
    assert rules("110105********002X") == ["resident_id"]


def test_an_email_is_caught_but_a_masked_one_passes() -> None:
    assert rules("联系 zhang.san@example.com") == ["email"]
    assert rules("z***@example.com") == []


@pytest.mark.parametrize(
    "text",
    ["阳光花园3号楼", "5栋1802", "12幢", "2单元", "1201室", "18层", "A座3楼", "3#楼", "三单元"],
)
def test_address_detail_is_caught(text: str) -> None:
    assert "address_detail" in rules(text)


@pytest.mark.parametrize("text", ["建国路88号", "长安街1号", "南锣鼓巷8号", "人民大道100号", "长乐路123弄"])
def test_a_house_number_after_a_street_is_caught(text: str) -> None:
    assert rules(text) == ["house_number"]


@pytest.mark.parametrize(
    "text",
    [
        "北京市朝阳区建国路**号****",
        "SF1234567890123",
        "重量 1.5kg",
        "2024-05-01 12:30",
        "邮编100020",
        "YT7412345678901",
    ],
)
def test_ordinary_label_text_passes(text: str) -> None:
    assert rules(text) == []


def test_violations_never_quote_the_text() -> None:
    text = "13812345678 zhang@example.com 11010519491231002X 建国路88号"
    for violation in check_label_text(text):
        assert violation.message == RULES[violation.rule]
        assert "138" not in violation.message and "zhang" not in violation.message


def test_field_checks_require_a_hidden_name_character_and_six_hidden_phone_digits() -> None:
    found = {(v.field, v.rule) for v in check_label_fields("张三", "138****1234", "北京市朝阳区建国路88号")}
    assert found == {
        ("name", "name_unmasked"),
        ("phone", "mobile_undermasked"),
        ("phone", "phone_unmasked"),
        ("address", "house_number"),
    }


def test_masked_fields_pass() -> None:
    assert check_label_fields("张*", "138******78", "北京市朝阳区建国路**号****") == []


def test_assert_label_compliant_lists_rule_names_only() -> None:
    with pytest.raises(LabelComplianceError) as caught:
        assert_label_compliant("备注 13812345678", name="李小龙", phone="138******78")
    assert caught.value.code is ErrorCode.LABEL_NOT_COMPLIANT
    assert caught.value.message == "label is not compliant: mobile_unmasked, name_unmasked"
    assert "138" not in caught.value.message and "小龙" not in caught.value.message


def test_assert_label_compliant_passes_a_clean_label() -> None:
    assert_label_compliant("运单号 SF1234567890123", name="李**", phone="138******78", address="北京市****")


@given(mobile_digits)
def test_a_masked_mobile_always_passes_the_linter(digits: str) -> None:
    assert check_label_text(Mobile.parse(digits).masked()) == []
    assert rules(digits) == ["mobile_unmasked"]


@given(resident_ids())
def test_a_masked_resident_id_always_passes_and_the_raw_one_never(raw: str) -> None:
    from parcelguard.domain.pii.resident_id import ResidentId

    assert check_label_text(ResidentId.parse(raw).masked()) == []
    assert rules(raw) == ["resident_id"]


def test_masked_synthetic_people_always_pass_the_field_checks() -> None:
    people = SyntheticPeople(seed=7)
    for _ in range(2000):
        person = people.person()
        name = PersonName.parse(person.name).masked()
        phone = Mobile.parse(person.mobile).masked()
        address = Address.parse(person.address).masked()
        assert check_label_fields(name, phone, address) == [], (name, phone, address)


def test_a_masked_landline_passes_the_phone_field_check() -> None:
    assert check_label_fields("张*", Landline.parse("0571-87654321").masked(), "浙江省杭州市****") == []


@given(mobile_digits, st.integers(0, 5), st.integers(0, 10), st.sampled_from(["", " ", "-"]))
def test_a_mobile_with_fewer_than_six_hidden_digits_is_always_caught(
    digits: str, hidden: int, start: int, sep: str
) -> None:
    start = min(start, 11 - hidden)
    masked = digits[:start] + "*" * hidden + digits[start + hidden :]
    spelled = sep.join([masked[:3], masked[3:7], masked[7:]])
    assert rules(f"电话 {spelled} 谢谢") == ["mobile_unmasked" if hidden == 0 else "mobile_undermasked"]


# --- the gate checks each field as what it is (issue 6, item 3) --------------------------------------------


def gate_label(**overrides: object) -> LabelData:
    fields: dict[str, object] = {
        "carrier_name": "ParcelGuard Express",
        "tracking_number": "PG1234567890123",
        "routing_code": "110105",
        "routing_text": "北京 朝阳区",
        "recipient": LabelParty("张*", "138******78", "北京市朝阳区建国路**号****"),
        "sender": LabelParty("李*明", "139******21", "上海市浦东新区世纪大道**号****"),
        "qr_payload": "PGT1MFRGGZDFMZTWQ2LKNNWG23TPOBYXE4DTOR2XM53YPF5A",
        "parcel_description": "服装",
        "weight_kg": 1.25,
        "issued_on": date(2024, 5, 1),
    }
    fields.update(overrides)
    return LabelData(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "number", ["PG8613231614636", "PG0086132316146", "PG1391234567800", "PG0101234567890"]
)
def test_tracking_numbers_are_not_read_as_phone_numbers(number: str) -> None:
    privacy_gate(gate_label(tracking_number=number))


@given(st.sampled_from(["PG", "SF", "YTO"]))
def test_every_generated_tracking_number_passes_the_gate(prefix: str) -> None:
    privacy_gate(gate_label(tracking_number=TrackingNumber.generate(prefix).value))


def test_a_tracking_number_or_routing_code_field_holding_something_else_is_refused() -> None:
    rules = {
        v.rule for v in label_violations(gate_label(tracking_number="TEL 13912345678", routing_code="ABC"))
    }

    assert rules == {"not_a_tracking_number", "not_a_routing_code"}


@pytest.mark.parametrize(
    "text", ["2层蛋糕", "5#电池", "3楼模型", "SKU15012345678", "2 件 / 5 kg", "第3层货架"]
)
def test_goods_numbered_with_floors_hashes_or_skus_are_not_personal_data(text: str) -> None:
    assert check_free_text(text) == []
    privacy_gate(gate_label(parcel_description=text, remarks=text))


@pytest.mark.parametrize(
    "text", ["tel15012345678", "放1201室", "阳光小区7栋2单元", "电话13912345678", "联系 139 1234 5678"]
)
def test_personal_data_in_free_text_is_found_and_its_mask_passes(text: str) -> None:
    violations = check_free_text(text, "remarks")

    assert violations and {v.field for v in violations} == {"remarks"}
    masked = mask_violations(text, violations)
    assert len(masked) == len(text)
    assert check_free_text(masked) == []


def test_the_gate_names_the_field_of_each_finding() -> None:
    data = gate_label(parcel_description="联系13912345678", remarks="放1201室")

    assert {(v.field, v.rule) for v in label_violations(data)} >= {
        ("parcel.description", "mobile_unmasked"),
        ("remarks", "address_detail"),
    }


def test_a_number_in_radio_numerals_alone_is_not_skipped_by_the_gates_pre_check() -> None:
    # 洞拐勾 are digits to fold inside a run; the pre-check once skipped text holding only them.
    violations = check_label_text("座机洞拐勾勾-勾勾拐拐勾勾拐拐")
    assert [v.rule for v in violations] == ["landline_unmasked"]
