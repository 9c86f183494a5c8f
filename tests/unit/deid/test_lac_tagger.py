"""The LAC adapter's batched decode gives exactly the paths and words of a decode of each text alone.

The tagger decodes the rows of many encoder calls at once (rows of different lengths, longest first, both
readings side by side) and turns tags into words with numpy. The references here are the straightforward
forms: a Viterbi over one row with a loop over time and back pointers kept, and words built character by
character. Emissions are random (hypothesis, with many ties, since ties are where two decodes part) and
real (the encoder's scores for delivery texts, recorded as the tagger runs).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from parcelguard.adapters.ner import LacTagger, lac_tagger
from parcelguard.adapters.ner.lac_tagger import WINDOW
from parcelguard.domain.deid.words import TaggedWord
from tests.unit.deid.devcorpus import DevCorpus

# the package re-exports the function lac_tagger under the module's name
_module = importlib.import_module("parcelguard.adapters.ner.lac_tagger")
_viterbi: Callable[..., list[npt.NDArray[np.int64]]] = _module._viterbi
_windows: Callable[[str], list[tuple[int, int, int]]] = _module._windows

Scores = npt.NDArray[np.float32]


def one_row_viterbi(emissions: Scores, outgoing: Scores) -> list[int]:
    """The textbook decode of one row (length x tags) under ``outgoing`` (from x to) transition scores."""
    incoming = outgoing.T  # to x from
    score = emissions[0]
    back = []
    for t in range(1, len(emissions)):
        total = score[None, :] + incoming
        best = total.argmax(axis=1)
        back.append(best)
        score = total[np.arange(len(best)), best] + emissions[t]
    path = [int(score.argmax())]
    for best in reversed(back):
        path.append(int(best[path[-1]]))
    return path[::-1]


def char_by_char_words(tags: list[int], labels: list[str], inside: list[bool]) -> list[TaggedWord]:
    """Words the plain way: a word starts at the first character and at every tag that is not inside."""
    words: list[TaggedWord] = []
    start, label = 0, ""
    for i, tag in enumerate(tags):
        if i and inside[tag]:
            continue
        if i:
            words.append(TaggedWord(start, i, label))
        start, label = i, labels[tag]
    if tags:
        words.append(TaggedWord(start, len(tags), label))
    return words


@pytest.fixture(scope="module")
def tagger() -> LacTagger:
    return lac_tagger()


# -- random emissions ----------------------------------------------------------------------------------

# few distinct values: equal sums (ties) are frequent, and a tie is where two decodes can part
_TIED = st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
_SPREAD = st.floats(-40, 40, width=32)


@st.composite
def decode_cases(draw: Any) -> tuple[list[Scores], Scores, Scores, list[int]]:
    """(pieces, outgoing, bias, lengths): rows of random lengths, longest first, grouped by length into
    pieces that are sometimes split."""
    elements = draw(st.sampled_from([_TIED, _SPREAD]))
    n_tags = draw(st.sampled_from([1, 2, 3, 5, 49]))
    lengths = sorted(draw(st.lists(st.integers(1, 9), min_size=1, max_size=7)), reverse=True)
    pieces: list[Scores] = []
    i = 0
    while i < len(lengths):
        same = lengths[i:].count(lengths[i])
        take = draw(st.integers(1, same))
        pieces.append(draw(arrays(np.float32, (take, lengths[i], n_tags), elements=elements)))
        i += take
    outgoing = draw(arrays(np.float32, (n_tags, n_tags), elements=elements))
    bias = draw(arrays(np.float32, (n_tags,), elements=elements))
    return pieces, outgoing, bias, lengths


@settings(max_examples=300, deadline=None)
@given(decode_cases())
def test_the_batched_decode_equals_decoding_each_row_alone(
    case: tuple[list[Scores], Scores, Scores, list[int]],
) -> None:
    pieces, outgoing, bias, lengths = case
    rows = [row for piece in pieces for row in piece]
    plain, biased = _viterbi(pieces, outgoing, bias)
    (alone,) = _viterbi(pieces, outgoing, None)
    for r, (row, length) in enumerate(zip(rows, lengths, strict=True)):
        assert plain[r, :length].tolist() == one_row_viterbi(row, outgoing)
        assert alone[r, :length].tolist() == one_row_viterbi(row, outgoing)
        assert biased[r, :length].tolist() == one_row_viterbi(row + bias, outgoing)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 48), max_size=12), max_size=8))
def test_words_from_tags_equal_the_character_by_character_reading(
    tagger: LacTagger, texts_tags: list[list[int]]
) -> None:
    flat = np.array([tag for tags in texts_tags for tag in tags], dtype=np.int64)
    offsets = np.cumsum([0, *(len(tags) for tags in texts_tags)])
    labels, inside = tagger._labels, tagger._inside.tolist()
    expected = [char_by_char_words(tags, labels, inside) for tags in texts_tags]
    assert tagger._words(flat, offsets) == expected
    persons = [[w for w in words if w.tag == "PER"] for words in expected]
    assert tagger._words(flat, offsets, only=tagger._person) == persons


# -- real texts ----------------------------------------------------------------------------------------


def _real_texts() -> list[str]:
    short = list(dict.fromkeys(e.text for e in DevCorpus(7).generate(420)))
    long = "".join(short[:60])  # several windows, not periodic
    assert len(long) > 3 * WINDOW
    return [*short[:200], long, "", "王", *short[200:]]


def test_real_texts_decode_as_each_encoder_row_alone(
    tagger: LacTagger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every row the encoder scored, decoded alone (both readings), gives the tags the tagger returns: over
    texts of about 100 lengths, a long text in windows, an empty text, and more rows than one decode
    block holds."""
    texts = _real_texts()
    recorded: list[tuple[npt.NDArray[np.int64], Scores]] = []
    encode = tagger._emissions

    def recording(batch: npt.NDArray[np.int64]) -> Scores:
        scores = encode(batch)
        recorded.append((batch, scores))
        return scores

    monkeypatch.setattr(tagger, "_emissions", recording)
    plain, biased = tagger.tag_ids(texts)
    taggings = tagger.tag_many(texts)
    assert sum(len(batch) for batch, _ in recorded) > 2 * _module._DECODE_ROWS  # both calls recorded
    alone: dict[tuple[int, ...], tuple[list[int], list[int]]] = {}
    for batch, scores in recorded:
        for tokens, row in zip(batch.tolist(), scores, strict=True):
            readings = (
                one_row_viterbi(row, tagger._outgoing),
                one_row_viterbi(row + tagger._bias, tagger._outgoing),
            )
            assert alone.setdefault(tuple(tokens), readings) == readings
    labels, inside = tagger._labels, tagger._inside.tolist()
    for index, text in enumerate(texts):
        ids = [tagger._ids.get(ch, tagger._oov) for ch in text]
        if len(text) <= WINDOW:
            want_plain, want_biased = alone[tuple(ids)] if text else ([], [])
        else:
            want_plain, want_biased = [], []
            for start, keep_from, keep_to in _windows(text):
                window = alone[tuple(ids[start : start + WINDOW])]
                want_plain += window[0][keep_from - start : keep_to - start]
                want_biased += window[1][keep_from - start : keep_to - start]
        assert plain[index].tolist() == want_plain
        assert biased[index].tolist() == want_biased
        assert taggings[index].words == char_by_char_words(want_plain, labels, inside)
        persons = char_by_char_words(want_biased, labels, inside)
        assert taggings[index].recall_persons == [w for w in persons if w.tag == "PER"]


# -- the process's heap --------------------------------------------------------------------------------


def test_the_first_model_load_freezes_the_heap_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """bootstrap's factory: the lexicons and the model stay for the process's life, so the collector is
    told to skip them (gc.freeze) when the model first loads, and not again."""
    import gc

    from parcelguard import bootstrap

    monkeypatch.setattr(bootstrap, "_frozen", False)
    gc.unfreeze()
    assert isinstance(bootstrap._tagger_then_freeze(1), LacTagger)
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
    bootstrap._tagger_then_freeze(1)
    assert gc.get_freeze_count() == 0
