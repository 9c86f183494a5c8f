from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from parcelguard.adapters.crypto import KeyFile
from parcelguard.errors import ErrorCode, KeyStoreError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _all_keys(kf: KeyFile) -> list[bytes]:
    return [kf.kek(v) for v in kf.kek_versions] + [kf.index_key, kf.token_key]


def _write(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    path.chmod(0o600)


def test_a_created_key_file_is_readable_only_by_its_owner(keyfile: KeyFile, key_path: Path) -> None:
    assert _mode(key_path) == 0o600
    assert _mode(key_path.parent) == 0o700


def test_a_created_key_file_leaves_no_temporary_files_behind(keyfile: KeyFile, key_path: Path) -> None:
    assert sorted(p.name for p in key_path.parent.iterdir()) == [key_path.name]


def test_a_new_key_file_holds_distinct_random_32_byte_keys_starting_at_version_1(keyfile: KeyFile) -> None:
    assert keyfile.kek_versions == (1,)
    assert keyfile.current_kek_version == 1
    keys = _all_keys(keyfile)
    assert all(len(k) == 32 for k in keys)
    assert len(set(keys)) == 3


def test_a_loaded_key_file_holds_the_keys_it_was_created_with(keyfile: KeyFile, key_path: Path) -> None:
    assert _all_keys(KeyFile.load(key_path)) == _all_keys(keyfile)


def test_create_refuses_to_overwrite_an_existing_key_file(keyfile: KeyFile, key_path: Path) -> None:
    before = key_path.read_bytes()
    with pytest.raises(KeyStoreError) as caught:
        KeyFile.create(key_path)
    assert caught.value.code is ErrorCode.KEY_FILE_INSECURE
    assert key_path.read_bytes() == before


def test_load_or_create_creates_the_file_once_then_loads_the_same_keys(key_path: Path) -> None:
    first = KeyFile.load_or_create(key_path)
    second = KeyFile.load_or_create(key_path)
    assert _all_keys(first) == _all_keys(second)


def test_a_missing_key_file_is_reported_as_missing(tmp_path: Path) -> None:
    with pytest.raises(KeyStoreError) as caught:
        KeyFile.load(tmp_path / "nope.keys")
    assert caught.value.code is ErrorCode.KEY_FILE_MISSING


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666])
def test_a_key_file_readable_or_writable_by_group_or_others_is_refused(
    keyfile: KeyFile, key_path: Path, mode: int
) -> None:
    key_path.chmod(mode)
    with pytest.raises(KeyStoreError) as caught:
        KeyFile.load(key_path)
    assert caught.value.code is ErrorCode.KEY_FILE_INSECURE
    assert "chmod 600" in caught.value.message


def test_load_or_create_refuses_an_insecure_file_instead_of_replacing_it(
    keyfile: KeyFile, key_path: Path
) -> None:
    key_path.chmod(0o644)
    with pytest.raises(KeyStoreError) as caught:
        KeyFile.load_or_create(key_path)
    assert caught.value.code is ErrorCode.KEY_FILE_INSECURE


def _doc(**overrides: object) -> bytes:
    key = base64.b64encode(bytes(range(32))).decode()
    doc: dict[str, object] = {"format": 1, "keks": {"1": key}, "index_key": key, "token_key": key}
    doc.update(overrides)
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(_doc()[:40], id="truncated"),
        pytest.param(b"\xff\xfe garbage", id="not-json"),
        pytest.param(b"[1, 2]", id="not-an-object"),
        pytest.param(_doc(format=2), id="unknown-format"),
        pytest.param(_doc(format=True), id="boolean-format"),
        pytest.param(_doc(keks={}), id="no-keks"),
        pytest.param(_doc(keks={"0": base64.b64encode(bytes(32)).decode()}), id="version-zero"),
        pytest.param(_doc(keks={"one": base64.b64encode(bytes(32)).decode()}), id="version-not-a-number"),
        pytest.param(_doc(keks={"1": base64.b64encode(bytes(16)).decode()}), id="short-kek"),
        pytest.param(_doc(index_key="!!not base64!!"), id="bad-base64"),
        pytest.param(_doc(token_key=None), id="missing-token-key"),
    ],
)
def test_a_malformed_key_file_is_reported_as_corrupt(key_path: Path, content: bytes) -> None:
    key_path.parent.mkdir(mode=0o700)
    _write(key_path, content)
    with pytest.raises(KeyStoreError) as caught:
        KeyFile.load(key_path)
    assert caught.value.code is ErrorCode.KEY_FILE_CORRUPT


