"""bootstrap's collector settings: when the model first loads, the heap is frozen and young collections
are made rarer, once, leaving the older generations' thresholds as they were."""

from __future__ import annotations

import gc

import pytest

from parcelguard import bootstrap


def test_the_first_model_load_raises_the_young_threshold_once_and_keeps_the_older_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = gc.get_threshold()
    monkeypatch.setattr(bootstrap, "_frozen", False)
    try:
        gc.set_threshold(700, 11, 12)
        bootstrap._tagger_then_freeze(1)
        assert gc.get_threshold() == (bootstrap._YOUNG_THRESHOLD, 11, 12)
        gc.set_threshold(700, 11, 12)
        bootstrap._tagger_then_freeze(1)  # not the first load any more: left alone
        assert gc.get_threshold() == (700, 11, 12)
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_a_higher_young_threshold_set_before_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    before = gc.get_threshold()
    monkeypatch.setattr(bootstrap, "_frozen", False)
    try:
        gc.set_threshold(50_000, 10, 10)
        bootstrap._tagger_then_freeze(1)
        assert gc.get_threshold() == (50_000, 10, 10)
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
