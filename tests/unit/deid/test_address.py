"""Addresses: divisions from the table, the street grammar below them, and English-style addresses."""

from __future__ import annotations

import pytest

from parcelguard.domain.deid import Detector, EntityType
from tests.unit.deid.conftest import found

ADDRESS = EntityType.ADDRESS


def addresses(detector: Detector, text: str) -> list[str]:
    return [t for t, kind in found(detector, text) if kind is ADDRESS]


@pytest.mark.parametrize(
    "address",
    [
        "北京市朝阳区建国路88号阳光花园3号楼2单元1201室",
        "广东省深圳市南山区科技园南区W1-A栋",
        "广东深圳南山区粤海街道科技南路18号",
        "浙江杭州西湖区文三路100号",
        "朝阳区建国路88号SOHO现代城5号楼1201",
        "海淀区中关村大街27号中关村大厦12层",
        "上海市徐汇区漕溪北路1200号华亭宾馆1203房间",
        "郑州市金水区花园路与农业路交叉口东南角",
        "河北省邯郸市鸡泽县李家乡三里屯村3队",
        "新疆维吾尔自治区乌鲁木齐市沙依巴克区友好南路668号",
    ],
)
def test_an_address_with_divisions_is_found_down_to_the_room(detector: Detector, address: str) -> None:
    assert addresses(detector, f"寄到{address}，谢谢") == [address]


@pytest.mark.parametrize(
    "address",
    ["建设路88号", "阳光花园3栋1802", "幸福小区5-2-1201", "天通苑北二区12号楼3单元402", "金地格林3-1-1507"],
)
def test_an_address_without_province_or_city_is_found_from_its_street_grammar(
    detector: Detector, address: str
) -> None:
    assert addresses(detector, f"我住在{address}，麻烦送上门") == [address]


def test_a_labelled_address_keeps_the_part_the_grammar_does_not_know(detector: Detector) -> None:
    assert addresses(detector, "地址：5-2-1201") == ["5-2-1201"]


def test_an_address_with_full_width_digits_and_spaces_is_found(detector: Detector) -> None:
    text = "收货地址：广东省 深圳市 南山区 科技路１８号 ３栋１８０２，电话见上"
    assert addresses(detector, text) == ["广东省 深圳市 南山区 科技路１８号 ３栋１８０２"]


def test_a_district_name_shared_by_two_cities_is_still_an_address(detector: Detector) -> None:
    assert addresses(detector, "送到朝阳区建国路88号") == ["朝阳区建国路88号"]


def test_a_short_place_name_overlapping_a_full_one_gives_way(detector: Detector) -> None:
    text = "2024年9月2日从江苏省徐州市新沂市丰收东路970号寄出"
    assert addresses(detector, text) == ["江苏省徐州市新沂市丰收东路970号"]


def test_an_estate_name_containing_a_county_name_is_kept_whole(detector: Detector) -> None:
    assert addresses(detector, "收货：龙光桃源国际21栋2单元2804，谢谢") == ["龙光桃源国际21栋2单元2804"]


def test_a_phone_right_after_an_address_is_not_swallowed_by_it(detector: Detector) -> None:
    text = "北京市朝阳区建国路88号 13812345678"
    assert found(detector, text) == [("北京市朝阳区建国路88号", ADDRESS), ("13812345678", EntityType.PHONE)]


@pytest.mark.parametrize(
    "address",
    [
        "Room 1201, No. 88 Jianguo Road, Chaoyang District, Beijing",
        "Room 505, Unit 6, Building 30, No. 549, Jiefang Road, Nanshan District, Shenzhen, Guangdong 518000",
        "88 Century Avenue, Pudong New Area, Shanghai 200120",
        "1234 Maple Street, Springfield, IL 62704",
    ],
)
def test_english_style_addresses_are_found(detector: Detector, address: str) -> None:
    assert addresses(detector, f"收件地址{address}. Please call first.") == [address]


@pytest.mark.parametrize(
    "text", ["我在北京", "上海到杭州要多久", "朝阳区的件都延误了", "长安汽车的配件", "东方明珠塔"]
)
def test_a_place_name_alone_is_not_an_address(detector: Detector, text: str) -> None:
    assert addresses(detector, text) == []


def test_a_traditional_address_is_found_whole_with_its_number_floor_and_room(detector: Detector) -> None:
    text = "禮物請寄到廣東省東莞市虎門鎮運河北路84號3樓301室，謝謝"
    assert addresses(detector, text) == ["廣東省東莞市虎門鎮運河北路84號3樓301室"]


@pytest.mark.parametrize(
    "address",
    [
        "香港九龍旺角彌敦道580號A座12樓1203室",
        "香港新界沙田火炭坳背灣街2號華衛工貿中心10樓1003室",
        "香港中環皇后大道中99號中環中心50樓",
        "九龍尖沙咀彌敦道100號",
        "澳門氹仔孫逸仙大馬路123號海景花園3座15樓B室",
        "澳門路環石排灣業興大廈第2座10樓A",
        "台北市大安區忠孝東路四段100號5樓之3",
        "台北市大安區忠孝東路四段100巷5弄3號2樓",
        "新北市板橋區中山路一段161號7樓",
        "台湾省台北市信义区信义路五段7号89楼",
    ],
)
def test_hong_kong_macau_and_taiwan_addresses_are_found_whole(detector: Detector, address: str) -> None:
    assert addresses(detector, f"請寄到{address}，謝謝") == [address]


@pytest.mark.parametrize("text", ["2层蛋糕", "5#电池", "3楼模型", "订了一个3层的蛋糕"])
def test_a_number_with_a_floor_word_in_a_description_is_not_an_address(detector: Detector, text: str) -> None:
    assert addresses(detector, text) == []


