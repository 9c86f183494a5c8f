"""The audit log's witness, run by a party other than the carrier (its compliance office, a regulator):
tlog-witness add-checkpoint with cosignature/v1 answers (domain/witness.py says what is checked).

The witness holds its own key and its own record of the heads it cosigned (adapters/crypto/
witness_files.py, in a folder of its own), never the carrier's key file: a witness whose key the log
operator holds proves nothing. ``parcelguard audit witness`` (cli/witness.py) drives it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from parcelguard.domain.checkpoint import NoteSignature, NoteVerifier
from parcelguard.domain.witness import AddCheckpoint, TreeHead, check_add_checkpoint

# What a witness decides from the heads it holds: (origin, the head it now holds) or WitnessRefusal.
Decision = Callable[[Mapping[str, TreeHead]], tuple[str, TreeHead]]


class Cosigner(Protocol):
    """The witness's key (adapters.crypto.cosignature.Ed25519Cosigner)."""

    @property
    def name(self) -> str: ...
    @property
    def verifier_key(self) -> str: ...
    def cosign(self, body: str, timestamp: int) -> NoteSignature: ...


class WitnessBook(Protocol):
    """The witness's own records (adapters.crypto.witness_files.WitnessFiles): the logs it follows and
    the latest head it cosigned for each."""

    def logs(self) -> Mapping[str, Sequence[NoteVerifier]]:
        """Origin -> the log keys trusted for it."""
        ...

    def heads(self) -> Mapping[str, TreeHead]:
        """Origin -> the latest head cosigned (read only: ``record`` is the atomic path)."""
        ...

    def record(self, decide: Decision) -> TreeHead:
        """Read the heads, ``decide``, and persist the head it returns before returning it, atomically
        against other witnesses of the same book; nothing is written when ``decide`` raises."""
        ...


def add_checkpoint(request_text: str, *, cosigner: Cosigner, book: WitnessBook, now: datetime) -> str:
    """Check a tlog-witness add-checkpoint request body and answer it: the witness's cosignature line
    (``— <name> base64(...)\\n``) over the checkpoint, after recording its head. WitnessRefusal (with the
    spec's HTTP status) when the request is malformed, the log unknown, its signature not trusted, the
    old size not the one the witness holds (409, with ``latest_size``) or the proof wrong (422)."""
    request = AddCheckpoint.parse(request_text)
    checked: list[str] = []

    def decide(latest: Mapping[str, TreeHead]) -> tuple[str, TreeHead]:
        checkpoint, body = check_add_checkpoint(request, logs=book.logs(), latest=latest)
        checked.append(body)
        return checkpoint.origin, TreeHead(checkpoint.size, checkpoint.root_hash)

    book.record(decide)
    return cosigner.cosign(checked[-1], int(now.timestamp())).line()
