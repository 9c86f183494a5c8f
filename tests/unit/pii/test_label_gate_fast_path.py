"""The label gate answers a clean label without building findings (issue 9): its answer is always the one
of checking every field and collecting what they find."""

from __future__ import annotations

from datetime import date

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from parcelguard.domain.label import LabelData, LabelParty
from parcelguard.domain.label_gate import label_violations, privacy_gate
from parcelguard.domain.pii.label_lint import (
    LabelViolation,
    check_address_field,
    check_free_text,
    check_name_field,
    check_phone_field,
    free_text_is_clean,
    party_is_clean,
)
from parcelguard.errors import LabelComplianceError

_NAMES = st.sampled_from(
    ["张*", "李*明", "张伟", "欧阳**", "万*", "张三*", "＊伟", "王*1号楼", "", "John D***"]
)
_PHONES = st.sampled_from(
    ["138******78", "138****1234", "13812345678", "010-****5678", "010-******78", "******", "1380*****78", ""]
)
_ADDRESSES = st.sampled_from(
    [
        "北京市朝阳区建国路**号****",
        "北京市朝阳区建国路88号",
        "阳光花园3栋1802",
        "四川省眉山市东坡区和平南路***号****",
        "七台河市勃利县文化巷***号****",
        "三号楼二单元",
        "",
    ]
)
_TEXTS = st.sampled_from(
    [
        "服装",
        "2层蛋糕 5#电池",
        "到了打电话 138******78",
        "打这个电话 13812345678",
        "a@b.cn",
        "放14号快递柜",
        "阳光花园3栋1802",
        "身份证 110101199003077777",
        "",
    ]
)
_CARRIERS = st.sampled_from(["ParcelGuard Express", "顺丰 13812345678"])
_ROUTING_TEXTS = st.sampled_from(["北京 朝阳区", "建国路88号"])
_TRACKING = st.sampled_from(["PG1234567890123", "PG0086132316146", "pg123", "PG-1"])
_ROUTING_CODES = st.sampled_from(["110105", "11010", "ABCDEF"])


def reference(data: LabelData) -> list[LabelViolation]:
    """Every field's check, as the gate ran them before the clean-label shortcut."""
    violations: list[LabelViolation] = []
    for role, party in (("recipient", data.recipient), ("sender", data.sender)):
        violations += check_name_field(party.name, f"{role}.name")
        violations += check_phone_field(party.phone, f"{role}.phone")
        violations += check_address_field(party.address, f"{role}.address")
    violations += check_free_text(data.parcel_description, "parcel.description")
    if data.remarks:
        violations += check_free_text(data.remarks, "remarks")
    violations += check_free_text(data.carrier_name, "carrier_name")
    violations += check_free_text(data.routing_text, "routing_text")
    return violations


@st.composite
def labels(draw: st.DrawFn) -> LabelData:
    try:
        return LabelData(
            carrier_name=draw(_CARRIERS),
            tracking_number=draw(_TRACKING),
            routing_code=draw(_ROUTING_CODES),
            routing_text=draw(_ROUTING_TEXTS),
            recipient=LabelParty(draw(_NAMES), draw(_PHONES), draw(_ADDRESSES)),
            sender=LabelParty(draw(_NAMES), draw(_PHONES), draw(_ADDRESSES)),
            qr_payload="PGT1MFRGGZDFMZTWQ2LKNNWG23TPOBYXE4DTOR2XM53YPF5A",
            parcel_description=draw(_TEXTS),
            weight_kg=1.25,
            issued_on=date(2024, 5, 1),
            remarks=draw(st.none() | _TEXTS),
        )
    except ValueError:
        assume(False)
        raise


@settings(max_examples=500, deadline=None)
@given(labels())
def test_the_gate_finds_what_every_field_check_finds(data: LabelData) -> None:
    found = label_violations(data)
    expected = reference(data)
    shape_rules = [v for v in found if v.rule in {"not_a_tracking_number", "not_a_routing_code"}]
    assert [v for v in found if v not in shape_rules] == expected
    try:
        privacy_gate(data)
        assert not found
    except LabelComplianceError:
        assert found


@given(_NAMES, _PHONES, _ADDRESSES)
def test_a_party_is_clean_exactly_when_its_field_checks_find_nothing(
    name: str, phone: str, address: str
) -> None:
    assert party_is_clean(name, phone, address) == (
        not check_name_field(name) and not check_phone_field(phone) and not check_address_field(address)
    )


@given(_TEXTS)
def test_free_text_is_clean_exactly_when_its_check_finds_nothing(text: str) -> None:
    assert free_text_is_clean(text) == (not check_free_text(text))


def test_a_clean_label_has_no_findings_and_passes() -> None:
    data = LabelData(
        carrier_name="ParcelGuard Express",
        tracking_number="PG1234567890123",
        routing_code="110105",
        routing_text="北京 朝阳区",
        recipient=LabelParty("张*", "138******78", "七台河市勃利县文化巷***号****"),
        sender=LabelParty("李*明", "010-******78", "北京市朝阳区建国路**号****"),
        qr_payload="PGT1MFRGGZDFMZTWQ2LKNNWG23TPOBYXE4DTOR2XM53YPF5A",
        parcel_description="2层蛋糕 5#电池",
        weight_kg=1.25,
        issued_on=date(2024, 5, 1),
        remarks="到了打电话 138******78",
    )
    assert reference(data) == []
    assert label_violations(data) == []
    privacy_gate(data)
