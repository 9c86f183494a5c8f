from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.pii.address import Address, Household
from parcelguard.domain.pii.divisions import division_table
from parcelguard.errors import ErrorCode, ValidationError


def test_a_full_address_splits_into_divisions_street_and_detail() -> None:
    address = Address.parse("北京市朝阳区建国路88号阳光花园3号楼2单元1201室")
    assert (address.province, address.city, address.district, address.adcode) == (
        "北京市",
        "北京市",
        "朝阳区",
        "110105",
    )
    assert address.street == "建国路88号"
    assert (address.street_name, address.house_number) == ("建国路", "88号")
    assert address.detail == "阳光花园3号楼2单元1201室"
    assert address.region == "北京市朝阳区"


def test_masking_keeps_region_and_street_name_and_hides_number_and_detail() -> None:
    address = Address.parse("北京市朝阳区建国路88号阳光花园3号楼2单元1201室")
    assert address.masked() == "北京市朝阳区建国路**号****"


@pytest.mark.parametrize(
    ("raw", "cities"),
    [
        ("江苏省鼓楼区复兴北路1号", ("南京市", "徐州市")),
        ("朝阳区人民大街1号", ("北京市", "长春市")),
        ("朝阳区建国路88号5栋1802", ("北京市", "长春市")),
        ("南山区建设路1号", ("鹤岗市", "深圳市")),
        ("鼓楼区建设路1号", ("南京市", "徐州市", "福州市", "开封市")),
        ("朝阳建国路88号", ("北京市", "朝阳市", "长春市")),
    ],
)
def test_a_place_several_cities_have_is_refused_naming_the_candidate_cities(
    raw: str, cities: tuple[str, ...]
) -> None:
    with pytest.raises(ValidationError) as caught:
        Address.parse(raw)
    assert caught.value.code is ErrorCode.INVALID_ADDRESS
    assert caught.value.field == "address"
    for city in cities:
        assert city in caught.value.message
    assert "复兴北路" not in caught.value.message and "建设路" not in caught.value.message


@pytest.mark.parametrize(
    ("raw", "adcode"),
    [
        ("江苏省鼓楼区琵琶街道复兴北路1号", "320302"),  # only Xuzhou's 鼓楼区 has 琵琶街道
        ("鼓楼区宁海路街道北京西路1号", "320106"),  # only Nanjing's has 宁海路街道
        ("朝阳区三里屯街道工体北路1号", "110105"),
    ],
)
def test_a_town_only_one_candidate_has_settles_the_ambiguity(raw: str, adcode: str) -> None:
    address = Address.parse(raw)
    assert address.adcode == adcode
    assert address.street is not None and "街道" in address.street


@pytest.mark.parametrize(
    ("raw", "adcode", "region"),
    [
        ("呼市新城区新华大街1号", "150102", "内蒙古自治区呼和浩特市新城区"),
        ("乌市天山区解放北路20号", "650102", "新疆维吾尔自治区乌鲁木齐市天山区"),
        ("哈市道里区中央大街1号", "230102", "黑龙江省哈尔滨市道里区"),
    ],
)
def test_everyday_abbreviations_of_city_names_resolve(raw: str, adcode: str, region: str) -> None:
    address = Address.parse(raw)
    assert (address.adcode, address.region) == (adcode, region)


@pytest.mark.parametrize(
    ("raw", "adcode"),
    [
        ("湖南省祁阳县人民路1号", "431181"),  # 祁阳县 became 祁阳市 (2021)
        ("北京市密云县鼓楼大街1号", "110118"),  # 密云县 became 密云区 (2015)
        ("山东省莱芜市长勺北路1号", "370116"),  # 莱芜市 became 济南市莱芜区 (2019)
        ("新疆塔城地区沙湾县人民路1号", "654203"),  # 沙湾县 became 沙湾市 (2021)
    ],
)
def test_former_names_of_renamed_divisions_resolve_to_their_successor(raw: str, adcode: str) -> None:
    assert Address.parse(raw).adcode == adcode


@pytest.mark.parametrize(
    "raw",
    [
        "新疆伊犁哈萨克自治州塔城地区额敏县人民路1号",
        "新疆维吾尔自治区伊犁州塔城地区额敏县人民路1号",
        "伊犁哈萨克自治州塔城地区额敏县人民路1号",
    ],
)
def test_a_prefecture_inside_a_sub_provincial_autonomous_prefecture_resolves_to_its_county(raw: str) -> None:
    address = Address.parse(raw)
    assert address.adcode == "654221"
    assert address.city == "塔城地区"


def test_traditional_characters_are_folded_before_parsing() -> None:
    address = Address.parse("廣東省東莞市虎門鎮運河北路84號3樓")
    assert address.adcode == "441900"
    assert address.street == "虎门镇运河北路84号"
    assert address.household.floor == "3楼"
    assert address.masked() == "广东省东莞市虎门镇运河北路**号****"


