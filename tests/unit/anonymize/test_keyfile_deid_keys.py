"""The key file's de-identification keys: created with new files, added to old ones, never changed."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from parcelguard.adapters.crypto import KeyFile
from parcelguard.errors import ErrorCode, KeyStoreError


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "parcelguard.keys"


def _old_format_file(path: Path) -> dict[str, object]:
    """A key file as written before pseudonym_key and fpe_key existed."""
    doc: dict[str, object] = {
        "format": 1,
        "keks": {
            "1": base64.b64encode(bytes([1]) * 32).decode(),
            "2": base64.b64encode(bytes([2]) * 32).decode(),
        },
        "index_key": base64.b64encode(bytes([3]) * 32).decode(),
        "token_key": base64.b64encode(bytes([4]) * 32).decode(),
    }
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    path.chmod(0o600)
    return doc


def test_a_new_key_file_holds_distinct_deid_keys(key_path: Path) -> None:
    keys = KeyFile.create(key_path)
    all_keys = {keys.kek(1), keys.index_key, keys.token_key, keys.pseudonym_key, keys.fpe_key}
    assert len(all_keys) == 5 and all(len(k) == 32 for k in all_keys)
    assert KeyFile.load(key_path).pseudonym_key == keys.pseudonym_key


def test_an_old_key_file_gains_the_deid_keys_on_load_or_create_and_keeps_every_other_key(
    key_path: Path,
) -> None:
    before = _old_format_file(key_path)
    upgraded = KeyFile.load_or_create(key_path)
    after = json.loads(key_path.read_text())
    assert {k: after[k] for k in before} == before
    assert base64.b64decode(after["pseudonym_key"]) == upgraded.pseudonym_key
    assert base64.b64decode(after["fpe_key"]) == upgraded.fpe_key
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert not [p for p in key_path.parent.iterdir() if p.name.endswith(".tmp")]


def test_the_added_keys_do_not_change_on_later_starts(key_path: Path) -> None:
    _old_format_file(key_path)
    first = KeyFile.load_or_create(key_path)
    second = KeyFile.load_or_create(key_path)
    assert (first.pseudonym_key, first.fpe_key) == (second.pseudonym_key, second.fpe_key)


def test_plain_load_of_an_old_file_works_but_the_missing_keys_are_a_coded_error(key_path: Path) -> None:
    _old_format_file(key_path)
    keys = KeyFile.load(key_path)
    assert keys.kek_versions == (1, 2)
    with pytest.raises(KeyStoreError) as caught:
        _ = keys.pseudonym_key
    assert caught.value.code is ErrorCode.KEY_VERSION_UNKNOWN
    assert "pseudonym_key" in caught.value.message
    assert "pseudonym_key" not in json.loads(key_path.read_text())


def test_a_malformed_deid_key_makes_the_file_corrupt(key_path: Path) -> None:
    doc = _old_format_file(key_path)
    doc["fpe_key"] = "not base64!"
    key_path.write_text(json.dumps(doc))
    with pytest.raises(KeyStoreError) as caught:
        KeyFile.load(key_path)
    assert caught.value.code is ErrorCode.KEY_FILE_CORRUPT


def test_a_reload_refuses_a_file_whose_deid_keys_were_replaced(key_path: Path) -> None:
    keys = KeyFile.create(key_path)
    doc = json.loads(key_path.read_text())
    doc["pseudonym_key"] = base64.b64encode(bytes(32)).decode()
    key_path.write_text(json.dumps(doc))
    with pytest.raises(KeyStoreError) as caught:
        keys.reload()
    assert caught.value.code is ErrorCode.KEY_FILE_CORRUPT


def test_rotation_keeps_the_deid_keys(key_path: Path) -> None:
    keys = KeyFile.create(key_path)
    pseudonym_key, fpe_key = keys.pseudonym_key, keys.fpe_key
    keys.add_kek_version()
    reloaded = KeyFile.load(key_path)
    assert (reloaded.pseudonym_key, reloaded.fpe_key) == (pseudonym_key, fpe_key)
