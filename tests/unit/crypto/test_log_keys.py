"""The audit log's Ed25519 keys in the key file: created with it, added to an older file without changing any
other key, never shown."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from parcelguard.adapters.crypto.keyfile import KeyFile
from parcelguard.adapters.crypto.note_keys import Ed25519NoteSigner
from parcelguard.errors import KeyStoreError


def test_a_new_key_file_holds_distinct_log_and_witness_keys(tmp_path: Path) -> None:
    keys = KeyFile.create(tmp_path / "keys.json")
    assert len(keys.log_key) == 32 and len(keys.witness_key) == 32
    assert keys.log_key != keys.witness_key
    assert keys.log_key.hex() not in repr(Ed25519NoteSigner("log", keys.log_key))


def test_an_older_key_file_gains_them_and_keeps_every_other_key(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    KeyFile.create(path)
    doc = json.loads(path.read_text())
    del doc["log_key"], doc["witness_key"]
    path.write_text(json.dumps(doc))
    os.chmod(path, 0o600)
    with pytest.raises(KeyStoreError):
        _ = KeyFile.load(path).log_key
    upgraded = KeyFile.load_or_create(path)
    assert len(upgraded.log_key) == 32
    after = json.loads(path.read_text())
    assert {k: after[k] for k in doc} == doc
    assert KeyFile.load(path).witness_key == upgraded.witness_key
