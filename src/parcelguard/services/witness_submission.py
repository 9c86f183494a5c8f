"""The log's side of C2SP tlog-witness: submit each new checkpoint to the witnesses of
PARCELGUARD_WITNESSES (``add-checkpoint`` with a consistency proof from the size each witness holds) and
store their cosignature lines with the checkpoint, so ``GET /v1/audit/checkpoint`` serves it cosigned.

Why here, after publication and outside the sequencer's lease: a witness is another party's server, which
may be slow or down; the checkpoint is published (signed by the log) whatever the witnesses answer, and a
witness that failed is asked again at the next publication. A cosignature is stored only after it
verifies against the key the carrier configured for that witness: a forged or garbled answer stores
nothing. Failures are logged by kind (unreachable, the HTTP status, forged), never with the answer.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from parcelguard.domain.checkpoint import CheckpointError, NoteSignature, NoteVerifier, parse_note
from parcelguard.domain.witness import AddCheckpoint, WitnessRefusal
from parcelguard.services import transparency_log as tlog
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import StoredCheckpoint

_log = logging.getLogger("parcelguard.witness_submission")


class WitnessUnreachable(Exception):
    """The witness could not be asked or gave no usable answer (network, timeout, a redirect, a body too
    large or not UTF-8); the message says which kind, never the answer's text."""


class WitnessEndpoint(Protocol):
    """A witness the log submits to (adapters/witness_client.HttpWitness): the cosigner ``verifier`` the
    carrier configured for it, and tlog-witness add-checkpoint over its URL."""

    @property
    def verifier(self) -> NoteVerifier: ...

    def add_checkpoint(self, request_text: str) -> str:
        """POST an add-checkpoint body; the 200 answer's text (cosignature lines). WitnessRefusal with
        the HTTP status (and on 409 ``latest_size``, the size the witness holds) when it refuses,
        WitnessUnreachable when there is no usable answer."""
        ...


@dataclass(slots=True)
class Submission:
    """What one round of submissions did: the witnesses whose cosignature is now stored with the
    checkpoint of ``size``, and the kind of each failure by witness name (names are public key names)."""

    size: int = 0
    cosigned: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def submit_latest(
    ctx: ServiceContext,
    witnesses: Sequence[WitnessEndpoint],
    *,
    held: MutableMapping[str, int],
    only_missing: bool = False,
) -> Submission:
    """Submit the latest stored checkpoint to each of ``witnesses`` and store the cosignatures that
    verify. ``held``: witness name -> the size it is believed to hold (updated here; 0 when unknown):
    the request's old size and the start of its consistency proof; a 409 naming another size is
    resubmitted from that size once. ``only_missing``: skip witnesses whose line the checkpoint already
    carries. Failures are logged by kind and reported; nothing is raised for a witness's answer."""
    with ctx.uow() as uow:
        latest = uow.transparency.latest_checkpoint()
    report = Submission()
    if latest is None or latest.tree_size == 0:
        return report
    report.size = latest.tree_size
    _, present = parse_note(latest.note)
    signed = {(s.name, s.key_hash) for s in present}
    for witness in witnesses:
        name = witness.verifier.name
        if only_missing and (name, witness.verifier.key_hash) in signed:
            continue
        try:
            lines = _ask(ctx, witness, latest, held)
        except WitnessRefusal as refusal:
            report.failed[name] = f"refused HTTP {refusal.status}"
        except WitnessUnreachable as error:
            report.failed[name] = f"unreachable ({error})"
        except CheckpointError:
            report.failed[name] = "answered no valid cosignature (forged or garbled)"
        else:
            with ctx.uow() as uow:
                uow.transparency.add_signatures(latest.id, lines)
                uow.commit()
            held[name] = latest.tree_size
            report.cosigned.append(name)
            continue
        _log.warning(
            "audit log: witness %s did not cosign the checkpoint of size %d: %s; asked again at the next "
            "checkpoint",
            name,
            latest.tree_size,
            report.failed[name],
        )
    return report


def _ask(
    ctx: ServiceContext, witness: WitnessEndpoint, latest: StoredCheckpoint, held: MutableMapping[str, int]
) -> list[NoteSignature]:
    name, size = witness.verifier.name, latest.tree_size
    old = held.get(name, 0)
    for attempt in range(2):
        if old > size:
            raise WitnessRefusal(409, "the witness holds a larger tree than this checkpoint")
        proof = tlog.consistency_proof(ctx, old, size).proof if 0 < old < size else []
        request = AddCheckpoint(old, tuple(proof), latest.note)
        try:
            answer = witness.add_checkpoint(request.text())
        except WitnessRefusal as refusal:
            if attempt or refusal.status != 409 or refusal.latest_size in (None, old):
                raise
            assert refusal.latest_size is not None  # noqa: S101 - checked just above
            old = held[name] = refusal.latest_size
            continue
        return verified_cosignatures(latest.note, answer, witness.verifier)
    raise WitnessRefusal(409, "the witness's size moved again")  # pragma: no cover - the loop returns


def verified_cosignatures(note: str, answer: str, verifier: NoteVerifier) -> list[NoteSignature]:
    """The lines of a witness's ``answer`` made by ``verifier`` that verify over ``note``'s body (lines of
    other keys are dropped). CheckpointError when the answer is not signature lines, when a line of that
    key does not verify (a forgery rejects the whole answer, as a signed note's verifier does), or when
    none is that key's."""
    body, _ = parse_note(note)
    _, lines = parse_note(body + "\n" + answer)
    mine = [s for s in lines if s.name == verifier.name and s.key_hash == verifier.key_hash]
    if not mine:
        raise CheckpointError("the answer holds no cosignature of the configured witness key")
    for line in mine:
        if not verifier.verify(body.encode(), line.signature):
            raise CheckpointError("a cosignature of the configured witness key does not verify")
    return mine
