"""The Detector's contract: sorted, non-overlapping findings with offsets into the text as given."""

from __future__ import annotations

from itertools import pairwise

from parcelguard.domain.deid import Detector, Entity, EntityType
from tests.unit.deid.conftest import found


def test_an_empty_text_has_no_findings(detector: Detector) -> None:
    assert detector.detect("") == []


def test_findings_are_sorted_and_never_overlap(detector: Detector) -> None:
    text = "收件人张伟，电话13812345678，身份证110101199003078515，地址北京市朝阳区建国路88号3号楼2单元1201室"
    entities = detector.detect(text)
    assert entities == sorted(entities, key=lambda e: e.start)
    assert all(a.end <= b.start for a, b in pairwise(entities))


def test_offsets_point_into_the_original_text_when_it_has_full_width_characters(detector: Detector) -> None:
    text = "（急件）…收件人：王芳，手机：１３９ １２３４ ５６７８，谢谢！"
    (name, phone) = detector.detect(text)
    assert text[name.start : name.end] == "王芳"
    assert text[phone.start : phone.end] == "１３９ １２３４ ５６７８"


def test_offsets_survive_characters_that_normalisation_expands_or_drops(detector: Detector) -> None:
    text = "备注……\u200b电话13812345678"
    (phone,) = detector.detect(text)
    assert text[phone.start : phone.end] == "13812345678"


def test_a_detector_for_some_types_reports_only_those(detector: Detector) -> None:
    text = "张伟 13812345678 zhangwei@example.com"
    only_phones = Detector(types=[EntityType.PHONE])
    assert [e.type for e in only_phones.detect(text)] == [EntityType.PHONE]
    assert only_phones.types == frozenset({EntityType.PHONE})
    assert {e.type for e in detector.detect(text)} == {EntityType.PERSON, EntityType.PHONE, EntityType.EMAIL}


def test_detect_many_answers_each_text_in_order(detector: Detector) -> None:
    texts = ["电话13812345678", "没有个人信息", "邮箱a.b@qq.com"]
    results = detector.detect_many(texts)
    assert [len(r) for r in results] == [1, 0, 1]
    assert results[0] == detector.detect(texts[0])


def test_every_finding_says_how_sure_it_is_and_which_rule_found_it(detector: Detector) -> None:
    for entity in detector.detect("寄件人李娜 13812345678"):
        assert isinstance(entity, Entity)
        assert 0.0 < entity.score <= 1.0
        assert entity.rule


def test_a_validated_number_scores_higher_than_a_name_found_by_shape(detector: Detector) -> None:
    text = "李娜，13812345678"
    scores = {e.type: e.score for e in detector.detect(text)}
    assert scores[EntityType.PHONE] > scores[EntityType.PERSON]


def test_an_id_number_is_not_also_reported_as_a_phone(detector: Detector) -> None:
    text = "身份证 110101 19900307 8515"
    assert found(detector, text) == [("110101 19900307 8515", EntityType.CN_ID)]
