"""A witness of the audit log as a party of its own: C2SP tlog-cosignature (cosignature/v1) and the
checks of C2SP tlog-witness ``add-checkpoint``.

Why: a co-signature made with a key the log operator holds proves nothing: the operator could sign a
forked or rolled-back tree with both keys. A witness keeps its own key and, for each log it follows, the
latest tree head it cosigned; it cosigns a new checkpoint only when the log's signature verifies against
the log key it was configured with and an RFC 9162 consistency proof shows the new tree extends the one
it recorded. Auditors who require its cosignature then know the log showed this witness the same,
append-only history.

cosignature/v1 (c2sp.org/tlog-cosignature, Ed25519): the signature line is an ordinary signed-note line
``— <witness name> base64(key ID || timestamp || signature)``; the key ID is
``SHA-256(name || 0x0A || 0x04 || public key)[:4]``; the timestamp is a big-endian uint64 of POSIX seconds
(at most 2**63 - 1); the signature is Ed25519 over ``cosignature/v1\\ntime <timestamp>\\n`` followed by the
whole checkpoint body. A cosigner's verifier key is written ``name+<key ID hex>+base64(0x04 || key)``.

add-checkpoint (c2sp.org/tlog-witness): the request body is ``old <size>\\n``, up to 63 consistency proof
lines (one base64 hash each), a blank line, then the signed checkpoint. The witness answers with its
cosignature lines, or refuses with the HTTP status the spec names (``WitnessRefusal.status``).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from parcelguard.domain import merkle
from parcelguard.domain.checkpoint import (
    Checkpoint,
    CheckpointError,
    NoteVerifier,
    parse_note,
    parse_verifier_key,
    verify_note,
)

ALG_COSIGNATURE_V1 = 0x04
MAX_PROOF_LINES = 63
MAX_TIMESTAMP = (1 << 63) - 1
_HASH_BYTES = 32


def cosigned_message(body: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: the header line, the time line and the whole checkpoint body."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise ValueError("a cosignature's timestamp is between 0 and 2**63 - 1")
    return f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()


def split_timestamped(signature: bytes) -> tuple[int, bytes]:
    """(timestamp, Ed25519 signature) of a ``timestamped_signature``; ValueError when it is not 8 + 64
    bytes or the timestamp is beyond 2**63 - 1."""
    if len(signature) != 8 + 64:
        raise ValueError("a cosignature is an 8-byte timestamp and a 64-byte Ed25519 signature")
    timestamp = int.from_bytes(signature[:8], "big")
    if timestamp > MAX_TIMESTAMP:
        raise ValueError("a cosignature's timestamp is beyond 2**63 - 1")
    return timestamp, signature[8:]


@dataclass(frozen=True, slots=True)
class WitnessEntry:
    """One witness the log trusts (PARCELGUARD_WITNESSES): its cosigner verifier key (``name``, 32-byte
    Ed25519 ``public_key``) and, when the log submits to it, its tlog-witness ``add_checkpoint_url``."""

    verifier_key: str
    name: str
    public_key: bytes
    add_checkpoint_url: str | None = None


MAX_WITNESSES = 32


def parse_witness_list(text: str) -> tuple[WitnessEntry, ...]:
    """The witnesses of a comma-separated list of ``<cosigner verifier key>[@<add-checkpoint URL>]``
    (C2SP signed-note verifier keys of type 0x04; URLs http or https, without credentials, query or
    fragment). ValueError when an entry is malformed or a name repeats; its message names the entry by
    position only, never its text (a URL may carry a token)."""
    entries: list[WitnessEntry] = []
    for position, raw in enumerate((part.strip() for part in text.split(",")), start=1):
        if not raw:
            continue
        name_hash, plus, tail = raw.rpartition("+")
        key_text, at, url = tail.partition("@")
        try:
            name, public_key = parse_verifier_key(name_hash + plus + key_text, alg=ALG_COSIGNATURE_V1)
        except CheckpointError:
            raise ValueError(
                f"witness {position} is not a cosigner verifier key name+<key ID hex>+base64(0x04 || key)"
                " (as `parcelguard audit witness init` prints it)"
            ) from None
        if at and not _plain_http_url(url):
            raise ValueError(
                f"witness {position}: the add-checkpoint URL must be http(s)://host[:port]/path, "
                "without user, password, query or fragment"
            )
        if any(e.name == name for e in entries):
            raise ValueError(f"witness {position} repeats the name of an earlier witness")
        entries.append(WitnessEntry(name_hash + plus + key_text, name, public_key, url if at else None))
    if len(entries) > MAX_WITNESSES:
        raise ValueError(f"at most {MAX_WITNESSES} witnesses")
    return tuple(entries)


def _plain_http_url(url: str) -> bool:
    scheme, sep, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    return (
        bool(sep)
        and scheme in ("http", "https")
        and url.isascii()
        and bool(host)
        and not any(c in url for c in "@?# \t\r\n")
    )


@dataclass(frozen=True, slots=True)
class TreeHead:
    """The latest tree a witness cosigned for one log: ``size`` leaves with root ``root_hash``."""

    size: int
    root_hash: bytes


@dataclass(frozen=True, slots=True)
class AddCheckpoint:
    """A tlog-witness add-checkpoint request: the size the submitter believes the witness holds, the
    consistency proof from it to the checkpoint's size, and the signed checkpoint note."""

    old_size: int
    proof: tuple[bytes, ...]
    note: str

    def text(self) -> str:
        """The request body, as POSTed to ``<submission prefix>/add-checkpoint``."""
        lines = [f"old {self.old_size}", *(base64.b64encode(h).decode("ascii") for h in self.proof)]
        return "".join(line + "\n" for line in lines) + "\n" + self.note

    @classmethod
    def parse(cls, text: str) -> AddCheckpoint:
        """Parse a request body; WitnessRefusal 400 when malformed (the note itself is checked later)."""
        head, sep, note = text.partition("\n\n")
        if not sep or not head.startswith("old "):
            raise WitnessRefusal(400, "a request is an old size line, proof lines, a blank line, a note")
        size_text, *proof_lines = head.split("\n")
        size = size_text[4:]
        if not (size.isascii() and size.isdigit()) or (size != "0" and size[0] == "0") or len(size) > 20:
            raise WitnessRefusal(400, "the old size is not a decimal number")
        if len(proof_lines) > MAX_PROOF_LINES:
            raise WitnessRefusal(400, f"more than {MAX_PROOF_LINES} consistency proof lines")
        proof = []
        for line in proof_lines:
            try:
                node = base64.b64decode(line.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError):
                node = b""
            if len(node) != _HASH_BYTES:
                raise WitnessRefusal(400, "a consistency proof line is not a base64 SHA-256 hash")
            proof.append(node)
        return cls(int(size), tuple(proof), note)


