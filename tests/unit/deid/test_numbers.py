"""Phones, ID numbers, bank cards, passports, plates, e-mails and IPs in the spellings people type."""

from __future__ import annotations

import pytest

from parcelguard.domain.deid import Detector, EntityType
from tests.unit.deid.conftest import found

PHONE, CN_ID, CARD = EntityType.PHONE, EntityType.CN_ID, EntityType.BANK_CARD


@pytest.mark.parametrize(
    "spelling",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "+86-13812345678",
        "0086 13812345678",
        "86-13812345678",
        "(+86)13812345678",
        "１３８１２３４５６７８",
        "+８６ １３８-１２３４-５６７８",
    ],
)
def test_a_mobile_is_found_in_every_common_spelling(detector: Detector, spelling: str) -> None:
    assert found(detector, f"手机：{spelling}，谢谢") == [(spelling, PHONE)]


def test_a_mobile_read_out_in_chinese_numerals_is_found(detector: Detector) -> None:
    assert found(detector, "电话一三八一二三四五六七八") == [("一三八一二三四五六七八", PHONE)]


def test_an_unallocated_mobile_segment_without_phone_context_is_not_a_phone(detector: Detector) -> None:
    assert found(detector, "号码14012345678") == []
    assert found(detector, "14012345678") == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("电话+86 15459045440", "+86 15459045440"),
        ("手机15459045440", "15459045440"),
        ("有事联系15459045440", "15459045440"),
        ("打15459045440找我", "15459045440"),
        ("tel: 14912345678", "14912345678"),
        ("收件人：赵小燕 15459045440", "15459045440"),
        ("赵小燕 15459045440", "15459045440"),
        ("15459045440（赵小燕）", "15459045440"),
    ],
)
def test_a_mobile_shaped_number_in_phone_context_is_a_phone_even_if_unallocated(
    detector: Detector, text: str, number: str
) -> None:
    assert (number, PHONE) in found(detector, text)


@pytest.mark.parametrize(
    "spelling",
    [
        "010-62345678",
        "(0755)8888-1234",
        "（021）62345678",
        "0571 8765 4321",
        "+86 10 6234 5678",
        "02162345678",
    ],
)
def test_a_landline_with_area_code_is_found(detector: Detector, spelling: str) -> None:
    assert found(detector, f"座机{spelling}") == [(spelling, PHONE)]


def test_an_extension_is_left_out_of_the_phone_span(detector: Detector) -> None:
    assert found(detector, "请拨0755-86001234转123") == [("0755-86001234", PHONE)]
    assert found(detector, "虚拟号13812345678-8012") == [("13812345678", PHONE)]


@pytest.mark.parametrize("hotline", ["400-820-8820", "4008111111", "800-820-1234", "95338", "客服热线11183"])
def test_company_service_numbers_are_not_personal(detector: Detector, hotline: str) -> None:
    assert found(detector, f"请拨打{hotline}咨询") == []


@pytest.mark.parametrize(
    "spelling",
    [
        "110101199003078515",
        "110101 19900307 8515",
        "1101 0119 9003 0785 15",
        "１１０１０１１９９００３０７８５１５",
    ],
)
def test_a_resident_id_is_found_with_or_without_spaces_and_in_full_width(
    detector: Detector, spelling: str
) -> None:
    assert found(detector, f"身份证号{spelling}") == [(spelling, CN_ID)]


def test_a_resident_id_ending_in_a_lower_case_x_is_found(detector: Detector) -> None:
    assert found(detector, "证件号11010519491231002x") == [("11010519491231002x", CN_ID)]


def test_eighteen_digits_with_a_wrong_check_character_are_not_an_id_alone(detector: Detector) -> None:
    assert found(detector, "请核对110101199003078516") == []


def test_a_mistyped_id_after_an_id_label_is_still_an_id(detector: Detector) -> None:
    # Fail closed: a number written as an ID number with one wrong digit is still someone's ID.
    assert found(detector, "身份证110101199003078516") == [("110101199003078516", CN_ID)]


def test_a_legacy_fifteen_digit_id_is_found(detector: Detector) -> None:
    assert found(detector, "老身份证号110101900307123") == [("110101900307123", CN_ID)]


@pytest.mark.parametrize(
    "card",
    [
        "6222021234567890128",
        "6222 0212 3456 7890 128",
        "4111-1111-1111-1111",
        "5500 0000 0000 0004",
        "378282246310005",
    ],
)
def test_a_luhn_valid_card_with_a_known_issuer_is_found(detector: Detector, card: str) -> None:
    assert found(detector, f"退款到卡号{card}") == [(card, CARD)]


def test_a_card_number_failing_luhn_is_not_a_card(detector: Detector) -> None:
    assert found(detector, "卡号6222021234567890127") == []


def test_an_id_number_labelled_as_an_id_stays_an_id_even_after_the_word_card(detector: Detector) -> None:
    assert found(detector, "ID card 110101199003078515") == [("110101199003078515", CN_ID)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("护照号码：E12345678", "E12345678"),
        ("护照 EA1234567", "EA1234567"),
        ("passport: P1234567", "P1234567"),
        ("旧护照G12345678已过期", "G12345678"),
        ("Passport No.: 123456789", "123456789"),
    ],
)
def test_passport_numbers_are_found(detector: Detector, text: str, expected: str) -> None:
    assert found(detector, text) == [(expected, EntityType.PASSPORT)]


@pytest.mark.parametrize(
    "plate", ["京A12345", "粤B·D12345", "沪AD12345", "苏E-12345F", "浙A·88888", "川A 1B23C"]
)
def test_vehicle_plates_including_new_energy_ones_are_found(detector: Detector, plate: str) -> None:
    assert found(detector, f"车牌{plate}的车") == [(plate, EntityType.LICENSE_PLATE)]


@pytest.mark.parametrize(
    "email", ["zhangsan@qq.com", "zhang.san+shop@example.com.cn", "1234567890@163.com", "li_lei@corp.cn"]
)
def test_email_addresses_are_found_even_glued_to_chinese(detector: Detector, email: str) -> None:
    assert found(detector, f"邮箱{email}谢谢") == [(email, EntityType.EMAIL)]


@pytest.mark.parametrize(
    "ip",
    [
        "192.168.1.10",
        "8.8.8.8",
        "2001:db8::8a2e:370:7334",
        "fe80::1ff:fe23:4567:890a",
        "2001:0db8:0000:0000:0000:ff00:0042:8329",
    ],
)
def test_ipv4_and_ipv6_addresses_are_found_even_after_a_label_colon(detector: Detector, ip: str) -> None:
    assert found(detector, f"登录IP:{ip}，异常") == [(ip, EntityType.IP)]


def test_times_and_version_numbers_are_not_ip_addresses(detector: Detector) -> None:
    assert found(detector, "14:30:00 更新到版本1.2.3.4") == []
