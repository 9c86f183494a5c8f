"""fold(): one normalisation for matching, with offsets back to the text as given."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.domain.pii.fold import DIGIT_SEPARATORS, fold, fold_text, to_halfwidth
from tests.unit.pii.strategies import NUMERAL_STYLES, mobile_digits, spelled_digits

# --- examples -------------------------------------------------------------------------------------


def test_full_width_forms_fold_to_ascii() -> None:
    assert fold("１３８（０１０）ＡＢｃ，＋８６").text == "138(010)ABc,+86"


def test_traditional_characters_fold_to_simplified_with_the_same_length() -> None:
    folded = fold("收件人：張偉 廣東省東莞市虎門鎮運河北路84號3樓")
    assert folded.text == "收件人:张伟 广东省东莞市虎门镇运河北路84号3楼"
    assert folded.offsets is None


def test_traditional_folding_knows_phrases() -> None:
    assert fold("乾隆年間 乾燥").text == "乾隆年间 干燥"


def test_compatibility_ideographs_and_radical_look_alikes_fold_to_the_ideograph() -> None:
    # U+F900 (compatibility 豈), U+2F00 (Kangxi radical one), U+2EE2 (radical C-simplified horse).
    assert fold("\uf900\u2f00\u2ee2").text == "岂一马"


def test_circled_and_other_unicode_digits_fold_to_ascii() -> None:
    assert fold("①③⑧ ❶ ١٢٣ ¹").text == "138 1 123 1"


def test_a_digit_form_that_expands_keeps_an_offset_per_output_character() -> None:
    folded = fold("a⑩b")
    assert folded.text == "a10b"
    assert folded.offsets == [0, 1, 1, 2]
    assert folded.span(1, 2) == (1, 2)


def test_invisible_characters_are_dropped_and_spans_cover_them() -> None:
    folded = fold("138\u200b0013\u200b8000")
    assert folded.text == "13800138000"
    assert folded.span(0, 11) == (0, 13)


def test_chinese_numerals_in_every_style_fold_inside_a_digit_run() -> None:
    assert fold("手机号：1三8〇〇1三8〇〇〇").text == "手机号:13800138000"
    assert fold("手机：壹叁捌零零壹叁捌零零零").text == "手机:13800138000"
    assert fold("電話：壹參捌零零壹參捌零零零").text == "电话:13800138000"
    assert fold("幺三八 零零幺三 八零零零").text == "138 0013 8000"


def test_a_numeral_in_a_word_stays_a_word() -> None:
    for text in (
        "一起去三楼",
        "第一",
        "十二三",
        "两三个",
        "买了12一起寄",
        "陆13800138000",
        "零食",
        "五一一路",
        "八一二路1号",
    ):
        assert fold(text).text == text


def test_the_dash_typed_as_yi_between_digit_groups_becomes_a_dash() -> None:
    assert fold("0371一3338一9767").text == "0371-3338-9767"
    assert fold("史娜一0371 3338 9767").text == "史娜一0371 3338 9767"  # 史娜一 is a name


def test_separator_look_alikes_between_digits_fold_to_ascii_and_stay_separators() -> None:
    assert fold("138·0013·8000").text == "138.0013.8000"
    assert fold("（１３８）００１３－８０００").text == "(138)0013-8000"
    assert fold("1.2kg 138_0013_8000").text == "1.2kg 138_0013_8000"
    assert fold("名字·张三").text == "名字·张三"


def test_plain_ascii_is_returned_as_is() -> None:
    text = "call 138-0013-8000 now"
    folded = fold(text)
    assert folded.text is text
    assert folded.offsets is None


def test_to_halfwidth_keeps_length_and_han() -> None:
    assert to_halfwidth("北京市、朝阳区。１３８—1234–5678\u3000") == "北京市、朝阳区。138-1234-5678 "


# --- properties ------------------------------------------------------------------------------------

_ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
_CJK_TEXT = st.text(
    alphabet=st.sampled_from(
        "一二三四五六七八九十〇零幺壹贰叁肆伍陆柒捌玖两張偉廣東號樓乾隆年間起楼第"
        "0123456789１２３①⑩ .-_/()·【】\u200b\u3000，。："
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(_ANY_TEXT, _CJK_TEXT))
def test_every_folded_character_points_into_the_original_in_order(text: str) -> None:
    folded = fold(text)
    assert folded.original == text
    if folded.offsets is None:
        assert len(folded.text) == len(text)
        return
    assert len(folded.offsets) == len(folded.text)
    assert all(0 <= o < len(text) for o in folded.offsets)
    assert folded.offsets == sorted(folded.offsets)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(_ANY_TEXT, _CJK_TEXT), data=st.data())
def test_any_span_maps_back_inside_the_original(text: str, data: st.DataObject) -> None:
    folded = fold(text)
    start = data.draw(st.integers(0, len(folded.text)))
    end = data.draw(st.integers(start, len(folded.text)))
    a, b = folded.span(start, end)
    assert 0 <= a <= b <= len(text)
    if start < end:
        assert (a, b) == (folded.origin(start), folded.origin(end - 1) + 1)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(_ANY_TEXT, _CJK_TEXT))
def test_each_folded_character_comes_from_the_character_it_points_to(text: str) -> None:
    folded = fold(text)
    for index, ch in enumerate(folded.text):
        source = text[folded.origin(index)]
        # Alone, the source folds to the same character, unless its reading depends on its neighbours:
        # numerals and dash look-alikes in digit runs, separator look-alikes, OpenCC phrases.
        assert ch in fold(source).text or ch in "0123456789-.[]" or "\u4e00" <= ch <= "\u9fff", (ch, source)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(_ANY_TEXT, _CJK_TEXT))
def test_folding_is_idempotent(text: str) -> None:
    once = fold(text).text
    assert fold(once).text == once


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(
            [
                "一起",
                "三楼",
                "第一",
                "十二",
                "两个",
                "一下",
                "零食",
                "万一",
                "七夕",
                "伍先生",
                "五一路",
                "八一二路",
            ]
        ),
        max_size=6,
    ),
    glue=st.sampled_from(["", "的", "，", " "]),
)
def test_numerals_inside_words_never_become_digits(words: list[str], glue: str) -> None:
    text = glue.join(words)
    assert fold(text).text == to_halfwidth(text)


@settings(max_examples=300, deadline=None)
@given(digits=mobile_digits, data=st.data())
def test_a_mobile_in_any_digit_style_and_separator_folds_to_its_digits(
    digits: str, data: st.DataObject
) -> None:
    spelled = data.draw(spelled_digits(digits))
    folded = fold(f"电话{spelled}谢谢").text
    body = folded[2:-2]
    assert "".join(ch for ch in body if ch not in DIGIT_SEPARATORS) == digits, (spelled, folded)


def test_the_numeral_styles_cover_every_digit() -> None:
    for style in NUMERAL_STYLES:
        assert len(style) == 10


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(_ANY_TEXT, _CJK_TEXT, st.text(alphabet="０１２３４５６７８９＋－（） 13", max_size=20)))
def test_fold_text_is_the_folded_string(text: str) -> None:
    assert fold_text(text) == fold(text).text


# --- zero look-alikes and radio digits (issue 6 review) ---------------------------------------------------


def test_zero_look_alikes_and_radio_digits_read_as_the_number_inside_digit_runs() -> None:
    assert fold("电话138○○138○○○").text == "电话13800138000"
    assert fold("电话138OO138OOO").text == "电话13800138000"
    assert fold("138OO138OOO").text == "13800138000"  # ASCII text too
    assert fold_text("138oo138ooo") == "13800138000"
    assert fold("幺三勾 洞洞幺三 勾洞洞洞").text == "139 0013 9000"
    assert fold("一三九一两三四五六七八").text == "13912345678"
    assert fold("电话1391○234○5678").text == "电话1391-234-5678"  # one ○ between groups: a separator


def test_radio_numerals_and_latin_o_stay_letters_and_words_outside_long_runs() -> None:
    for text in (
        "拐角1号楼",
        "两个1洞2",
        "勾选3项",
        "洞口5号",
        "PO1234567",
        "Room 1O2",
        "COVID-2O19",
        "2OO5年",
    ):
        assert fold(text).text == to_halfwidth(text), text
