"""RFC 9162 Merkle trees: hashing, roots, inclusion and consistency proofs, and their verification.

Why our own code: pymerkle computes the same roots but its proofs are not in RFC 9162 form (and one version
accepted a proof with a tampered tree size), so the ~150 lines that an auditor's trust rests on are written
here against RFC 9162 section 2.1 and tested on every transparency-dev vector (tests/unit/core/
test_rfc9162_vectors.py), including the mutants that must fail.

Hashes are 32-byte SHA-256 digests: a leaf is ``SHA-256(0x00 || data)``, an interior node
``SHA-256(0x01 || left || right)``, the empty tree ``SHA-256()``. Building proofs needs only the hashes of
*perfect* subtrees (``NodeReader(level, index)``: the root of leaves ``[index * 2**level, (index + 1) *
2**level)``), which never change once their last leaf is in, so a stored tree answers in O(log n) reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
NodeReader = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof that does not verify, or a request no proof can answer (index outside the tree)."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 2.1.1 ``MTH({d}) = SHA-256(0x00 || d)``."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 2.1.1 ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_leaves(leaves: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (not data): the reference recursion, folded bottom-up."""
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])  # an odd node rises unchanged: same as RFC 9162's largest-power split
        level = paired
    return level[0]


def subtree_root(node: NodeReader, start: int, end: int) -> bytes:
    """MTH of leaves ``[start, end)`` from perfect-subtree hashes; ``start`` must be a multiple of the
    largest power of two below ``end - start`` (true of every range an RFC 9162 proof asks for)."""
    size = end - start
    if size <= 0:
        raise ProofError("empty range")
    parts: list[bytes] = []
    while size:
        level = size.bit_length() - 1
        parts.append(node(level, start >> level))
        start += 1 << level
        size -= 1 << level
    root = parts.pop()
    while parts:
        root = node_hash(parts.pop(), root)
    return root


def inclusion_path(node: NodeReader, index: int, size: int) -> list[bytes]:
    """RFC 9162 2.1.3.1 ``PATH(m, D[n])``, leaf-side first."""
    if not 0 <= index < size:
        raise ProofError("leaf index outside the tree")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = 1 << ((end - start - 1).bit_length() - 1)
        if index < start + k:
            path.append(subtree_root(node, start + k, end))
            end = start + k
        else:
            path.append(subtree_root(node, start, start + k))
            start += k
    path.reverse()
    return path


def consistency_path(node: NodeReader, first: int, second: int) -> list[bytes]:
    """RFC 9162 2.1.4.1 ``PROOF(m, D[n])`` for ``0 < first <= second``."""
    if not 0 < first <= second:
        raise ProofError("consistency needs 0 < first <= second")
    path: list[bytes] = []
    start, end, complete = 0, second, True
    while end - start != first - start or not complete:
        if end - start == first - start:  # SUBPROOF(m, D[m], false): the old root itself
            path.append(subtree_root(node, start, end))
            break
        k = 1 << ((end - start - 1).bit_length() - 1)
        if first - start <= k:
            path.append(subtree_root(node, start + k, end))
            end = start + k
        else:
            path.append(subtree_root(node, start, start + k))
            start += k
            complete = False
    path.reverse()
    return path


def _check(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is not a {HASH_SIZE}-byte hash")


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 2.1.3.2: the root the proof leads to; ProofError when its shape cannot fit the tree."""
    if not 0 <= index < size:
        raise ProofError("leaf index outside the tree")
    _check(leaf, "leaf hash")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        _check(p, "proof hash")
        if sn == 0:
            raise ProofError("proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("proof too short")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raise ProofError unless ``proof`` proves leaf hash ``leaf`` at ``index`` in the tree ``root``."""
    _check(root, "root")
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 2.1.4.2: raise ProofError unless tree ``second`` extends tree ``first``.

    A proof from size 0 is refused (it proves nothing), as the vectors expect.
    """
    if first <= 0 or second < first:
        raise ProofError("consistency needs 0 < first <= second")
    if first == second:
        if proof:
            raise ProofError("equal sizes take an empty proof")
        if first_root != second_root:
            raise ProofError("equal sizes but different roots")
        return
    _check(first_root, "first root")
    _check(second_root, "second root")
    if not proof:
        raise ProofError("empty proof")
    for p in proof:
        _check(p, "proof hash")
    path = list(proof)
    if first & (first - 1) == 0:  # first is a power of two: its root is the path's implicit start
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("proof too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("proof too short")
    if fr != first_root or sr != second_root:
        raise ProofError("consistency proof does not lead to both roots")
