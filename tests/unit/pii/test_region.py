"""The one division resolver: readings, ambiguity, towns that settle it, common ancestors."""

from __future__ import annotations

import pytest

from parcelguard.domain.pii.address import candidate_cities
from parcelguard.domain.pii.region import common_ancestor, resolve_region, town_at


def test_no_division_name_at_the_start_gives_none() -> None:
    assert resolve_region("阳光花园3栋1201") is None


def test_nested_names_resolve_to_the_deepest_division_and_say_where_they_end() -> None:
    region = resolve_region("广东省深圳市南山区科技南路18号")
    assert region is not None and region.division is not None
    assert (region.division.code, region.end, region.names, region.full) == ("440305", 9, 3, True)


def test_a_district_several_cities_have_returns_every_candidate() -> None:
    region = resolve_region("鼓楼区建设路1号")
    assert region is not None and region.ambiguous and region.division is None
    assert {d.code for d in region.divisions} == {"320106", "320302", "350102", "410204"}
    assert set(candidate_cities(region)) == {"南京市", "徐州市", "福州市", "开封市"}


def test_a_province_narrows_the_candidates() -> None:
    region = resolve_region("江苏省鼓楼区复兴北路1号")
    assert region is not None
    assert {d.code for d in region.divisions} == {"320106", "320302"}
    ancestor = common_ancestor(region.divisions)
    assert ancestor is not None and ancestor.code == "320000"


@pytest.mark.parametrize(
    ("text", "code"),
    [("江苏省鼓楼区琵琶街道复兴北路1号", "320302"), ("鼓楼区宁海路街道北京西路1号", "320106")],
)
def test_a_town_only_one_candidate_has_settles_it(text: str, code: str) -> None:
    region = resolve_region(text)
    assert region is not None and region.division is not None
    assert region.division.code == code


def test_a_town_is_not_used_when_asked_not_to_settle() -> None:
    region = resolve_region("江苏省鼓楼区琵琶街道复兴北路1号", settle=False)
    assert region is not None and region.ambiguous


def test_a_town_both_candidates_have_does_not_settle_it() -> None:
    # 城关镇 is a town name in hundreds of counties.
    found = town_at("城关镇", 0)
    assert found is not None and len(found[1]) > 2


def test_an_unconfirmed_short_form_lists_every_place_it_may_be() -> None:
    region = resolve_region("朝阳建国路88号")
    assert region is not None and region.ambiguous
    assert {d.code for d in region.divisions} >= {"110105", "220104", "211300"}


def test_same_named_city_codes_count_as_one_place() -> None:
    region = resolve_region("重庆市解放碑步行街1号")
    assert region is not None and region.division is not None


def test_the_detector_reading_goes_furthest_even_through_an_ambiguous_name() -> None:
    region = resolve_region("广东 深圳 南山区", gaps=" ", settle=False, confirmed_only=False)
    assert region is not None and region.division is not None
    assert region.division.code == "440305"
