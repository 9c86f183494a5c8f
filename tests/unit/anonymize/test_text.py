"""Free text rewritten by policy: spans replaced in place, overlaps merged, kept types untouched."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.adapters.crypto.pseudonym import HmacPseudonymizer
from parcelguard.domain.anonymize import Operator, TextPolicy, ValueOperators, apply_text_policy
from parcelguard.domain.deid.entity import Entity, EntityType
from tests.unit.anonymize.fakes import FakeDetector
from tests.unit.pii.strategies import mobile_digits

TEXT = "张伟的电话13800138000，身份证11010519491231002X，邮箱zw@example.com，送到北京市朝阳区建国路88号"
PSEUDONYMS = HmacPseudonymizer(bytes(32))


def operators() -> ValueOperators:
    return ValueOperators(pseudonymize=lambda t, v: PSEUDONYMS.pseudonym("t", t.value, v))


def test_redaction_replaces_every_finding_with_its_type_tag() -> None:
    result = apply_text_policy(TEXT, FakeDetector().detect(TEXT), TextPolicy.uniform(), operators())
    assert result.text == "<PERSON>的电话<PHONE>，身份证<CN_ID>，邮箱<EMAIL>，送到<ADDRESS>"
    for replacement in result.replacements:
        assert (
            result.text[replacement.output_start : replacement.output_end] == f"<{replacement.entity.type}>"
        )


def test_each_type_gets_its_own_operator_and_kept_types_stay() -> None:
    policy = TextPolicy.parse(
        {
            "PERSON": "mask",
            "PHONE": "pseudonymize",
            "CN_ID": "generalize",
            "EMAIL": "keep",
            "ADDRESS": "generalize",
        }
    )
    result = apply_text_policy(TEXT, FakeDetector().detect(TEXT), policy, operators())
    assert result.text.startswith("张*的电话PSN_PHONE_")
    assert "北京市/1949" in result.text and "zw@example.com" in result.text
    assert result.text.endswith("送到北京市朝阳区")
    assert {r.entity.type for r in result.replacements} == {
        EntityType.PERSON,
        EntityType.PHONE,
        EntityType.CN_ID,
        EntityType.ADDRESS,
    }


def test_overlapping_findings_are_merged_so_no_character_of_either_survives() -> None:
    text = "地址北京市朝阳区13800138000号"
    entities = [
        Entity(2, 8, EntityType.ADDRESS, 0.9, "a"),
        Entity(8, 19, EntityType.PHONE, 0.9, "b"),
        Entity(5, 12, EntityType.PERSON, 0.5, "c"),
    ]
    result = apply_text_policy(text, entities, TextPolicy.uniform(), operators())
    assert result.text == "地址<ADDRESS>号"
    assert len(result.replacements) == 1 and result.replacements[0].entity.end == 19


def test_spans_beyond_the_text_are_clamped_not_trusted() -> None:
    result = apply_text_policy(
        "call 13800138000", [Entity(5, 40, EntityType.PHONE, 1, "x")], TextPolicy.uniform(), operators()
    )
    assert result.text == "call <PHONE>"


def test_a_value_that_cannot_be_encrypted_is_redacted() -> None:
    ops = ValueOperators(encrypt=lambda t, v: None)
    policy = TextPolicy.uniform().with_overrides({EntityType.PHONE: Operator.ENCRYPT})
    result = apply_text_policy("call 1380013", [Entity(5, 12, EntityType.PHONE, 1, "x")], policy, ops)
    assert result.text == "call <PHONE>" and not result.replacements[0].parsed


@settings(max_examples=100, deadline=None)
@given(
    before=st.text(alphabet="好的请联系，。 abc", max_size=20),
    number=mobile_digits,
    after=st.text(alphabet="好的。 ", max_size=20),
)
def test_masked_phones_in_text_never_keep_more_than_five_digits(before: str, number: str, after: str) -> None:
    text = before + number + after
    policy = TextPolicy.uniform(Operator.MASK)
    result = apply_text_policy(text, FakeDetector().detect(text), policy, operators())
    assert number not in result.text
    assert result.text.startswith(before) and result.text.endswith(after)
    assert sum(ch.isdigit() for ch in result.text) == 5
