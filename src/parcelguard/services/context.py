"""What every use case is handed: the unit of work factory and the adapters, built once by bootstrap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parcelguard.services.ports import (
    BlindIndex,
    Clock,
    Envelope,
    FormatPreservingCipher,
    KeyRing,
    LabelRenderer,
    LabelTokenCodec,
    Pseudonymizer,
    UnitOfWorkFactory,
)


@dataclass(frozen=True, slots=True)
class ServiceContext:
    uow: UnitOfWorkFactory
    envelope: Envelope
    keyring: KeyRing
    index: BlindIndex
    tokens: LabelTokenCodec[Any]
    renderer: LabelRenderer
    clock: Clock
    carrier_name: str
    carrier_prefix: str
    pseudonyms: Pseudonymizer
    fpe: FormatPreservingCipher
