"""Fixtures for the crypto adapter tests: real key files in tmp dirs, and a static key source for speed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from parcelguard.adapters.crypto import Envelope, KeyFile


class StaticKeks:
    """An in-memory KEK source: lets hypothesis tests run without touching the file system."""

    def __init__(self) -> None:
        self.keks = {1: os.urandom(32)}

    @property
    def current_kek_version(self) -> int:
        return max(self.keks)

    def kek(self, version: int) -> bytes:
        return self.keks[version]


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "parcelguard.keys"


@pytest.fixture
def keyfile(key_path: Path) -> KeyFile:
    return KeyFile.create(key_path)


@pytest.fixture(scope="module")
def envelope() -> Envelope:
    return Envelope(StaticKeks())