@pytest.mark.parametrize(
    ("raw", "household"),
    [
        (
            "北京市朝阳区建国路88号阳光花园3号楼2单元1201室",
            Household("88号", "3号楼", "2单元", None, "1201室"),
        ),
        ("深圳市南山区科技南路18号5栋1802", Household("18号", "5栋", None, None, "1802")),
        ("深圳市南山区阳光花园5-2-1201", Household(None, "5", "2", None, "1201")),
        ("深圳市南山区阳光花园12-301", Household(None, "12", None, None, "301")),
        (
            "上海市徐汇区漕溪北路1200号华亭宾馆B座12层1203房间",
            Household("1200号", "B座", None, "12层", "1203房间"),
        ),
        ("广东省东莞市长安镇振安路88号", Household("88号")),
        ("香港九龍旺角彌敦道580號A座12樓1203室", Household("580号", "A座", None, "12楼", "1203室")),
        ("台北市大安區忠孝東路四段100號5樓之3", Household("100号", None, None, "5楼", None)),
    ],
)
def test_the_household_parts_are_exposed_as_written(raw: str, household: Household) -> None:
    assert Address.parse(raw).household == household


@pytest.mark.parametrize(
    "raw", ["长春市朝阳区建国路88号", "吉林省长春市朝阳区建国路88号", "长春朝阳区建国路88号"]
)
def test_an_explicit_city_resolves_the_ambiguous_district(raw: str) -> None:
    address = Address.parse(raw)
    assert address.adcode == "220104"
    assert (address.province, address.city) == ("吉林省", "长春市")


def test_a_province_short_form_alone_can_resolve_the_ambiguous_district() -> None:
    assert Address.parse("吉林朝阳区建国路88号").adcode == "220104"


@pytest.mark.parametrize(
    ("raw", "adcode", "region"),
    [
        ("上海市浦东新区世纪大道100号", "310115", "上海市浦东新区"),
        ("上海浦东世纪大道100号", "310115", "上海市浦东新区"),
        ("北京北京市海淀区中关村大街1号", "110108", "北京市海淀区"),
        ("天津市和平区南京路1号", "120101", "天津市和平区"),
        ("重庆市渝中区解放碑步行街1号", "500103", "重庆市渝中区"),
        ("重庆市石柱土家族自治县城关路1号", "500240", "重庆市石柱土家族自治县"),
    ],
)
def test_municipality_addresses(raw: str, adcode: str, region: str) -> None:
    address = Address.parse(raw)
    assert (address.adcode, address.region) == (adcode, region)


@pytest.mark.parametrize(
    ("raw", "adcode", "province"),
    [
        ("内蒙古自治区呼和浩特市新城区新华大街1号", "150102", "内蒙古自治区"),
        ("内蒙古呼和浩特新城区新华大街1号", "150102", "内蒙古自治区"),
        ("广西南宁青秀区民族大道100号", "450103", "广西壮族自治区"),
        ("新疆乌鲁木齐天山区解放北路20号", "650102", "新疆维吾尔自治区"),
        ("宁夏回族自治区银川市兴庆区解放西街1号", "640104", "宁夏回族自治区"),
        ("西藏拉萨城关区北京中路1号", "540102", "西藏自治区"),
        ("吉林省延边朝鲜族自治州延吉市人民路1号", "222401", "吉林省"),
        ("延边延吉人民路1号", "222401", "吉林省"),
    ],
)
def test_autonomous_regions_and_prefectures_in_full_and_short_form(
    raw: str, adcode: str, province: str
) -> None:
    address = Address.parse(raw)
    assert (address.adcode, address.province) == (adcode, province)


@pytest.mark.parametrize(
    ("raw", "adcode", "city", "district"),
    [
        ("江苏省苏州市昆山市周庄镇全福路1号", "320583", "苏州市", "昆山市"),
        ("苏州昆山周庄镇全福路1号", "320583", "苏州市", "昆山市"),
        ("湖北省仙桃市仕林街道黄金大道5号", "429004", "仙桃市", None),
        ("湖北神农架林区松柏镇神农大道1号", "429021", "神农架林区", None),
    ],
)
def test_county_level_cities(raw: str, adcode: str, city: str, district: str | None) -> None:
    address = Address.parse(raw)
    assert (address.adcode, address.city, address.district) == (adcode, city, district)


@pytest.mark.parametrize(
    ("raw", "adcode"),
    [
        ("广东省东莞市长安镇振安路88号", "441900"),
        ("东莞长安镇振安路88号", "441900"),
        ("广东省中山市石岐街道孙文中路1号", "442000"),
        ("海南省儋州市那大镇人民路1号", "460400"),
        ("甘肃省嘉峪关市新华路3号", "620200"),
    ],
)
def test_prefecture_level_cities_without_counties_have_no_district(raw: str, adcode: str) -> None:
    address = Address.parse(raw)
    assert address.adcode == adcode
    assert address.district is None


