"""The Viterbi forward pass prunes tags that cannot win (issue 9): the paths stay those of the textbook
decode of each row alone, where pruning applies (transitions small beside the emissions, as LAC's are),
where ties sit right at the pruning bound, and where scores are not finite (no pruning then)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tests.unit.deid.test_lac_tagger import one_row_viterbi

_module = importlib.import_module("parcelguard.adapters.ner.lac_tagger")
_viterbi: Callable[..., list[npt.NDArray[np.int64]]] = _module._viterbi

Scores = npt.NDArray[np.float32]

_SMALL = st.sampled_from([-0.25, -0.125, 0.0, 0.125, 0.25])  # transitions as small as LAC's (+-0.21)
# emissions: wide, or on a grid whose steps equal the transitions' range (ties at the pruning bound)
_WIDE = st.floats(-40, 40, width=32)
_GRID = st.sampled_from([-1.0, -0.5, 0.0, 0.5, 1.0, 3.0])


@st.composite
def pruned_cases(draw: Any) -> tuple[list[Scores], Scores, Scores, list[int]]:
    emissions = draw(st.sampled_from([_WIDE, _GRID]))
    n_tags = draw(st.sampled_from([1, 2, 3, 7, 49]))
    lengths = sorted(draw(st.lists(st.integers(1, 12), min_size=1, max_size=8)), reverse=True)
    pieces: list[Scores] = []
    i = 0
    while i < len(lengths):
        same = lengths[i:].count(lengths[i])
        take = draw(st.integers(1, same))
        pieces.append(draw(arrays(np.float32, (take, lengths[i], n_tags), elements=emissions)))
        i += take
    outgoing = draw(arrays(np.float32, (n_tags, n_tags), elements=_SMALL))
    bias = draw(arrays(np.float32, (n_tags,), elements=_GRID))
    return pieces, outgoing, bias, lengths


def _check(pieces: list[Scores], outgoing: Scores, bias: Scores, lengths: list[int]) -> None:
    rows = [row for piece in pieces for row in piece]
    plain, biased = _viterbi(pieces, outgoing, bias)
    for r, (row, length) in enumerate(zip(rows, lengths, strict=True)):
        assert plain[r, :length].tolist() == one_row_viterbi(row, outgoing)
        assert biased[r, :length].tolist() == one_row_viterbi(row + bias, outgoing)


@settings(max_examples=400, deadline=None)
@given(pruned_cases())
def test_the_pruned_decode_equals_decoding_each_row_alone(
    case: tuple[list[Scores], Scores, Scores, list[int]],
) -> None:
    _check(*case)


def test_scores_that_are_not_finite_decode_without_pruning() -> None:
    rng = np.random.default_rng(9)
    piece = rng.normal(0, 5, (3, 6, 4)).astype(np.float32)
    piece[1, 2, 3] = -np.inf
    outgoing = rng.normal(0, 0.1, (4, 4)).astype(np.float32)
    bias = np.zeros(4, dtype=np.float32)
    _check([piece], outgoing, bias, [6, 6, 6])
