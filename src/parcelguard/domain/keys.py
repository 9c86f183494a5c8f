"""Key material as the rest of the system sees it: only ever wrapped."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class WrappedKey:
    """A record's data key, encrypted under one version of the key-encryption key; safe to store."""

    kek_version: int
    blob: bytes = field(repr=False)