def test_a_corrupt_key_file_error_carries_no_key_material(keyfile: KeyFile, key_path: Path) -> None:
    content = key_path.read_bytes()
    _write(key_path, content[: len(content) // 2])
    with pytest.raises(KeyStoreError) as caught:
        KeyFile.load(key_path)
    error = caught.value
    assert error.__context__ is None
    assert error.__cause__ is None
    for key in _all_keys(keyfile):
        assert base64.b64encode(key).decode()[:8] not in str(error)


def test_a_directory_in_place_of_the_key_file_is_reported_as_corrupt(key_path: Path) -> None:
    key_path.mkdir(parents=True, mode=0o700)
    with pytest.raises(KeyStoreError) as caught:
        KeyFile.load(key_path)
    assert caught.value.code is ErrorCode.KEY_FILE_CORRUPT


def test_add_kek_version_makes_a_new_current_version_and_keeps_the_old_one(
    keyfile: KeyFile, key_path: Path
) -> None:
    old = keyfile.kek(1)
    assert keyfile.add_kek_version() == 2
    assert keyfile.current_kek_version == 2
    assert keyfile.kek_versions == (1, 2)
    assert keyfile.kek(1) == old
    assert keyfile.kek(2) != old
    reloaded = KeyFile.load(key_path)
    assert _all_keys(reloaded) == _all_keys(keyfile)


def test_a_rotated_key_file_is_still_readable_only_by_its_owner(keyfile: KeyFile, key_path: Path) -> None:
    keyfile.add_kek_version()
    assert _mode(key_path) == 0o600
    assert sorted(p.name for p in key_path.parent.iterdir()) == [key_path.name, key_path.name + ".lock"]


def test_an_unknown_kek_version_is_reported_as_unknown(keyfile: KeyFile) -> None:
    with pytest.raises(KeyStoreError) as caught:
        keyfile.kek(7)
    assert caught.value.code is ErrorCode.KEY_VERSION_UNKNOWN


def test_a_crash_before_the_rename_leaves_the_old_key_file_intact(
    keyfile: KeyFile, key_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = key_path.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError("simulated power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated"):
        keyfile.add_kek_version()
    monkeypatch.undo()

    assert key_path.read_bytes() == before
    assert keyfile.kek_versions == (1,)
    assert KeyFile.load(key_path).kek_versions == (1,)
    assert not [p for p in key_path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_version_added_by_another_process_is_found_when_asked_for(key_path: Path) -> None:
    here = KeyFile.create(key_path)
    elsewhere = KeyFile.load(key_path)
    elsewhere.add_kek_version()
    assert here.kek(2) == elsewhere.kek(2)
    assert here.current_kek_version == 2


def test_two_holders_rotating_in_turn_never_lose_a_version(key_path: Path) -> None:
    first = KeyFile.create(key_path)
    second = KeyFile.load(key_path)
    assert first.add_kek_version() == 2
    assert second.add_kek_version() == 3
    assert KeyFile.load(key_path).kek_versions == (1, 2, 3)
    assert first.kek(2) == second.kek(2)


def test_a_key_file_swapped_for_a_different_one_is_refused_rather_than_adopted(
    keyfile: KeyFile, key_path: Path
) -> None:
    os.unlink(key_path)
    KeyFile.create(key_path)
    with pytest.raises(KeyStoreError) as caught:
        keyfile.add_kek_version()
    assert caught.value.code is ErrorCode.KEY_FILE_CORRUPT


def test_a_key_file_repr_shows_no_key_material(keyfile: KeyFile) -> None:
    text = repr(keyfile)
    for key in _all_keys(keyfile):
        assert base64.b64encode(key).decode()[:8] not in text
        assert repr(key)[2:10] not in text
