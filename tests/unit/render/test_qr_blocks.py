"""Label QR codes carry segno's own Reed-Solomon blocks (issue 9 replaced its division with a faster one)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from segno import consts, encoder

from parcelguard.adapters.render.symbols import qr_blocks

_consts: Any = consts
_encoder: Any = encoder


class _Buffer:
    """What segno's make_blocks reads: the codewords, in order."""

    def __init__(self, words: list[int]) -> None:
        self._words = words

    def toints(self) -> Iterator[int]:
        return iter(self._words)


@st.composite
def codewords(draw: st.DrawFn) -> tuple[Any, list[int]]:
    """A QR version and error level (1-40, L/M/Q/H) and random data codewords filling it."""
    version = draw(st.integers(1, 40))
    error = draw(st.sampled_from(sorted(_consts.ECC[version])))
    ec_infos = _consts.ECC[version][error]
    count = sum(info.num_blocks * info.num_data for info in ec_infos)
    words = draw(st.lists(st.integers(0, 255), min_size=count, max_size=count))
    return ec_infos, words


@settings(max_examples=200, deadline=None)
@given(codewords())
def test_data_and_error_blocks_equal_segnos_for_every_version_and_level(case: tuple[Any, list[int]]) -> None:
    ec_infos, words = case
    data, errors = qr_blocks(ec_infos, words)
    segno_data, segno_errors = _encoder.make_blocks(ec_infos, _Buffer(words))
    assert data == [bytes(block) for block in segno_data]
    assert errors == [bytes(block) for block in segno_errors]


def test_all_zero_and_all_ff_codewords_equal_segnos() -> None:
    for version in (1, 4, 10, 40):
        ec_infos = _consts.ECC[version][_consts.ERROR_LEVEL_Q]
        count = sum(info.num_blocks * info.num_data for info in ec_infos)
        for words in ([0] * count, [255] * count):
            segno_data, segno_errors = _encoder.make_blocks(ec_infos, _Buffer(words))
            assert qr_blocks(ec_infos, words) == (
                [bytes(b) for b in segno_data],
                [bytes(b) for b in segno_errors],
            )
