"""C2SP tlog-checkpoint and signed-note text: the form, the key hash, and the k-of-n signature policy."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from parcelguard.adapters.crypto.note_keys import Ed25519NoteSigner, Ed25519NoteVerifier
from parcelguard.domain.checkpoint import (
    Checkpoint,
    CheckpointError,
    format_note,
    parse_note,
    parse_verifier_key,
    verify_note,
)

ROOT = hashlib.sha256(b"root").digest()
LOG = Ed25519NoteSigner("example.com/log", bytes(range(32)))
WITNESS = Ed25519NoteSigner("witness.example", bytes(range(1, 33)))
OTHER = Ed25519NoteSigner("other.example", bytes(range(2, 34)))


def note(*signers: Ed25519NoteSigner, size: int = 7) -> str:
    body = Checkpoint("example.com/log", size, ROOT).body()
    return format_note(body, [s.sign(body) for s in signers])


def test_the_text_is_the_c2sp_form() -> None:
    text = note(LOG)
    lines = text.split("\n")
    assert lines[:4] == ["example.com/log", "7", base64.b64encode(ROOT).decode(), ""]
    assert lines[4].startswith("\u2014 example.com/log ") and lines[5] == ""
    raw = base64.b64decode(lines[4].split(" ")[2])
    assert len(raw) == 4 + 64 and raw[:4] == LOG.verifier.key_hash


def test_the_key_hash_and_verifier_key_follow_signed_note() -> None:
    seed = bytes(range(32))
    public = (
        Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    expected = hashlib.sha256(b"example.com/log\n\x01" + public).digest()[:4]
    assert LOG.verifier.key_hash == expected
    name, key = parse_verifier_key(LOG.verifier_key)
    assert (name, key) == ("example.com/log", public)
    encoded = base64.b64encode(b"\x01" + public).decode()
    assert LOG.verifier_key == f"example.com/log+{expected.hex()}+{encoded}"
    wrong_hash = LOG.verifier_key.replace(expected.hex(), "00000000")
    with pytest.raises(CheckpointError):
        parse_verifier_key(wrong_hash)
    assert "key hidden" in repr(LOG) and seed.hex() not in repr(LOG)


def verifiers(*signers: Ed25519NoteSigner) -> list[Ed25519NoteVerifier]:
    return [Ed25519NoteVerifier.from_text(s.verifier_key) for s in signers]


def test_k_of_n() -> None:
    both = verifiers(LOG, WITNESS)
    checkpoint, signed = verify_note(note(LOG, WITNESS), both, required=["example.com/log"], threshold=2)
    assert checkpoint == Checkpoint("example.com/log", 7, ROOT) and signed == [
        "example.com/log",
        "witness.example",
    ]
    with pytest.raises(CheckpointError, match="1 valid signature"):
        verify_note(note(LOG), both, threshold=2)
    with pytest.raises(CheckpointError, match="lacks a valid signature"):
        verify_note(note(WITNESS), both, required=["example.com/log"], threshold=1)
    # an unknown key's line is ignored; it does not count
    verify_note(note(LOG, OTHER), both, threshold=1)
    with pytest.raises(CheckpointError):
        verify_note(note(LOG, OTHER), both, threshold=2)
    with pytest.raises(CheckpointError):
        verify_note(note(LOG), both, threshold=3)


def test_a_bad_signature_of_a_known_key_rejects_the_note() -> None:
    good = note(LOG, WITNESS)
    body, sigs = parse_note(good)
    other_body = Checkpoint("example.com/log", 8, ROOT).body()
    forged = format_note(body, [sigs[0], WITNESS.sign(other_body)])
    with pytest.raises(CheckpointError, match="does not verify"):
        verify_note(forged, verifiers(LOG, WITNESS), threshold=1)
    with pytest.raises(CheckpointError):
        verify_note(good.replace("\n7\n", "\n8\n"), verifiers(LOG), threshold=1)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "example.com/log\n7\n",
        "example.com/log\n7\nnot-base64\n\n\u2014 x AAAAAAAA\n",
        "example.com/log\n07\n" + base64.b64encode(ROOT).decode() + "\n\n\u2014 x AAAAAAAA\n",
        "example.com/log\n7\n" + base64.b64encode(ROOT[:31]).decode() + "\n\n\u2014 x AAAAAAAA\n",
        "example.com/log\n7\n" + base64.b64encode(ROOT).decode() + "\n\n- x AAAAAAAA\n",
        "example.com/log\n7\n" + base64.b64encode(ROOT).decode() + "\n\n",
        " example.com/log\n7\n" + base64.b64encode(ROOT).decode() + "\n\n\u2014 x AAAAAAAA\n",
        # a size beyond uint64, and one beyond int()'s 4300-digit limit (was a bare ValueError)
        "example.com/log\n18446744073709551616\n"
        + base64.b64encode(ROOT).decode()
        + "\n\n\u2014 x AAAAAAAA\n",
        "example.com/log\n" + "9" * 5000 + "\n" + base64.b64encode(ROOT).decode() + "\n\n\u2014 x AAAAAAAA\n",
    ],
)
def test_malformed_notes_are_refused(text: str) -> None:
    """Every malformed note is a CheckpointError (never another exception), so `audit verify` says so."""
    with pytest.raises(CheckpointError):
        verify_note(text, verifiers(LOG), threshold=1)


def test_the_largest_uint64_size_is_a_checkpoint() -> None:
    body = Checkpoint("example.com/log", 2**64 - 1, ROOT).body()
    assert Checkpoint.parse(body).size == 2**64 - 1
    with pytest.raises(CheckpointError, match="beyond"):
        Checkpoint.parse(body.replace(str(2**64 - 1), str(2**64)))
