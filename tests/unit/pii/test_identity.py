"""Identity documents: every number intake accepts is found in text, refused by the label gate, and its mask
passes; the examples of issue 6 are tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.domain.deid import Detector, EntityType
from parcelguard.domain.pii.id_type import ID_TYPES, MAX_ID_TYPE_LENGTH, IdType, compact_document_number
from parcelguard.domain.pii.identity import (
    IDENTITY_RULES,
    IdentityNumber,
    find_identity_numbers,
    hkid_check_ok,
    identity_leaks,
    mask_document_number,
    taiwan_id_check_ok,
)
from parcelguard.domain.pii.label_lint import RULES, check_label_text
from parcelguard.domain.pii.resident_id import ResidentId, compute_check_char
from parcelguard.domain.pii.uscc import uscc_check_char
from parcelguard.errors import ErrorCode, ValidationError

from .id_strategies import CUES, fillers_after, fillers_before, kinds, numbers, spellings

DETECTOR = Detector()
_PASSPORT_LIKE = {IdType.PASSPORT, IdType.HK_MACAU_TRAVEL, IdType.TAIWAN_TRAVEL}


def _entity_type(kind: IdType) -> EntityType:
    return EntityType.PASSPORT if kind in _PASSPORT_LIKE else EntityType.CN_ID


@st.composite
def documents(draw: st.DrawFn, *, numerals: bool = True) -> tuple[IdType, str, str]:
    """(type, compact number, a spelling of it); ``numerals``: digits may be Chinese numerals."""
    kind = draw(kinds)
    compact = draw(numbers(kind))
    return kind, compact, draw(spellings(compact, numerals=numerals))


# -- the types --------------------------------------------------------------------------------------------


def test_every_type_fits_the_stored_column() -> None:
    assert all(len(t) <= MAX_ID_TYPE_LENGTH for t in ID_TYPES)
    assert set(ID_TYPES) == {t.value for t in IdType}


def test_the_gate_has_one_rule_per_type() -> None:
    assert set(IDENTITY_RULES) == set(ID_TYPES)
    assert set(IDENTITY_RULES) <= set(RULES)


# -- intake: every spelling of every valid number parses to one value --------------------------------------


@settings(max_examples=200)
@given(documents())
def test_every_spelling_of_a_valid_number_parses_to_its_compact_form(doc: tuple[IdType, str, str]) -> None:
    kind, compact, spelled = doc
    number = IdentityNumber.parse(kind, spelled)
    assert number.value == compact
    assert number.id_type is kind


@pytest.mark.parametrize(
    ("id_type", "number", "expected"),
    [
        ("foreign_permanent_id", "933100199001011236", "933100199001011236"),
        ("resident_id", "11010519491231002x", "11010519491231002X"),
        ("resident_id", "110101 900307 123", "110101900307123"),
        ("passport", "e1234 5678", "E12345678"),
        ("hk_macau_travel", "Ｈ１２３４５６７８", "H12345678"),
        ("taiwan_travel", "1234-5678-90", "1234567890"),
    ],
)
def test_examples_are_accepted_as_their_own_type(id_type: str, number: str, expected: str) -> None:
    assert IdentityNumber.parse(id_type, number).value == expected


def test_residence_permit_numbers_are_their_own_types() -> None:
    for prefix, kind in (
        ("810000", IdType.HK_MACAU_RESIDENCE),
        ("820000", IdType.HK_MACAU_RESIDENCE),
        ("830000", IdType.TAIWAN_RESIDENCE),
    ):
        first17 = prefix + "19900101123"
        number = first17 + compute_check_char(first17)
        assert IdentityNumber.parse(kind, number).value == number
        assert ResidentId.parse(number).kind is kind


@pytest.mark.parametrize(
    ("id_type", "number", "right_type"),
    [
        ("resident_id", "933100199001011236", "foreign_permanent_id"),
        ("foreign_permanent_id", "11010519491231002X", "resident_id"),
        ("resident_id", "810000199001011231", "hk_macau_residence"),
    ],
)
def test_a_number_given_as_the_wrong_type_is_refused_naming_the_right_one(
    id_type: str, number: str, right_type: str
) -> None:
    first17 = number[:17]
    number = first17 + compute_check_char(first17)
    with pytest.raises(ValidationError) as caught:
        IdentityNumber.parse(id_type, number)
    assert right_type in caught.value.message
    assert number not in caught.value.message


@pytest.mark.parametrize(
    ("id_type", "number", "code"),
    [
        ("resident_id", "110105194912310021", ErrorCode.INVALID_RESIDENT_ID),  # check character
        ("resident_id", "110105491331002", ErrorCode.INVALID_RESIDENT_ID),  # month 13
        ("foreign_permanent_id", "933100199001011235", ErrorCode.INVALID_ID_NUMBER),
        ("hk_macau_residence", "811000199001011231", ErrorCode.INVALID_ID_NUMBER),
        ("passport", "E1234", ErrorCode.INVALID_ID_NUMBER),
        ("passport", "护照E12345678", ErrorCode.INVALID_ID_NUMBER),
        ("hk_macau_travel", "C12345678", ErrorCode.INVALID_ID_NUMBER),
        ("hk_macau_travel", "H123456789", ErrorCode.INVALID_ID_NUMBER),
        ("taiwan_travel", "123456789", ErrorCode.INVALID_ID_NUMBER),
        ("uscc", "91350100M000100Y44", ErrorCode.INVALID_ID_NUMBER),  # check character
        ("uscc", "91350100M000100I43", ErrorCode.INVALID_ID_NUMBER),  # I is not in the alphabet
        ("driving_licence", "123456789012", ErrorCode.INVALID_ID_TYPE),
    ],
)
def test_invalid_numbers_are_refused_with_a_code_and_without_the_value(
    id_type: str, number: str, code: ErrorCode
) -> None:
    with pytest.raises(ValidationError) as caught:
        IdentityNumber.parse(id_type, number)
    assert caught.value.code is code
    assert number not in caught.value.message


@given(kinds, st.data())
def test_one_changed_character_is_refused(kind: IdType, data: st.DataObject) -> None:
    compact = data.draw(numbers(kind))
    if kind in _PASSPORT_LIKE or len(compact) == 15:
        return  # no check character to fail
    position = data.draw(st.integers(0, len(compact) - 1))
    replacement = data.draw(st.sampled_from("0123456789"))
    changed = compact[:position] + replacement + compact[position + 1 :]
    if changed == compact:
        return
    with pytest.raises(ValidationError):
        IdentityNumber.parse(kind, changed)


def test_the_credit_code_check_character_follows_gb_32100() -> None:
    # Weights 3**i mod 31 over the alphabet without I, O, Z, S, V; the check makes the sum a multiple of 31.
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert uscc_check_char("00000000000000000") == "0"


def test_a_legacy_number_indexes_as_its_eighteen_character_form() -> None:
    legacy = IdentityNumber.parse("resident_id", "110101900307123")
    upgraded = "11010119900307123"
    assert legacy.index_value == upgraded + compute_check_char(upgraded)
    assert IdentityNumber.parse("resident_id", legacy.index_value).index_value == legacy.index_value


def test_the_repr_never_shows_the_number() -> None:
    number = IdentityNumber.parse("passport", "E12345678")
    assert "12345678" not in repr(number)


# -- free text: the detector finds every accepted spelling ---------------------------------------------------


@settings(max_examples=200)
@given(documents(), fillers_before, fillers_after, st.booleans())
def test_the_detector_finds_every_accepted_spelling_in_a_sentence(
    doc: tuple[IdType, str, str], before: str, after: str, cued: bool
) -> None:
    kind, _, spelled = doc
    cue = CUES[kind] if cued or kind in _PASSPORT_LIKE or kind is IdType.USCC else ""
    text = before + cue + spelled + after
    start = len(before + cue)
    entities = DETECTOR.detect(text)
    covering = [e for e in entities if e.start <= start and start + len(spelled) <= e.end]
    assert covering, (kind, text)
    assert covering[0].type is _entity_type(kind)


def test_the_foreign_permanent_residence_id_of_the_issue_is_found_and_redacted() -> None:
    text = "永久居留身份证号码：933100199001011236"
    entities = DETECTOR.detect(text)
    assert [(text[e.start : e.end], e.type) for e in entities] == [("933100199001011236", EntityType.CN_ID)]
    assert [m.kind for m in find_identity_numbers(text)] == [IdType.FOREIGN_PERMANENT_ID]
    assert [v.rule for v in check_label_text(text)] == ["foreign_permanent_id"]
    assert (
        IdentityNumber.parse("foreign_permanent_id", text.partition("：")[2]).masked() == "9" + "*" * 16 + "6"
    )


@pytest.mark.parametrize(
    ("prefix", "kind"),
    [
        ("810000", IdType.HK_MACAU_RESIDENCE),
        ("820000", IdType.HK_MACAU_RESIDENCE),
        ("830000", IdType.TAIWAN_RESIDENCE),
    ],
)
def test_residence_permit_numbers_are_found_redacted_and_refused_by_the_gate(
    prefix: str, kind: IdType
) -> None:
    first17 = prefix + "19900101123"
    number = first17 + compute_check_char(first17)
    text = f"居住证号码{number}，谢谢"
    assert [(text[e.start : e.end], e.type) for e in DETECTOR.detect(text)] == [(number, EntityType.CN_ID)]
    assert [m.kind for m in find_identity_numbers(text)] == [kind]
    assert [v.rule for v in check_label_text(text)] == [kind.value]


@pytest.mark.parametrize(
    ("text", "number", "kind"),
    [
        ("回乡证 H12345678 过关用", "H12345678", IdType.HK_MACAU_TRAVEL),
        ("港澳居民来往内地通行证：M1234567801", "M1234567801", IdType.HK_MACAU_TRAVEL),
        ("台胞证号码：12345678", "12345678", IdType.TAIWAN_TRAVEL),
        ("台胞证 1234567890，请核对", "1234567890", IdType.TAIWAN_TRAVEL),
        ("老身份证号110101900307123", "110101900307123", IdType.RESIDENT_ID),
        ("passport no. K12345678", "K12345678", IdType.PASSPORT),
    ],
)
def test_cued_documents_are_found(text: str, number: str, kind: IdType) -> None:
    found = find_identity_numbers(text)
    assert [(text[m.start : m.end], m.kind) for m in found] == [(number, kind)]


# -- exit-entry permits and the identity cards of Hong Kong, Macao and Taiwan (issue 6 review) -------------


@pytest.mark.parametrize(
    ("text", "number", "entity", "rule"),
    [
        ("港澳通行证 C12345678", "C12345678", EntityType.PASSPORT, "passport"),
        ("往来港澳通行证号CA1234567", "CA1234567", EntityType.PASSPORT, "passport"),
        ("台湾身份证 A123456789", "A123456789", EntityType.CN_ID, "resident_id"),
        ("香港身份证 A123456(7)", "A123456(7)", EntityType.CN_ID, "resident_id"),  # wrong check: still an ID
        ("香港身份证 A123456(3)，谢谢", "A123456(3)", EntityType.CN_ID, "resident_id"),
        ("香港身份證號碼：AB987654(2)", "AB987654(2)", EntityType.CN_ID, "resident_id"),
        ("澳门身份证 1234567(8)", "1234567(8)", EntityType.CN_ID, "resident_id"),
    ],
)
def test_regional_identity_cards_and_exit_permits_are_found_redacted_and_refused(
    text: str, number: str, entity: EntityType, rule: str
) -> None:
    assert [(text[e.start : e.end], e.type) for e in DETECTOR.detect(text)] == [(number, entity)]
    assert [v.rule for v in check_label_text(text)] == [rule]


def _taiwan_id(letter: str, body: str) -> str:
    return next(c for c in (letter + body + str(d) for d in range(10)) if taiwan_id_check_ok(c))


def _hkid(prefix: str) -> str:
    return next(c for c in (prefix + d for d in "0123456789A") if hkid_check_ok(c))


@given(
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    st.sampled_from("12"),
    st.from_regex(r"[0-9]{7}", fullmatch=True),
    st.sampled_from(["台湾身份证 ", "身分證字號：", "台灣身分證"]),
)
def test_every_taiwan_id_after_its_cue_is_found(letter: str, sex: str, digits: str, cue: str) -> None:
    number = _taiwan_id(letter, sex + digits)
    text = f"{cue}{number}，请核对"
    assert [(text[m.start : m.end], m.rule) for m in find_identity_numbers(text)] == [(number, "taiwan_id")]


@given(
    st.from_regex(r"[A-Z]{1,2}", fullmatch=True),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    st.sampled_from(["香港身份证 ", "HKID: ", "香港身份證號碼"]),
)
def test_every_hkid_after_its_cue_is_found_with_its_bracket(letters: str, digits: str, cue: str) -> None:
    number = _hkid(letters + digits)
    written = f"{number[:-1]}({number[-1]})"
    text = f"{cue}{written} 收"
    assert [(text[m.start : m.end], m.rule) for m in find_identity_numbers(text)] == [(written, "hkid")]


def test_the_check_characters_follow_their_published_rules() -> None:
    assert taiwan_id_check_ok("A123456789")
    assert not taiwan_id_check_ok("A123456788")
    assert hkid_check_ok("A1234563")
    assert not hkid_check_ok("A1234567")


@pytest.mark.parametrize(
    "text",
    [
        "型号A123456789",  # an identity card number needs its cue
        "货号C12345678",
        "共1234567件",
        "身份证 12345678",  # a Macao number needs the region in its cue
    ],
)
def test_regional_shapes_without_their_cue_are_not_documents(text: str) -> None:
    assert find_identity_numbers(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "型号H12345678",  # a product code: a permit needs its cue
        "共12345678件",
        "订单 1234567890",
        "SKU15012345678",
        "快递单号PG8613231614636",
        "PG0086132316146 已签收",
        "2024-01-15 12:30 重3.5kg",
        "A12-110105194912310021",
    ],
)
def test_codes_counts_and_dates_are_not_documents(text: str) -> None:
    assert find_identity_numbers(text) == []


# -- the label gate ---------------------------------------------------------------------------------------


@settings(max_examples=200)
@given(documents(numerals=False), fillers_before, fillers_after)
def test_the_gate_refuses_every_accepted_spelling_and_passes_its_mask(
    doc: tuple[IdType, str, str], before: str, after: str
) -> None:
    kind, compact, spelled = doc
    cue = CUES[kind]
    text = before + cue + spelled + after
    start = len(before + cue)
    violations = check_label_text(text)
    assert any(v.start <= start and start + len(spelled) <= v.end for v in violations), (kind, text)
    assert all(v.rule in IDENTITY_RULES for v in violations if v.start <= start < v.end)
    masked = IdentityNumber.parse(kind, compact).masked()
    assert identity_leaks(before + cue + masked + after) == []
    assert check_label_text(masked) == []


@given(st.integers(0, 10**13 - 1), st.sampled_from(["", "00", "86"]))
def test_tracking_numbers_are_never_identity_leaks(serial: int, prefix: str) -> None:
    number = f"PG{prefix}{serial:013d}"[: 2 + 13]
    assert identity_leaks(number) == []
    assert identity_leaks(f"运单号 {number} 重 1.25kg 2024-01-15 路由 755W-12") == []


@pytest.mark.parametrize(
    "text",
    [
        "110105********002X",
        "1101 05** **** **** 2X",
        "E1234****",
        "11010519491231002*",
        "110105194912310021",  # a wrong check character is still someone's mistyped ID
    ],
)
def test_partly_masked_or_mistyped_numbers_are_refused(text: str) -> None:
    assert [rule for _, _, rule in identity_leaks(text)] != []


@pytest.mark.parametrize(
    "text", ["1****************X", "E*******8", "138******34 1234567", "188******11-1234", "回乡证 H*******8"]
)
def test_masked_numbers_and_masked_phones_with_extensions_pass(text: str) -> None:
    assert identity_leaks(text) == []


@given(kinds, st.data())
def test_masks_show_at_most_two_characters(kind: IdType, data: st.DataObject) -> None:
    compact = data.draw(numbers(kind))
    masked = IdentityNumber.parse(kind, compact).masked()
    assert len(masked) == len(compact)
    assert sum(ch != "*" for ch in masked) <= 2


def test_mask_document_number_keeps_separators() -> None:
    assert mask_document_number("110105 19491231 002X") == "1***** ******** ***X"


def test_compact_document_number_refuses_other_characters() -> None:
    assert compact_document_number("身份证110105") is None
    assert compact_document_number("E1234,5678") is None
    assert compact_document_number("  e1234 5678 ") == "E12345678"


def test_synthetic_numbers_are_random_but_reproducible() -> None:
    from parcelguard.domain.pii.synthetic import SyntheticPeople

    first = [SyntheticPeople(3).id_number(kind) for kind in IdType]
    assert first == [SyntheticPeople(3).id_number(kind) for kind in IdType]
    assert len(set(first)) == len(first)
