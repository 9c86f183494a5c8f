"""What every use case is handed: the unit of work factory and the adapters, built once by bootstrap."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parcelguard.domain.people import LoginPolicy
from parcelguard.domain.reveal_policy import RevealLimits
from parcelguard.domain.virtual_number import TelephonyPolicy
from parcelguard.services.ports import (
    BlindIndex,
    Clock,
    Envelope,
    FormatPreservingCipher,
    KeyRing,
    LabelRenderer,
    LabelTokenCodec,
    LogKeys,
    NumberProvider,
    OneTimePasswords,
    PasswordHasher,
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
    # people (issue 10): password hashing, TOTP, sign-in throttling and credential lifetimes
    passwords: PasswordHasher
    otp: OneTimePasswords
    login_policy: LoginPolicy
    # controlled reveal (issue 10): grace period, daily quota and ceiling (PARCELGUARD_REVEAL_*)
    reveal_limits: RevealLimits = field(default_factory=RevealLimits)
    # transparency log (issue 11): the checkpoint origin, the log key, the keys checkpoints are checked with
    log_keys: LogKeys | None = None
    # virtual numbers (issue 12): grace, cool-down, binding at dispatch (PARCELGUARD_VNUM_*), and who carries
    # the calls (None: our own SIP server with nothing to push, Kamailio asks the binding table per call)
    telephony: TelephonyPolicy = field(default_factory=TelephonyPolicy)
    numbers: NumberProvider | None = None
