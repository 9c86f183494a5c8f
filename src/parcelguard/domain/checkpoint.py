"""Checkpoints of the audit log: C2SP tlog-checkpoint bodies inside C2SP signed notes, and who must sign.

A checkpoint commits to one tree: origin line (the log's name), tree size in decimal, the RFC 9162 root hash
in standard base64, then optional extension lines, each ending in a newline. As a signed note it is followed
by a blank line and one line per signature: ``— <key name> <base64(4-byte key hash || signature)>``
(U+2014 EM DASH). For Ed25519 (signed-note algorithm 0x01) the key hash is the first 4 bytes of
``SHA-256(key name || 0x0A || 0x01 || 32-byte public key)`` and a verifier key is written
``<name>+<key hash in hex>+<base64(0x01 || public key)>``.

Witness cosigning: a witness of another party (the compliance office, a regulator) adds its own line over the
same body, a C2SP cosignature/v1 (domain/witness.py), which this module checks as any other signature line
through its NoteVerifier. A verifier lists the keys it knows and requires some of them by name and at least
``threshold`` valid signatures from distinct known keys (k of n). A line by a known key that does not verify
rejects the whole note, as the signed-note spec says; lines by unknown keys are ignored.

The signature algorithm itself lives in adapters/crypto (``NoteVerifier`` here is what it offers).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

ALG_ED25519 = 0x01
SIGNATURE_PREFIX = "\u2014 "
MAX_NOTE_BYTES = 1 << 16
MAX_TREE_SIZE = (1 << 64) - 1  # C2SP tlog-checkpoint: the tree size is a uint64
_HASH_BYTES = 32


class CheckpointError(ValueError):
    """A note or checkpoint that is malformed, or whose signatures do not satisfy the policy."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One tree head: ``size`` leaves with RFC 9162 root ``root_hash`` in the log named ``origin``."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The checkpoint text that signatures cover, newline-terminated lines."""
        lines = [
            self.origin,
            str(self.size),
            base64.b64encode(self.root_hash).decode("ascii"),
            *self.extensions,
        ]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Parse a checkpoint body; CheckpointError when a line is missing or malformed."""
        if not body.endswith("\n"):
            raise CheckpointError("a checkpoint ends with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError("a checkpoint has an origin, a size and a root hash")
        origin, size_text, root_text, *extensions = lines
        if not origin or origin != origin.strip():
            raise CheckpointError("the origin line is empty or padded")
        if not size_text.isascii() or not size_text.isdigit() or (size_text != "0" and size_text[0] == "0"):
            raise CheckpointError("the tree size is not a decimal number")
        if len(size_text) > len(str(MAX_TREE_SIZE)) or int(size_text) > MAX_TREE_SIZE:
            raise CheckpointError("the tree size is beyond 2**64 - 1")
        try:
            root = base64.b64decode(root_text.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            raise CheckpointError("the root hash is not base64") from None
        if len(root) != _HASH_BYTES or base64.b64encode(root).decode("ascii") != root_text:
            raise CheckpointError("the root hash is not 32 bytes in standard base64")
        if any(not line for line in extensions):
            raise CheckpointError("a blank line inside the checkpoint")
        return cls(origin, int(size_text), root, tuple(extensions))


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: the signer's key name, 4-byte key hash, and the signature bytes."""

    name: str
    key_hash: bytes
    signature: bytes

    def line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {base64.b64encode(self.key_hash + self.signature).decode()}\n"


class NoteVerifier(Protocol):
    """A public key that can check signature lines (adapters.crypto.note_keys.Ed25519NoteVerifier)."""

    @property
    def name(self) -> str: ...
    @property
    def key_hash(self) -> bytes: ...
    def verify(self, message: bytes, signature: bytes) -> bool: ...


def check_key_name(name: str) -> str:
    """Key names are non-empty, without whitespace or ``+`` (signed-note); ValueError otherwise."""
    if not name or "+" in name or any(c.isspace() for c in name):
        raise ValueError("a key name is non-empty, without spaces or '+'")
    return name


def key_hash(name: str, alg: int, public_key: bytes) -> bytes:
    """The signed-note key hash (key ID) of a key of signature type ``alg``: 4 bytes."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()[:4]


def ed25519_key_hash(name: str, public_key: bytes) -> bytes:
    """The signed-note key hash of an Ed25519 note key: 4 bytes."""
    return key_hash(name, ALG_ED25519, public_key)


def verifier_key_text(name: str, public_key: bytes, *, alg: int = ALG_ED25519) -> str:
    """``<name>+<hash hex>+<base64(alg || public key)>``: what an auditor keeps to check checkpoints."""
    encoded = base64.b64encode(bytes([alg]) + public_key).decode("ascii")
    return f"{check_key_name(name)}+{key_hash(name, alg, public_key).hex()}+{encoded}"


def parse_verifier_key(text: str, *, alg: int = ALG_ED25519) -> tuple[str, bytes]:
    """(name, 32-byte Ed25519 public key) of a verifier key of signature type ``alg`` (0x01 a note
    signer, 0x04 a cosigner: domain/witness.py); CheckpointError if malformed, of another type, or
    inconsistent."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise CheckpointError("a verifier key is name+hash+key")
    name, hash_hex, key_b64 = parts
    try:
        check_key_name(name)
        key = base64.b64decode(key_b64.encode("ascii"), validate=True)
        claimed = bytes.fromhex(hash_hex)
    except (ValueError, UnicodeEncodeError):
        raise CheckpointError("a verifier key is name+hash+key") from None
    if len(key) != 33 or key[0] != alg:
        raise CheckpointError(f"only Ed25519 verifier keys of algorithm {alg} are accepted here")
    if len(claimed) != 4 or claimed != key_hash(name, alg, key[1:]):
        raise CheckpointError("the verifier key's hash does not match its name and key")
    return name, key[1:]


def format_note(body: str, signatures: Sequence[NoteSignature]) -> str:
    """The signed note: body, blank line, signature lines."""
    return body + "\n" + "".join(s.line() for s in signatures)


def parse_note(text: str) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its body and signature lines; CheckpointError when malformed."""
    if len(text.encode()) > MAX_NOTE_BYTES:
        raise CheckpointError("the note is too large")
    split = text.rfind("\n\n")
    if split < 0 or not text.endswith("\n"):
        raise CheckpointError("a signed note is a body, a blank line and signature lines")
    body, sig_text = text[: split + 1], text[split + 2 :]
    signatures = []
    for line in sig_text[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise CheckpointError("a signature line starts with an em dash and a space")
        fields = line[len(SIGNATURE_PREFIX) :].split(" ")
        if len(fields) != 2:
            raise CheckpointError("a signature line is a key name and a base64 signature")
        try:
            raw = base64.b64decode(fields[1].encode("ascii"), validate=True)
            check_key_name(fields[0])
        except (ValueError, UnicodeEncodeError):
            raise CheckpointError("a signature line is a key name and a base64 signature") from None
        if len(raw) < 5:
            raise CheckpointError("a signature is a key hash and signature bytes")
        signatures.append(NoteSignature(fields[0], raw[:4], raw[4:]))
    if not signatures:
        raise CheckpointError("the note carries no signature")
    return body, signatures


def verify_note(
    text: str,
    verifiers: Sequence[NoteVerifier],
    *,
    required: Sequence[str] = (),
    threshold: int = 1,
) -> tuple[Checkpoint, list[str]]:
    """The checkpoint and the names of the known keys that signed it, when the policy holds.

    ``required``: key names that must have signed (the log's own key); ``threshold``: at least this many
    distinct known keys signed (k of n, ``n = len(verifiers)``). CheckpointError otherwise, or when any line
    by a known key fails to verify.
    """
    if threshold < 1 or threshold > len(verifiers):
        raise CheckpointError("the signature threshold must be between 1 and the number of known keys")
    body, signatures = parse_note(text)
    checkpoint = Checkpoint.parse(body)
    known = {(v.name, v.key_hash): v for v in verifiers}
    signed: list[str] = []
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_hash))
        if verifier is None:
            continue
        if not verifier.verify(body.encode(), sig.signature):
            raise CheckpointError(f"the signature of key {sig.name} does not verify")
        if sig.name not in signed:
            signed.append(sig.name)
    missing = [name for name in required if name not in signed]
    if missing:
        raise CheckpointError(f"the checkpoint lacks a valid signature of {', '.join(missing)}")
    if len(signed) < threshold:
        raise CheckpointError(f"{len(signed)} valid signature(s) of known keys, {threshold} required")
    return checkpoint, signed
