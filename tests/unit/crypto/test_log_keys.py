"""The audit log's Ed25519 key in the key file: created with it, added to an older file without changing any
other key, never shown. The key-file witness is retired: never made again, kept (unchanged) where a file
holds one, since checkpoints already published carry its line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from parcelguard.adapters.crypto.keyfile import KeyFile
from parcelguard.adapters.crypto.note_keys import Ed25519NoteSigner
from parcelguard.errors import ErrorCode, KeyStoreError


def write(path: Path, doc: dict[str, object]) -> None:
    path.write_text(json.dumps(doc))
    os.chmod(path, 0o600)


def test_a_new_key_file_holds_a_log_key_and_no_witness_key(tmp_path: Path) -> None:
    keys = KeyFile.create(tmp_path / "keys.json")
    assert len(keys.log_key) == 32
    assert "witness_key" not in json.loads((tmp_path / "keys.json").read_text())
    with pytest.raises(KeyStoreError) as missing:
        _ = keys.witness_key
    assert missing.value.code is ErrorCode.KEY_VERSION_UNKNOWN
    assert keys.log_key.hex() not in repr(Ed25519NoteSigner("log", keys.log_key))
    # a file without it is complete: load_or_create rewrites nothing
    before = (tmp_path / "keys.json").read_bytes()
    KeyFile.load_or_create(tmp_path / "keys.json")
    assert (tmp_path / "keys.json").read_bytes() == before


def test_an_older_key_file_gains_the_log_key_and_keeps_every_other_key(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    KeyFile.create(path)
    doc = json.loads(path.read_text())
    del doc["log_key"]
    write(path, doc)
    with pytest.raises(KeyStoreError):
        _ = KeyFile.load(path).log_key
    upgraded = KeyFile.load_or_create(path)
    assert len(upgraded.log_key) == 32
    after = json.loads(path.read_text())
    assert {k: after[k] for k in doc} == doc
    assert "witness_key" not in after  # never made


def test_a_key_file_with_the_retired_witness_key_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    KeyFile.create(path)
    doc = json.loads(path.read_text())
    doc["witness_key"] = "d2l0bmVzcy1rZXktb2YtYW4tb2xkLWluc3RhbGwhISE="  # 32 bytes, as an old install has
    del doc["log_key"]
    write(path, doc)
    upgraded = KeyFile.load_or_create(path)  # adds log_key in one rewrite
    after = json.loads(path.read_text())
    assert after["witness_key"] == doc["witness_key"]
    assert KeyFile.load(path).witness_key == upgraded.witness_key
    # a file that lost it (edited, or an older copy put back) is refused on reload: never silently dropped
    del after["witness_key"]
    write(path, after)
    with pytest.raises(KeyStoreError) as refused:
        upgraded.reload()
    assert refused.value.code is ErrorCode.KEY_FILE_CORRUPT
