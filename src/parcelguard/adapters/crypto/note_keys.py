"""Ed25519 keys that sign and check the audit log's checkpoints as C2SP signed notes (RFC 8032 via
``cryptography``). Private keys come from the key file as 32-byte seeds and are never printed or logged:
``repr`` hides them, and only the verifier key (public) is ever shown."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from parcelguard.domain.checkpoint import (
    NoteSignature,
    check_key_name,
    ed25519_key_hash,
    parse_verifier_key,
    verifier_key_text,
)


class Ed25519NoteVerifier:
    """A public key that checks signature lines of its name (domain.checkpoint.NoteVerifier)."""

    __slots__ = ("_key", "key_hash", "name", "public_key")

    def __init__(self, name: str, public_key: bytes) -> None:
        self.name = check_key_name(name)
        self.public_key = public_key
        self.key_hash = ed25519_key_hash(name, public_key)
        self._key = Ed25519PublicKey.from_public_bytes(public_key)

    @classmethod
    def from_text(cls, text: str) -> Ed25519NoteVerifier:
        """From ``name+hash+base64(0x01 || key)``; CheckpointError when malformed."""
        name, key = parse_verifier_key(text)
        return cls(name, key)

    @property
    def text(self) -> str:
        return verifier_key_text(self.name, self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Ed25519NoteSigner:
    """Signs note bodies under ``name`` with an Ed25519 seed (services.ports.NoteSigner)."""

    __slots__ = ("_key", "verifier")

    def __init__(self, name: str, seed: bytes) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = Ed25519NoteVerifier(name, public)

    def __repr__(self) -> str:
        return f"Ed25519NoteSigner({self.verifier.name!r}, <key hidden>)"

    @property
    def name(self) -> str:
        return self.verifier.name

    @property
    def verifier_key(self) -> str:
        return self.verifier.text

    def sign(self, body: str) -> NoteSignature:
        return NoteSignature(self.name, self.verifier.key_hash, self._key.sign(body.encode()))
