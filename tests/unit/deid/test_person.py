"""Person names: Chinese with cues and titles, compound and ambiguous surnames, minority and Latin names."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcelguard.domain.deid import Detector, EntityType
from parcelguard.domain.pii.fold import fold
from parcelguard.domain.pii.name import PersonName
from tests.unit.deid.conftest import found
from tests.unit.pii.test_name_recogniser import (
    _STRONG_SENTENCES,
    _readable,
    any_surnames,
    han_names,
    minority_names,
)

PERSON = EntityType.PERSON


def names(detector: Detector, text: str) -> list[str]:
    return [t for t, kind in found(detector, text) if kind is PERSON]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("收件人：张伟，电话没变", "张伟"),
        ("寄件人李娜已寄出", "李娜"),
        ("联系人王小明13812345678", "王小明"),
        ("我是刘洋，麻烦帮我查一下", "刘洋"),
        ("我叫陈静", "陈静"),
        ("姓名：赵丽颖", "赵丽颖"),
        ("快递员周星星说明天送", "周星星"),
        ("扫描员郭欣 单号YT0724376544330", "郭欣"),
        ("麻烦转交给杨帆", "杨帆"),
        ("张伟，13812345678，北京市朝阳区建国路88号", "张伟"),
    ],
)
def test_a_chinese_name_after_a_cue_is_found_without_the_words_around_it(
    detector: Detector, text: str, name: str
) -> None:
    assert names(detector, text) == [name]


@pytest.mark.parametrize("surname", ["欧阳", "司马", "诸葛", "上官", "皇甫", "慕容", "令狐", "端木"])
def test_compound_surnames_are_kept_whole(detector: Detector, surname: str) -> None:
    assert names(detector, f"收件人{surname}娜娜，电话没变") == [f"{surname}娜娜"]
    assert names(detector, f"{surname}先生您好") == [surname]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("王先生您好", "王"),
        ("请联系方经理", "方"),
        ("李师傅已出发", "李"),
        ("谢谢张女士", "张"),
        ("交给单老师", "单"),
    ],
)
def test_a_surname_before_a_title_is_a_person_without_the_title(
    detector: Detector, text: str, name: str
) -> None:
    assert names(detector, text) == [name]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("收件人张伟明天在家", "张伟"),
        ("收件人李娜电话13812345678", "李娜"),
        ("收件人王芳收", "王芳"),
        ("收件人张伟北京市朝阳区", "张伟"),
    ],
)
def test_the_given_name_stops_before_the_words_that_follow_names(
    detector: Detector, text: str, name: str
) -> None:
    assert names(detector, text)[0] == name


def test_a_surname_with_mou_is_a_person_in_complaint_style(detector: Detector) -> None:
    assert names(detector, "据李某反映，快递员王某某态度恶劣，于某天再来") == ["李某", "王某某"]


def test_names_in_a_list_are_each_found(detector: Detector) -> None:
    assert names(detector, "收件人张伟、李娜和王芳都说没收到") == ["张伟", "李娜", "王芳"]


@pytest.mark.parametrize("name", ["阿卜杜·热合曼", "买买提·吐尔逊", "热依拉•阿不都"])
def test_minority_names_with_a_middle_dot_are_found_whole(detector: Detector, name: str) -> None:
    assert names(detector, f"收件人{name}，电话13812345678") == [name]


def test_tibetan_names_without_a_surname_are_found_after_a_cue(detector: Detector) -> None:
    assert names(detector, "收件人：扎西多吉，电话13812345678") == ["扎西多吉"]


@pytest.mark.parametrize(
    "text",
    [
        "客户反映快递员态度不好",
        "联系客服半天没人理",
        "收件人不在家，已放快递柜",
        "请于明天下午前送达",
        "给高层住户送件要爬楼",
        "地址是安庆市太湖县华润中心25幢",
    ],
)
def test_words_after_a_cue_that_are_not_names_are_not_taken(detector: Detector, text: str) -> None:
    assert names(detector, text) == []


def test_a_name_like_word_inside_an_address_belongs_to_the_address(detector: Detector) -> None:
    text = "送到张家港市杨舍镇人民路88号"
    assert found(detector, text) == [("张家港市杨舍镇人民路88号", EntityType.ADDRESS)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mr. John Smith will pick it up", "John Smith"),
        ("Dear Mary, your parcel has arrived", "Mary"),
        ("Recipient: Ouyang Nana, Tel: 13812345678", "Ouyang Nana"),
        ("Courier Daniel Wilson called at 10:30", "Daniel Wilson"),
        ("Name is Olivia T. Bennett, phone 13812345678", "Olivia T. Bennett"),
        ("contact Michael O'Brien today", "Michael O'Brien"),
        ("Hi Mr. McDonald, we tried to deliver", "McDonald"),
        ("姓名：ZHAO Lei，护照E12345678", "ZHAO Lei"),
        ("报关：Yuting He，Passport E12345678", "Yuting He"),
        ("Please call Wang Fang's mobile", "Wang Fang"),
    ],
)
def test_english_and_pinyin_names_are_found_without_titles(detector: Detector, text: str, name: str) -> None:
    assert names(detector, text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "Dear Customer, thank you for choosing SF Express",
        "Delivered to Hong Kong warehouse",
        "Please leave it at the front desk",
        "Best regards, Customer Service Team",
    ],
)
def test_capitalised_words_that_are_not_names_are_not_taken(detector: Detector, text: str) -> None:
    assert names(detector, text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("收件人：斯琴巴雅尔", "斯琴巴雅尔"),
        ("古丽米拉.买合木提", "古丽米拉.买合木提"),
        ("米热古丽.艾则孜", "米热古丽.艾则孜"),
        ("收件人阿依努尔·买合木提", "阿依努尔·买合木提"),
        ("送欧阳娜娜", "欧阳娜娜"),
        ("收件张伟", "张伟"),
        ("给13912345678林晓彤的生日礼物", "林晓彤"),
        ("收件人：𠮷祥云，电话13812345678", "𠮷祥云"),
        ("收件人：張偉", "張偉"),
        ("收件人古丽米拉・买合木提，电话13812345678", "古丽米拉・买合木提"),
    ],
)
def test_the_names_reported_in_issue_6_are_found_whole_without_their_cue(
    detector: Detector, text: str, name: str
) -> None:
    assert names(detector, text) == [name]


def test_a_name_glued_to_a_phone_number_is_found_and_so_is_the_phone(detector: Detector) -> None:
    text = "给13912345678林晓彤的生日礼物"
    assert found(detector, text) == [("13912345678", EntityType.PHONE), ("林晓彤", PERSON)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=han_names(any_surnames) | minority_names(), sentence=st.sampled_from(_STRONG_SENTENCES))
def test_the_detector_finds_every_name_the_parser_accepts_after_a_label(
    detector: Detector, name: str, sentence: str
) -> None:
    """The detector and the order parser share one recogniser; see tests/unit/pii/test_name_recogniser.py."""
    PersonName.parse(name)
    if _readable(fold(name).text):
        assert name in names(detector, sentence.format(name))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("收件人：欧阳 娜娜", "欧阳 娜娜"),
        ("收件人：张 伟 13800138000", "张 伟"),
        ("姓名：王 小明，电话13800138000", "王 小明"),
    ],
)
def test_a_space_between_surname_and_given_name_after_a_cue_keeps_one_person(
    detector: Detector, text: str, name: str
) -> None:
    assert names(detector, text) == [name]
