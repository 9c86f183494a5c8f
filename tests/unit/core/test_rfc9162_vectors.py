"""RFC 9162 conformance: every transparency-dev vector in ../shared/vectors/rfc9162 (the happy paths verify,
every ``wantErr`` mutant is refused), and the proofs we build are the ones the vectors hold."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from parcelguard.domain import merkle
from parcelguard.domain.merkle import ProofError

VECTORS = Path(__file__).resolve().parents[4] / "shared" / "vectors" / "rfc9162"


def _cases(kind: str) -> list[Any]:
    files = sorted((VECTORS / kind).rglob("*.json"))
    return [pytest.param(json.loads(f.read_text()), id=str(f.relative_to(VECTORS))) for f in files]


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _proof(values: list[str] | None) -> list[bytes]:
    return [_b64(v) for v in values or []]


def test_the_vectors_are_all_there() -> None:
    assert len(_cases("inclusion")) == 98
    assert len(_cases("consistency")) == 98


@pytest.mark.parametrize("case", _cases("inclusion"))
def test_inclusion_vector(case: dict[str, Any]) -> None:
    def verify() -> None:
        merkle.verify_inclusion(
            case["leafIdx"],
            case["treeSize"],
            _b64(case["leafHash"]),
            _proof(case["proof"]),
            _b64(case["root"]),
        )

    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify()
    else:
        verify()


@pytest.mark.parametrize("case", _cases("consistency"))
def test_consistency_vector(case: dict[str, Any]) -> None:
    def verify() -> None:
        merkle.verify_consistency(
            case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), _proof(case["proof"])
        )

    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify()
    else:
        verify()


# The transparency-dev vectors are built over leaves "", "\x00", "\x10", "\x20\x21", ... (RFC 6962 test data).
_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]


def _reader(leaves: list[bytes]) -> merkle.NodeReader:
    def node(level: int, index: int) -> bytes:
        span = 1 << level
        return merkle.root_from_leaves(leaves[index * span : (index + 1) * span])

    return node


def test_built_proofs_equal_the_happy_path_vectors() -> None:
    hashes = [merkle.leaf_hash(d) for d in _LEAVES]
    node = _reader(hashes)
    checked = 0
    for f in sorted(VECTORS.glob("inclusion/[0-9]*/happy-path.json")):
        case = json.loads(f.read_text())
        assert _b64(case["leafHash"]) == hashes[case["leafIdx"]]
        assert merkle.root_from_leaves(hashes[: case["treeSize"]]) == _b64(case["root"])
        built = merkle.inclusion_path(node, case["leafIdx"], case["treeSize"])
        assert built == _proof(case["proof"])
        checked += 1
    for f in sorted(VECTORS.glob("consistency/[0-9]*/happy-path.json")):
        case = json.loads(f.read_text())
        assert merkle.consistency_path(node, case["size1"], case["size2"]) == _proof(case["proof"])
        checked += 1
    assert checked == 10


@pytest.mark.parametrize("size", range(1, 70))
def test_every_built_proof_verifies_and_a_flipped_bit_does_not(size: int) -> None:
    hashes = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    node = _reader(hashes)
    root = merkle.root_from_leaves(hashes)
    for index in range(size):
        proof = merkle.inclusion_path(node, index, size)
        merkle.verify_inclusion(index, size, hashes[index], proof, root)
        for i in range(len(proof)):
            flipped = [*proof[:i], bytes([proof[i][0] ^ 1]) + proof[i][1:], *proof[i + 1 :]]
            with pytest.raises(ProofError):
                merkle.verify_inclusion(index, size, hashes[index], flipped, root)
        if size > 1:
            with pytest.raises(ProofError):
                merkle.verify_inclusion(index, size, hashes[(index + 1) % size], proof, root)
    for first in range(1, size + 1):
        first_root = merkle.root_from_leaves(hashes[:first])
        proof = merkle.consistency_path(node, first, size)
        merkle.verify_consistency(first, size, first_root, root, proof)
        if first < size:
            with pytest.raises(ProofError):
                merkle.verify_consistency(first, size, root, first_root, proof)


def test_a_proof_outside_the_tree_is_refused() -> None:
    node = _reader([merkle.leaf_hash(b"a")])
    with pytest.raises(ProofError):
        merkle.inclusion_path(node, 1, 1)
    with pytest.raises(ProofError):
        merkle.consistency_path(node, 0, 1)
    assert merkle.root_from_leaves([]) == merkle.EMPTY_ROOT
