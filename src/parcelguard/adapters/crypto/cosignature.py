"""Ed25519 cosignatures (C2SP tlog-cosignature, cosignature/v1) made and checked with ``cryptography``.

The witness's private key is a 32-byte seed in the witness's own file (adapters/witness_files.py), never
the carrier's key file; ``repr`` hides it and only the verifier key (public) is ever shown.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from parcelguard.adapters.crypto.note_keys import Ed25519NoteVerifier
from parcelguard.domain.checkpoint import (
    CheckpointError,
    NoteSignature,
    NoteVerifier,
    check_key_name,
    key_hash,
    parse_verifier_key,
    verifier_key_text,
)
from parcelguard.domain.witness import ALG_COSIGNATURE_V1, cosigned_message, split_timestamped


class Ed25519CosignatureVerifier:
    """A cosigner's public key: checks cosignature/v1 lines of its name (domain.checkpoint.NoteVerifier,
    so ``verify_note`` counts them with the log's own signature in a k-of-n policy)."""

    __slots__ = ("_key", "key_hash", "name", "public_key")

    def __init__(self, name: str, public_key: bytes) -> None:
        self.name = check_key_name(name)
        self.public_key = public_key
        self.key_hash = key_hash(name, ALG_COSIGNATURE_V1, public_key)
        self._key = Ed25519PublicKey.from_public_bytes(public_key)

    @classmethod
    def from_text(cls, text: str) -> Ed25519CosignatureVerifier:
        """From ``name+hash+base64(0x04 || key)``; CheckpointError when malformed."""
        name, key = parse_verifier_key(text, alg=ALG_COSIGNATURE_V1)
        return cls(name, key)

    @property
    def text(self) -> str:
        return verifier_key_text(self.name, self.public_key, alg=ALG_COSIGNATURE_V1)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """``message`` is the checkpoint body (what ``verify_note`` passes); ``signature`` the
        timestamped signature of the line."""
        try:
            timestamp, raw = split_timestamped(signature)
            self._key.verify(raw, cosigned_message(message.decode(), timestamp))
        except (InvalidSignature, ValueError):
            return False
        return True


class Ed25519Cosigner:
    """Makes cosignature/v1 lines under ``name`` with an Ed25519 seed."""

    __slots__ = ("_key", "verifier")

    def __init__(self, name: str, seed: bytes) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = Ed25519CosignatureVerifier(name, public)

    def __repr__(self) -> str:
        return f"Ed25519Cosigner({self.verifier.name!r}, <key hidden>)"

    @property
    def name(self) -> str:
        return self.verifier.name

    @property
    def verifier_key(self) -> str:
        return self.verifier.text

    def cosign(self, body: str, timestamp: int) -> NoteSignature:
        """The cosignature line of checkpoint ``body`` at ``timestamp`` (POSIX seconds)."""
        signature = self._key.sign(cosigned_message(body, timestamp))
        return NoteSignature(self.name, self.verifier.key_hash, timestamp.to_bytes(8, "big") + signature)


def verifier_from_text(text: str) -> NoteVerifier:
    """A verifier key of either kind: a log's note key (algorithm 0x01) or a witness's cosigner key
    (0x04); CheckpointError (the note key's reading of it) when it is neither or malformed."""
    try:
        return Ed25519NoteVerifier.from_text(text)
    except CheckpointError as as_note_key:
        try:
            return Ed25519CosignatureVerifier.from_text(text)
        except CheckpointError:
            raise as_note_key from None
