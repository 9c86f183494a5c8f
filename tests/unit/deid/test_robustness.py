"""Any text through both modes: offsets inside the text as given, findings that hold a letter, digit or Han
character (Extensions H and I are newer than Python's tables), the same answer for concurrent callers;
control characters, emoji, surrogates and marks are never names."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.adapters.ner import LacTagger, lac_tagger
from parcelguard.domain.deid import Detector, Entity
from parcelguard.domain.deid.words import Tagging
from parcelguard.domain.pii.han import is_han


@pytest.fixture(scope="module")
def tagger() -> LacTagger:
    return lac_tagger()


_ACCURATE = Detector(tagger=lac_tagger())

# Arbitrary Unicode (surrogates, controls, marks, emoji, RTL marks) mixed with Chinese text, digits and
# names, so that the model and the rules both fire inside it.
_PIECES = st.sampled_from(
    [
        "张伟",
        "收件人",
        "13812345678",
        "北京市朝阳区建国路88号",
        "沃尔科特",
        "@xigua",
        "，",
        "\n",
        "\u200f",
        "\u0301",
    ]
)
_ANY = st.lists(st.text(max_size=6) | _PIECES, max_size=12).map("".join)


def _well_formed(text: str, found: list[Entity]) -> None:
    for entity in found:
        assert 0 <= entity.start < entity.end <= len(text), (text, entity)
        assert any(ch.isalnum() or is_han(ch) for ch in text[entity.start : entity.end]), (text, entity)
    for a, b in pairwise(found):
        assert a.end <= b.start, (text, a, b)


@settings(max_examples=300, deadline=None)
@given(text=_ANY)
def test_any_text_gets_findings_inside_it_in_both_modes(text: str) -> None:
    for mode in ("accurate", "fast"):
        _well_formed(text, _ACCURATE.detect(text, mode))


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("\x00\x00张伟\x00", ["张伟"]),
        ("😀😀收件人张伟😀", ["张伟"]),
        ("\u202e收件人张伟\u202c", ["张伟"]),
        ("", []),
        ("。。。！！", []),
        ("\u0301\u0301\u0301", []),
        ("\ud800\udfff", []),
    ],
)
def test_controls_emoji_and_marks_are_never_part_of_a_name(text: str, names: list[str]) -> None:
    for mode in ("accurate", "fast"):
        found = [text[e.start : e.end] for e in _ACCURATE.detect(text, mode) if e.type.value == "PERSON"]
        assert found == names, (mode, text, found)


def test_concurrent_callers_get_what_one_caller_gets() -> None:
    texts = [
        f"收件人张伟{i}，电话13812345678，沃尔科特破门{'。' * (i % 9)}北京市朝阳区建国路{i}号"
        for i in range(120)
    ]
    alone = _ACCURATE.detect_many(texts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: _ACCURATE.detect_many(texts), range(8)))
    assert all(result == alone for result in results)


@pytest.mark.parametrize(
    "text",
    [
        "华泰证券总裁沈东军认为市场将回暖",
        "记者王吉瑛报道，沃尔科特破门",
        "陈栋梁，男，汉族，住在广东省深圳市南山区科技园路88号",
    ],
)
def test_traditional_text_is_folded_before_the_model_reads_it(text: str) -> None:
    """The model was trained on simplified text: a traditional spelling gets the same findings."""
    import opencc

    traditional = opencc.OpenCC("s2t").convert(text)
    assert traditional != text
    assert _ACCURATE.detect(traditional) == _ACCURATE.detect(text)


class _Recording:
    """The real tagger, recording how many texts and characters each call hands it."""

    def __init__(self, tagger: LacTagger) -> None:
        self.tagger = tagger
        self.calls: list[tuple[int, int]] = []

    def tag_many(self, texts: Sequence[str]) -> list[Tagging]:
        self.calls.append((len(texts), sum(len(t) for t in texts)))
        return self.tagger.tag_many(texts)


def test_the_model_reads_a_partition_in_calls_of_bounded_texts_and_characters(tagger: LacTagger) -> None:
    """A dataset partition hands in 20,000 cells at once: the taggings of one call are held together, so
    calls are bounded by characters (a longer text alone) as well as by texts."""
    recording = _Recording(tagger)
    detector = Detector(tagger=recording)
    texts = ["沈东军认为" * 9_000] * 6 + ["张伟"] * 3_000 + ["x" * 10] + ["沈东军" * 80_000]
    found = detector.detect_many(texts)
    assert len(found) == len(texts)
    assert sum(n for n, _ in recording.calls) == len(texts) - 1  # the Latin-only text is never read
    assert max(n for n, _ in recording.calls) <= 2_048
    assert all(chars <= 200_000 or n == 1 for n, chars in recording.calls)
