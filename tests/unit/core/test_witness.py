"""C2SP cosignature/v1 and tlog-witness add-checkpoint: the spec's example, the key ID, the request body
(hypothesis round trip and malformed bodies), and each refusal the witness spec names."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.adapters.crypto.cosignature import (
    Ed25519CosignatureVerifier,
    Ed25519Cosigner,
    verifier_from_text,
)
from parcelguard.adapters.crypto.note_keys import Ed25519NoteSigner, Ed25519NoteVerifier
from parcelguard.domain import merkle
from parcelguard.domain.checkpoint import Checkpoint, CheckpointError, format_note, parse_note, verify_note
from parcelguard.domain.witness import (
    AddCheckpoint,
    TreeHead,
    WitnessRefusal,
    check_add_checkpoint,
    cosigned_message,
    split_timestamped,
)

ORIGIN = "example.com/log"
LOG = Ed25519NoteSigner(ORIGIN, bytes(range(32)))
WITNESS = Ed25519Cosigner("witness.example/w1", bytes(range(3, 35)))
LEAVES = [merkle.leaf_hash(str(i).encode()) for i in range(20)]


def signed(size: int, *, leaves: list[bytes] = LEAVES, signer: Ed25519NoteSigner = LOG) -> str:
    body = Checkpoint(ORIGIN, size, merkle.root_from_leaves(leaves[:size])).body()
    return format_note(body, [signer.sign(body)])


def test_the_spec_examples_cosignature_line_carries_its_time_line() -> None:
    # c2sp.org/tlog-cosignature: the example line's timestamp is the example message's "time 1679315147"
    line = (
        "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZ"
        "qhf5nNo0xUe+mbIUBkBIfZ+qnA=="
    )
    raw = base64.b64decode(line)
    assert len(raw) == 4 + 8 + 64
    timestamp, signature = split_timestamped(raw[4:])
    assert timestamp == 1679315147 and len(signature) == 64
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert cosigned_message(body, timestamp) == (
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )


def test_the_key_id_is_taken_with_algorithm_4_and_keys_of_each_kind_stay_apart() -> None:
    public = WITNESS.verifier.public_key
    assert WITNESS.verifier.key_hash == hashlib.sha256(b"witness.example/w1\n\x04" + public).digest()[:4]
    text = WITNESS.verifier_key
    assert base64.b64decode(text.split("+")[2])[0] == 0x04
    assert isinstance(verifier_from_text(text), Ed25519CosignatureVerifier)
    assert isinstance(verifier_from_text(LOG.verifier_key), Ed25519NoteVerifier)
    with pytest.raises(CheckpointError):
        Ed25519NoteVerifier.from_text(text)  # a cosigner key is no note key
    with pytest.raises(CheckpointError):
        Ed25519CosignatureVerifier.from_text(LOG.verifier_key)
    with pytest.raises(CheckpointError, match="name\\+hash\\+key"):
        verifier_from_text("nonsense")
    assert "key hidden" in repr(WITNESS)


def test_a_cosigned_checkpoint_verifies_with_the_log_and_the_witness_and_a_changed_time_does_not() -> None:
    note = signed(7)
    body, _ = parse_note(note)
    cosigned = note + WITNESS.cosign(body, 1_700_000_000).line()
    verifiers = [LOG.verifier, WITNESS.verifier]
    _, names = verify_note(cosigned, verifiers, required=[ORIGIN], threshold=2)
    assert names == [ORIGIN, "witness.example/w1"]
    with pytest.raises(CheckpointError, match=r"1 valid signature\(s\) of known keys, 2 required"):
        verify_note(note, verifiers, required=[ORIGIN], threshold=2)  # no cosignature: 1 of 2
    line = WITNESS.cosign(body, 1_700_000_000).line()
    name, payload = line[2:].split(" ")
    raw = bytearray(base64.b64decode(payload))
    raw[11] ^= 1  # the timestamp's last byte
    forged = note + f"\u2014 {name} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(CheckpointError, match="does not verify"):
        verify_note(forged, verifiers, threshold=1)


@given(
    old=st.integers(min_value=0, max_value=(1 << 64) - 1),
    proof=st.lists(st.binary(min_size=32, max_size=32), max_size=63),
    size=st.integers(min_value=0, max_value=1 << 40),
)
def test_a_request_body_reads_back_as_written(old: int, proof: list[bytes], size: int) -> None:
    request = AddCheckpoint(old, tuple(proof), signed(min(size, 20)))
    assert AddCheckpoint.parse(request.text()) == request


@pytest.mark.parametrize(
    "text",
    [
        "old 5\n",  # no blank line, no note
        "old 05\n\nnote",
        "old -1\n\nnote",
        "old five\n\nnote",
        "size 5\n\nnote",
        "old 5\nnot base64!\n\nnote",
        "old 5\n" + base64.b64encode(b"short").decode() + "\n\nnote",
        "old 5\n" + (base64.b64encode(bytes(32)).decode() + "\n") * 64 + "\nnote",
    ],
)
def test_a_malformed_request_is_400(text: str) -> None:
    with pytest.raises(WitnessRefusal) as refused:
        AddCheckpoint.parse(text)
    assert refused.value.status == 400


def proof(first: int, second: int) -> tuple[bytes, ...]:
    def node(level: int, index: int) -> bytes:
        return merkle.root_from_leaves(LEAVES[index << level : (index + 1) << level])

    return tuple(merkle.consistency_path(node, first, second))


def check(request: AddCheckpoint, held: TreeHead | None = None) -> Checkpoint:
    latest = {ORIGIN: held} if held is not None else {}
    return check_add_checkpoint(request, logs={ORIGIN: [LOG.verifier]}, latest=latest)[0]


def head(size: int) -> TreeHead:
    return TreeHead(size, merkle.root_from_leaves(LEAVES[:size]))


def refusal(request: AddCheckpoint, held: TreeHead | None = None) -> tuple[int, int | None]:
    with pytest.raises(WitnessRefusal) as refused:
        check(request, held)
    return refused.value.status, refused.value.latest_size


def test_the_witness_cosigns_a_first_checkpoint_and_then_only_extensions_of_what_it_holds() -> None:
    assert check(AddCheckpoint(0, (), signed(5))).size == 5
    assert check(AddCheckpoint(5, proof(5, 12), signed(12)), head(5)).size == 12
    assert check(AddCheckpoint(12, (), signed(12)), head(12)).size == 12  # the same head again


def test_each_refusal_has_the_status_tlog_witness_names() -> None:
    other_log = Ed25519NoteSigner(ORIGIN, bytes(range(9, 41)))
    stranger = Ed25519NoteSigner("other.example/log", bytes(range(32)))
    body = Checkpoint("other.example/log", 3, merkle.root_from_leaves(LEAVES[:3])).body()
    assert refusal(AddCheckpoint(0, (), format_note(body, [stranger.sign(body)]))) == (404, None)
    assert refusal(AddCheckpoint(0, (), signed(5, signer=other_log))) == (403, None)
    assert refusal(AddCheckpoint(0, (), "not a note")) == (400, None)
    assert refusal(AddCheckpoint(13, (), signed(12)), head(12)) == (400, None)  # old beyond the size
    assert refusal(AddCheckpoint(0, (), signed(12)), head(5)) == (409, 5)  # a stale old size
    assert refusal(AddCheckpoint(5, proof(5, 12), signed(12))) == (409, 0)  # holds nothing yet
    assert refusal(AddCheckpoint(12, (), signed(5)), head(12)) == (400, None)  # a rollback
    assert refusal(AddCheckpoint(0, proof(5, 12), signed(12))) == (422, None)  # a proof from nothing
    forked = [merkle.leaf_hash(b"x" + str(i).encode()) for i in range(20)]
    assert refusal(AddCheckpoint(5, proof(5, 12), signed(12, leaves=forked)), head(5)) == (422, None)
    assert refusal(AddCheckpoint(12, (), signed(12, leaves=forked)), head(12)) == (409, 12)
