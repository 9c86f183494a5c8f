"""Issue 9: the shortcuts that make order parsing cheap give exactly what the plain path gives.

Every fast path and cache in fold, the name, mobile, address, region and document parsers is held equal to
the path it short-cuts, over arbitrary Unicode text as well as over text shaped like what it is meant for
(the shortcut's own alphabet, where a mistake would hide).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.domain.order import parse_order
from parcelguard.domain.pii.divisions import Division, DivisionTable, division_table
from parcelguard.domain.pii.fold import _fold_steps, _unchanged, fold, fold_text
from parcelguard.domain.pii.id_type import ID_TYPES, IdType
from parcelguard.domain.pii.identity_number import IdentityNumber
from parcelguard.domain.pii.mobile import Mobile
from parcelguard.domain.pii.name import PersonName
from parcelguard.domain.pii.region import (
    ADDRESS_GAPS,
    _best_readings,
    clear_address_cache,
    resolve_address_region,
    resolve_region,
)
from parcelguard.domain.pii.resident_id import compute_check_char
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.errors import ErrorCode, ValidationError
from tests.unit.pii.strategies import resident_ids

# Text a shortcut accepts or nearly accepts: simplified and traditional Han, numerals, digits in both
# widths, a Latin O, separators and their look-alikes, invisible and compatibility characters.
_NEAR_FAST = st.text(
    alphabet=st.sampled_from(
        "北京市朝阳区建国路号楼单元室广东深圳南山张伟李娜欧阳"
        "一二三四五六七八九〇零幺两洞拐勾壹贰叁陆○〡"
        "張偉廣東號樓乾隆發髮"
        "0123456789０１２３ Oo.-_/()[]·•【】〔〕，。、：\u3000\u200b\ufe0f⑩㎏⻢"
    ),
    max_size=40,
)
_ANY = st.text(max_size=40)
_SETTINGS = settings(max_examples=400, deadline=None)


@_SETTINGS
@given(text=st.one_of(_ANY, _NEAR_FAST))
def test_fold_shortcut_equals_the_five_steps(text: str) -> None:
    expected = fold(text) if text.isascii() else _fold_steps(text)
    assert fold(text) == expected


@_SETTINGS
@given(text=st.one_of(_ANY, _NEAR_FAST))
def test_fold_text_shortcut_equals_the_folded_string(text: str) -> None:
    expected = fold(text).text if text.isascii() else _fold_steps(text).text
    assert fold_text(text) == expected


def test_fold_shortcut_takes_plain_simplified_text() -> None:
    text = "北京市朝阳区建国路88号院3号楼2单元1201室"
    assert _unchanged().fullmatch(text) is not None
    assert fold(text) == (text, text, None)


def _outcome(parse: Callable[[Any], object], raw: Any) -> object:
    """What ``parse`` returns, or the code, field and message of the error it raises."""
    try:
        return parse(raw)
    except ValidationError as error:
        return (error.code, error.field, error.message)


_NAME_LIKE = st.text(
    alphabet=st.sampled_from("张王李欧阳司马伟娜丽一二三〇龍張·. -\u3000\u00a0\t\n０1aZé\u200b𠮷㐀丽"),
    max_size=14,
)


@_SETTINGS
@given(raw=st.one_of(_ANY, _NAME_LIKE))
def test_name_shortcut_equals_the_plain_parser(raw: str) -> None:
    assert _outcome(PersonName.parse, raw) == _outcome(PersonName._parse, raw)


_MOBILE_LIKE = st.text(alphabet=st.sampled_from("0123456789０１+- ()O\u3000一"), max_size=16)


@_SETTINGS
@given(
    raw=st.one_of(
        _ANY,
        _MOBILE_LIKE,
        st.from_regex(r"1[0-9]{10}", fullmatch=True),
        st.from_regex(r"[ ]?1[0-9]{2}(?:[ \-]{0,2}[0-9]){8}[ \n]?", fullmatch=True),
    )
)
def test_mobile_shortcut_equals_the_plain_parser(raw: str) -> None:
    assert _outcome(Mobile.parse, raw) == _outcome(Mobile._parse, raw)


def _check_char_by_int(first17: str) -> str:
    """GB 11643's definition, digit by digit (what compute_check_char computed before issue 9)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(ch) * w for ch, w in zip(first17, weights, strict=True)) % 11]