@pytest.mark.parametrize(
    ("raw", "adcode"),
    [
        ("河北石家庄桥西区中山路1号", "130104"),
        ("黑龙江哈尔滨道里区中央大街1号", "230102"),
        ("山东济南市中区经七路1号", "370103"),
        ("江苏镇江京口区中山路1号", "321102"),
    ],
)
def test_a_district_starting_with_a_street_or_suffix_character_still_follows_a_short_city(
    raw: str, adcode: str
) -> None:
    assert Address.parse(raw).adcode == adcode


@pytest.mark.parametrize(
    ("raw", "adcode"),
    [
        ("延边州延吉市人民路1号", "222401"),
        ("恩施州恩施市航空大道1号", "422801"),
        ("重庆酉阳县桃花源大道1号", "500242"),
    ],
)
def test_everyday_names_of_autonomous_divisions_are_understood(raw: str, adcode: str) -> None:
    assert Address.parse(raw).adcode == adcode


def test_a_short_form_shared_by_a_prefecture_and_its_counties_resolves_to_the_prefecture() -> None:
    address = Address.parse("临夏建设路1号")
    assert (address.adcode, address.city, address.district) == ("622900", "临夏回族自治州", None)


def test_the_town_stays_in_the_street_name_of_a_city_without_counties() -> None:
    address = Address.parse("广东省东莞市长安镇振安路88号")
    assert address.street == "长安镇振安路88号"
    assert address.masked() == "广东省东莞市长安镇振安路**号****"


def test_fullwidth_digits_and_spaces_are_normalised() -> None:
    address = Address.parse("中国 广东省 深圳市 南山区 科技南路 １８号 ５栋１８０２")
    assert address.full == "广东省深圳市南山区科技南路18号5栋1802"
    assert (address.adcode, address.street, address.detail) == ("440305", "科技南路18号", "5栋1802")


def test_a_street_word_after_a_city_is_the_street_not_a_district() -> None:
    address = Address.parse("北京市朝阳路88号")
    assert address.district is None
    assert address.street == "朝阳路88号"


def test_a_shanghai_lane_number_is_the_house_number() -> None:
    address = Address.parse("上海市黄浦区长乐路123弄4号601室")
    assert (address.street_name, address.house_number, address.detail) == ("长乐路", "123弄4号", "601室")
    assert address.masked() == "上海市黄浦区长乐路***弄*号****"


def test_a_building_number_is_not_taken_for_a_house_number() -> None:
    address = Address.parse("北京市朝阳区建国路88号楼1单元101")
    assert (address.street_name, address.house_number, address.detail) == ("建国路", None, "88号楼1单元101")
    assert address.masked() == "北京市朝阳区建国路****"


def test_an_unrecognised_street_goes_entirely_to_the_hidden_detail() -> None:
    address = Address.parse("深圳市南山区阳光花园3栋1201")
    assert address.street is None
    assert address.detail == "阳光花园3栋1201"
    assert address.masked() == "广东省深圳市南山区****"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "阳光花园3栋1201",
        "广东省科技路1号",
        "北京市朝阳区",
        "深圳市",
        "北京\x00市朝阳区建国路1号",
        "北" * 201,
    ],
)
def test_unresolvable_addresses_are_rejected(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Address.parse(raw)
    assert caught.value.code is ErrorCode.INVALID_ADDRESS
    assert caught.value.field == "address"


def test_every_leaf_division_round_trips_with_its_full_names() -> None:
    table = division_table()
    failures = []
    for leaf in table.leaves():
        region = "".join(d.name for d in (*table.ancestors(leaf), leaf))
        if Address.parse(region + "建设路1号").adcode != leaf.code:
            failures.append(leaf.code)
    assert failures == []


def test_the_repr_shows_only_the_masked_address() -> None:
    assert "1201" not in repr(Address.parse("北京市朝阳区建国路88号阳光花园3号楼2单元1201室"))


details = st.text(st.sampled_from("0123456789号楼栋单元室层花园小区ABC座-"), min_size=1, max_size=20)


@given(st.sampled_from(["建国路", "人民大道", "长安街", "南锣鼓巷"]), st.integers(1, 9999), details)
def test_the_masked_address_never_contains_a_digit(street: str, number: int, detail: str) -> None:
    masked = Address.parse(f"北京市东城区{street}{number}号{detail}").masked()
    assert not any(ch.isdigit() for ch in masked)
    assert masked.endswith("****")


@pytest.mark.parametrize(
    ("raw", "building", "unit", "room"),
    [
        ("浙江省温州市苍南县龙港镇泰和小区B懂1097", "B懂", None, "1097"),
        ("浙江省温州市苍南县龙港镇泰和小区12撞1097", "12撞", None, "1097"),
        ("浙江省杭州市西湖区梅园新村5#1单元602", "5#", "1单元", "602"),
        ("广东省深圳市南山区科苑路15号科兴科学园B栋401", "B栋", None, "401"),
    ],
)
def test_household_detail_typed_with_letters_hashes_or_homophones_is_read(
    raw: str, building: str, unit: str | None, room: str
) -> None:
    household = Address.parse(raw).household
    assert (household.building, household.unit, household.room) == (building, unit, room)