# Shapes real customers type (issue 8): no region prefix, typos in level words, dashes and # between levels,
# letters with digits, a shop or firm after the number, rural addresses without a house number, blanks.
@pytest.mark.parametrize(
    "address",
    [
        "龙港镇泰和小区B懂1097",
        "庙坝乡麻柳村民委员会田弯社131号",
        "华强北街道电子大厦15楼",
        "上海市头桥镇乔福璐33弄90号",
        "城西街道枫林路77号3-2-501",
        "梅园新村5#1单元602",
        "新华路118号国贸大厦B座1906",
        "科技园路56号星光电子有限公司",
        "石桥镇双河村五组",
        "塘下镇镇政府门卫室",
        "白沙镇青山村卫生室",
        "浙江-台州-椒江区海门街道东山路12号",
        "中国浙江省温州市鹿城区人民路100号",
        "广东省广州市天河区体育西路 58号",
        "广东省广州市其它区体育西路58号",
        "湖南省长沙市湖南省长沙市岳麓区麓山南路2号",
        "金沙路18号锦绣家园12撞3单元1502",
        "紫荆路与长江路交叉口东南角万达广场",
        "滨江大道201号凯旋门大厦A1806",
        "溪坦街溪坦村溪南1189号",
        "纺织街道金色家园5一6一1443",
        "浙江省杭州市江干区九堡四季青服装大市场6楼394",
        "温州大学生活区E区",
        "浙江省湖州市长兴县吕山乡捷凯实业有限公司",
        "香提墅139幢4/1268",
    ],
)
def test_a_real_world_address_is_found_whole_without_a_cue(detector: Detector, address: str) -> None:
    assert addresses(detector, address) == [address]
    assert addresses(detector, f"快递员说{address}没人签收") == [address]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("寄到新华路118号国贸大厦B座1906，谢谢", "新华路118号国贸大厦B座1906"),
        ("寄到新华路118号谢谢", "新华路118号"),
        ("新华路118号 张伟收", "新华路118号"),
        ("新华路118号 13812345678", "新华路118号"),
        ("我在丰收路1524号院3号楼等了一天", "丰收路1524号院3号楼"),
        ("地址：江苏省徐州市新沂市丰收东路970号寄出的", "江苏省徐州市新沂市丰收东路970号"),
        ("放在幸福小区3-2-501（2单）", "幸福小区3-2-501"),
        ("他在北京路88号上班", "北京路88号"),
        ("今天去了万达广场3楼吃饭", "万达广场3楼"),
    ],
)
def test_an_address_ends_at_a_clear_boundary(detector: Detector, text: str, address: str) -> None:
    assert addresses(detector, text) == [address]


@pytest.mark.parametrize(
    "text",
    [
        "江苏省高级人民法院判决驳回上诉",
        "北京市公安局通报了案情",
        "深圳市福利彩票发行中心表示",
        "现任天津滨海开元房地产开发有限公司副总经理",
        "曾任青海省黄南州同仁县司法局科员",
        "1990年在河南省西峡县燕岗中学任教",
        "车辆登记：线路896-B14-20",
        "上半场比分1-2落后",
        "沿着盘山公路前行",
        "江南古镇很美",
        "中山路100米处右转",
        "坐18路公交车",
        "主力户型为40-50-70平米",
        "务必05-0315:13前送达",
        "记者从陕西省安康市旬阳县人民法院获悉",
        "采访了重庆市渝中区建委开发办主任",
        "专程飞到巴南区法院作证",
        "上诉要求广州中院依法改判",
        "山东深化农村信用社改革",
        "控股了大邑交银兴民村镇银行",
        "英德胜负彩08085期开奖",
        "调配给东城区118套房源",
        "小区3期房价涨了",
        "我们镇上有20多家工厂",
        "中山路上开了12家新店",
        "下个月15号发货",
        "座位号12号",
        "包括调整265号文中有关规定",
        "沿318国道行驶",
        "坐3路公交车",
        "1982年毕业于昆明市韶山小学",
        "曾任云南沾益化肥厂财务科会计",
        "历任南京浦镇车辆工厂技术员",
    ],
)
def test_an_organisation_a_route_or_a_count_is_not_an_address(detector: Detector, text: str) -> None:
    assert addresses(detector, text) == []


def test_a_model_place_word_followed_by_a_floor_starts_an_address() -> None:
    from parcelguard.domain.deid.address import find_addresses

    text = "送货来福士15楼前台"
    assert find_addresses(text) == []
    spans = [text[c.start : c.end] for c in find_addresses(text, [(2, 5, "LOC")])]
    assert spans == ["来福士15楼前台"]
    assert find_addresses(text, [(2, 5, "ORG")]) == []
    assert find_addresses(text, []) == []


@pytest.mark.parametrize(
    ("text", "address", "name"),
    [
        ("寄到杭州市西湖区文三路100号王小明收", "杭州市西湖区文三路100号", "王小明"),
        ("寄到杭州市西湖区文三路100号欧阳娜娜收", "杭州市西湖区文三路100号", "欧阳娜娜"),
        ("北京市朝阳区建国路88号张三13800000000", "北京市朝阳区建国路88号", "张三"),
    ],
)
def test_a_recipient_glued_after_an_address_is_a_person_not_part_of_it(
    detector: Detector, text: str, address: str, name: str
) -> None:
    got = found(detector, text)
    assert (address, ADDRESS) in got
    assert (name, EntityType.PERSON) in got


def test_a_shop_ending_in_shou_is_not_taken_for_a_name(detector: Detector) -> None:
    assert addresses(detector, "温州市鹿城区五马街100号华联商厦收") == ["温州市鹿城区五马街100号华联商厦收"]