@_SETTINGS
@given(first17=st.one_of(st.from_regex(r"[0-9]{17}", fullmatch=True), _ANY))
def test_check_character_from_code_points_equals_the_definition(first17: str) -> None:
    plain = len(first17) == 17 and first17.isascii() and first17.isdigit()
    expected = _outcome(_check_char_by_int, first17) if plain else None
    assert _outcome(compute_check_char, first17) == (
        expected if plain else (ErrorCode.INVALID_RESIDENT_ID, "resident_id", _CHECK_CHAR_ERROR)
    )


_CHECK_CHAR_ERROR = "resident_id: needs seventeen digits to compute a check character"


@_SETTINGS
@given(id_type=st.one_of(st.sampled_from([*ID_TYPES, "Resident_ID", "passport ", ""]), _ANY), raw=_ANY)
def test_id_type_table_equals_the_enum_lookup(id_type: str, raw: str) -> None:
    def by_enum(value: str) -> object:
        try:
            IdType(value)
        except ValueError:
            return (ErrorCode.INVALID_ID_TYPE, "id_type", "id_type: is not a known identity document type")
        return _outcome(lambda r: IdentityNumber.parse(IdType(value), r, today=_TODAY), raw)

    assert _outcome(lambda r: IdentityNumber.parse(id_type, r, today=_TODAY), raw) == by_enum(id_type)


_TODAY = date(2026, 11, 30)


def _readings_by_candidates(
    table: DivisionTable, text: str, start: int, gaps: str, confirmed_only: bool
) -> list[tuple[int, Division, int, int]]:
    """The resolver's search as it was before issue 9, over DivisionTable.candidates (the plain path)."""
    best_key: tuple[int, int, int] | None = None
    best: list[tuple[int, Division, int, int]] = []
    furthest = -1
    unconfirmed: list[tuple[int, Division, int, int]] = []
    length = len(text)
    stack: list[tuple[int, Division | None, int, int, bool]] = [(start, None, 0, 0, True)]
    while stack:
        pos, current, names, fulls, confirmed = stack.pop()
        if current is not None:
            if confirmed or not confirmed_only:
                key = (pos, current.depth, fulls)
                if best_key is None or key > best_key:
                    best_key, best = key, [(pos, current, names, fulls)]
                elif key == best_key:
                    best.append((pos, current, names, fulls))
            elif best_key is None:
                if pos > furthest:
                    furthest, unconfirmed = pos, [(pos, current, names, fulls)]
                elif pos == furthest:
                    unconfirmed.append((pos, current, names, fulls))
            if not table.has_children(current):
                continue
        for division, end, short, ambiguous in table.candidates(text, pos, current):
            if end > length:
                continue
            while end < length and text[end] in gaps:
                end += 1
            stack.append((end, division, names + 1, fulls + (not short), not ambiguous))
    return best if best_key is not None else unconfirmed


_TABLE = division_table()
_PLACE_WORDS = sorted(
    {d.name for d in _TABLE}
    | {d.short_name for d in _TABLE if d.short_name}
    | {"呼市", "内蒙", "延边州", "祁阳县", "市中区", "朝阳", "鼓楼", "路", "大道", "大街", "街道", "号"}
)
_PLACE_PIECES = st.one_of(
    st.sampled_from(_PLACE_WORDS),
    st.sampled_from([*ADDRESS_GAPS, "市", "区", "县", "省", "州", "旗", "道", "里", "街"]),
    st.text(max_size=2),
)
ADDRESS_LIKE = st.lists(_PLACE_PIECES, max_size=6).map("".join)


@settings(max_examples=600, deadline=None)
@given(
    text=st.one_of(ADDRESS_LIKE, _ANY),
    start=st.integers(0, 4),
    gaps=st.sampled_from([ADDRESS_GAPS, "", " ,-"]),
    confirmed_only=st.booleans(),
)
def test_inlined_region_search_equals_the_search_over_candidates(
    text: str, start: int, gaps: str, confirmed_only: bool
) -> None:
    start = min(start, len(text))
    expected = _readings_by_candidates(_TABLE, text, start, gaps, confirmed_only)
    assert _best_readings(_TABLE, text, start, gaps, confirmed_only) == expected