class WitnessRefusal(CheckpointError):
    """The witness does not cosign: ``status`` is tlog-witness's HTTP status (400 malformed, 403 no
    trusted signature, 404 unknown log, 409 the old size or root is not the witness's, 422 the
    consistency proof fails); ``latest_size`` on 409 is the size the witness holds."""

    def __init__(self, status: int, message: str, *, latest_size: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.latest_size = latest_size


def check_add_checkpoint(
    request: AddCheckpoint,
    *,
    logs: Mapping[str, Sequence[NoteVerifier]],
    latest: Mapping[str, TreeHead],
) -> tuple[Checkpoint, str]:
    """The checkpoint a witness may cosign, and its note body, when ``request`` passes every check of
    tlog-witness add-checkpoint: a known origin (``logs``: origin -> the log's keys), a valid signature of
    one of them, ``old_size`` equal to the size the witness recorded (``latest``; 0 when none), the same
    root when the size did not change, and a consistency proof from the recorded head. WitnessRefusal
    otherwise. The caller records the new head atomically with this check (tlog-witness's race)."""
    try:
        body, _ = parse_note(request.note)
        checkpoint = Checkpoint.parse(body)
    except CheckpointError as error:
        raise WitnessRefusal(400, f"the checkpoint: {error}") from None
    keys = logs.get(checkpoint.origin)
    if not keys:
        raise WitnessRefusal(404, "this witness follows no log of that origin")
    try:
        verify_note(request.note, keys, threshold=1)
    except CheckpointError:
        raise WitnessRefusal(403, "no signature of the log's trusted keys verifies") from None
    if request.old_size > checkpoint.size:
        raise WitnessRefusal(400, "the old size is beyond the checkpoint's size")
    recorded = latest.get(checkpoint.origin)
    recorded_size = recorded.size if recorded is not None else 0
    if request.old_size != recorded_size:
        raise WitnessRefusal(409, f"the witness holds size {recorded_size}", latest_size=recorded_size)
    if recorded is None or recorded.size == 0:
        if request.proof:
            raise WitnessRefusal(422, "the proof from size 0 is empty")
    elif recorded.size == checkpoint.size:
        if recorded.root_hash != checkpoint.root_hash:
            raise WitnessRefusal(
                409, "another root at the size the witness holds: a fork", latest_size=recorded.size
            )
    else:
        try:
            merkle.verify_consistency(
                recorded.size,
                checkpoint.size,
                recorded.root_hash,
                checkpoint.root_hash,
                list(request.proof),
            )
        except (merkle.ProofError, ValueError):
            raise WitnessRefusal(422, "the consistency proof does not verify") from None
    return checkpoint, body