_REGION_PREFIXES = st.lists(ADDRESS_LIKE, min_size=1, max_size=4)
_TAILS = st.one_of(
    st.text(max_size=6),
    st.lists(_PLACE_PIECES, max_size=3).map("".join),
    st.sampled_from(["", "路", "市", "区", "大道", "大街", ",", " ", "-琵琶街道", "琵琶街道", "中山路1号"]),
)


@settings(max_examples=300, deadline=None)
@given(prefixes=_REGION_PREFIXES, data=st.data())
def test_address_region_cache_equals_the_resolver(prefixes: list[str], data: st.DataObject) -> None:
    """Texts sharing region prefixes and differing after them: every answer from the cache, hit or miss,
    is what the resolver says of that text."""
    clear_address_cache()
    for _ in range(8):
        text = data.draw(st.sampled_from(prefixes)) + data.draw(_TAILS)
        assert resolve_address_region(text) == resolve_region(text)


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.one_of(ADDRESS_LIKE, _ANY), max_size=6))
def test_address_region_cache_equals_the_resolver_on_any_text(texts: list[str]) -> None:
    for text in texts:
        assert resolve_address_region(text) == resolve_region(text)


def test_address_region_cache_answers_an_ambiguous_district_settled_by_its_town() -> None:
    clear_address_cache()
    for text in (
        "江苏省鼓楼区琵琶街道1号",
        "江苏省鼓楼区中山路1号",
        "江苏省鼓楼区琵琶街道2号",
        "北京朝阳区",
        "朝阳区1号",
    ):
        assert resolve_address_region(text) == resolve_region(text)


def _frozen(value: object) -> object:
    """``value`` with every dict a read-only mapping that is not a dict (intake's general path)."""
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    return value


_PEOPLE = SyntheticPeople(9)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def _orders(draw: st.DrawFn) -> object:
    """Valid orders with some fields replaced, dropped or added: every outcome of intake."""
    order: dict[str, Any] = _PEOPLE.order()
    if draw(st.booleans()):
        section = draw(st.sampled_from(["sender", "recipient", "parcel", None]))
        target = order if section is None else order[section]
        key = draw(st.sampled_from([*target.keys(), "extra"]))
        if draw(st.booleans()):
            target[key] = draw(_JSON_VALUES)
        else:
            target.pop(key, None)
    return draw(st.one_of(st.just(order), _JSON_VALUES))


@settings(max_examples=300, deadline=None)
@given(raw=_orders())
def test_intake_shortcuts_for_dicts_equal_the_general_mapping_path(raw: object) -> None:
    assert _outcome(parse_order, raw) == _outcome(lambda r: parse_order(_frozen(r)), raw)  # type: ignore[arg-type]


@st.composite
def _gb11643_like(draw: st.DrawFn) -> str:
    """Valid resident ID numbers, the residence permits' and foreigners' prefixes, and near misses."""
    number = draw(resident_ids())
    prefix = draw(st.sampled_from(["", "810000", "820000", "830000", "911156", "990000", "000000"]))
    if prefix:
        first17 = prefix + number[6:17]
        number = first17 + compute_check_char(first17)
    change = draw(st.sampled_from(["none", "lower", "space", "check", "future", "digit", "cut"]))
    if change == "lower":
        number = number.lower()
    elif change == "space":
        number = f" {number[:6]} {number[6:]}"
    elif change == "check":
        number = number[:17] + draw(st.sampled_from("0123456789Xx"))
    elif change == "future":
        first17 = number[:6] + "20991231" + number[14:17]
        number = first17 + compute_check_char(first17)
    elif change == "digit":
        at = draw(st.integers(0, 17))
        number = number[:at] + draw(st.sampled_from("0123456789X０")) + number[at + 1 :]
    elif change == "cut":
        number = number[: draw(st.integers(0, 17))]
    return number


@_SETTINGS
@given(
    id_type=st.sampled_from([*ID_TYPES, "nonsense"]),
    raw=st.one_of(_gb11643_like(), _ANY),
    today=st.sampled_from([None, _TODAY, date(1990, 1, 1)]),
)
def test_plain_gb11643_shortcut_equals_the_full_parser(id_type: str, raw: str, today: date | None) -> None:
    def parse(r: str) -> object:
        return IdentityNumber.parse(id_type, r, today=today)

    def plain(r: str) -> object:
        return IdentityNumber._parse(id_type, r, today=today)

    assert _outcome(parse, raw) == _outcome(plain, raw)
