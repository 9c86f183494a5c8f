"""The verifiable audit log: a sequencer that makes every committed audit event a leaf of an RFC 9162 tree,
signed checkpoints (C2SP tlog-checkpoint in a signed note, cosigned later by the witnesses), and proofs.

Why after the commit, not inside it: a reveal's audit event is written in the reveal's own transaction
(services/reveal.py), so no answer goes out before its event is durable; the sequencer integrates committed
events afterwards, in ``audit_event.seq`` order, one batch per transaction. A sequencer killed mid-batch
leaves that batch's transaction uncommitted: the next run starts again from the last committed tree, so no
event is lost or integrated twice.

Leaf data is ``AuditEvent.canonical_bytes()`` of the stored row (docs/audit-log.md, encoding version 1).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from parcelguard.domain import merkle
from parcelguard.domain.access import Principal, Scope
from parcelguard.domain.audit import AuditEvent, canonical_event_bytes
from parcelguard.domain.checkpoint import Checkpoint, NoteVerifier, format_note, verify_note
from parcelguard.domain.merkle import ProofError
from parcelguard.domain.people import Role
from parcelguard.errors import ConfigurationError, ErrorCode, PermissionDeniedError, ValidationError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import EventFields, LogKeys, StoredCheckpoint, TransparencyStore

BATCH = 10_000
CHECKPOINT_INTERVAL = timedelta(minutes=5)
MAX_ENTRIES = 1000
_CHUNK = 256
_HEAD_TRIES = 100
_HASH = 32


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A published checkpoint: the signed note ``text``, and the tree it commits to."""

    text: str
    size: int
    root_hash: bytes
    published_at: datetime


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """RFC 9162 inclusion proof of leaf ``leaf_index`` in the tree of ``tree_size`` leaves (leaf side
    first); hashes are 32 bytes, ``to_json`` writes them in hex."""

    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    proof: list[bytes]
    root_hash: bytes

    def to_json(self) -> dict[str, object]:
        return {
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash.hex(),
            "proof": [p.hex() for p in self.proof],
            "root_hash": self.root_hash.hex(),
        }


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """RFC 9162 consistency proof that tree ``second`` extends tree ``first``."""

    first: int
    second: int
    proof: list[bytes]
    first_root: bytes
    second_root: bytes

    def to_json(self) -> dict[str, object]:
        return {
            "first": self.first,
            "second": self.second,
            "proof": [p.hex() for p in self.proof],
            "first_root": self.first_root.hex(),
            "second_root": self.second_root.hex(),
        }


@dataclass(frozen=True, slots=True)
class LogEntry:
    """Leaf ``leaf_index`` is audit event ``audit_seq``; its leaf data is ``event.canonical_bytes()``."""

    leaf_index: int
    audit_seq: int
    event: AuditEvent


AUDITOR_ROLES = frozenset({Role.SECURITY_OFFICER, Role.REGULATOR, Role.ADMIN})


def require_auditor(principal: Principal) -> None:
    """The log's HTTP interface is for auditors: a security officer, a regulator or an administrator
    signed in, or an API key with the ``admin`` scope, of the carrier (the log records every organisation's
    events); PermissionDeniedError ``forbidden`` otherwise, and for a platform's keys and people always."""
    principal.require_carrier("the audit log is the carrier's: a platform's keys and people do not read it")
    if principal.is_user:
        if principal.role in AUDITOR_ROLES:
            return
    elif Scope.ADMIN in principal.scopes:
        return
    raise PermissionDeniedError(
        "the audit log is read by security officers, regulators and administrators (or an admin API key)",
        code=ErrorCode.FORBIDDEN,
    )


# -- sequencing -------------------------------------------------------------------------------------------


def integrate_pending(ctx: ServiceContext, *, batch_size: int = BATCH, max_batches: int | None = None) -> int:
    """Make committed audit events leaves, oldest seq first, ``batch_size`` per transaction; how many.

    Only events that can no longer be preceded by a late commit are taken (``settled_seq``). A concurrent
    sequencer that moved the tree first ends this one quietly (it integrates the rest). Call it (and
    everything here that integrates first: checkpoints) outside any open unit of work that wrote audit
    events: on PostgreSQL it waits for such transactions to end (at most 10 s, then an error).
    """
    with ctx.uow() as uow:
        settled = uow.transparency.settled_seq()
        uow.commit()
    total = batches = 0
    while max_batches is None or batches < max_batches:
        with ctx.uow() as uow:
            store = uow.transparency
            size, last_seq = store.state()
            if not store.claim(size, last_seq, ctx.clock()):
                return total
            batch = store.leaf_fields_after(last_seq, settled, batch_size)
            if not batch:
                return total
            store.append_leaves(size, [row[0] for row in batch], leaf_hashes_of(batch), ctx.clock())
            uow.commit()
        total += len(batch)
        batches += 1
    return total


def leaf_hashes_of(rows: Sequence[EventFields]) -> list[bytes]:
    """RFC 9162 leaf hashes of stored events: SHA-256(0x00 || encoding version 1 of the event)."""
    sha = hashlib.sha256
    loads = json.loads
    return [
        sha(b"\x00" + canonical_event_bytes(action, actor, at, subject, loads(details))).digest()
        for _, action, actor, at, subject, details in rows
    ]


def _keys(ctx: ServiceContext) -> LogKeys:
    if ctx.log_keys is None:
        raise ConfigurationError(
            "the key file holds no audit log signing key (start ParcelGuard once with key creation enabled)",
            code=ErrorCode.KEY_VERSION_UNKNOWN,
        )
    return ctx.log_keys


class _Nodes:
    """Perfect-subtree hashes read in one query per proof: a first pass records what the proof needs."""

    def __init__(self, store: TransparencyStore, size: int) -> None:
        self._store = store
        self._size = size
        self._chunks: dict[tuple[int, int], bytes] = {}

    def prefetch(self, build: Callable[[merkle.NodeReader], object]) -> None:
        wanted: set[tuple[int, int]] = set()

        def record(level: int, index: int) -> bytes:
            wanted.add((level, index // _CHUNK))
            return bytes(_HASH)

        build(record)
        self._chunks.update(self._store.chunks(wanted - self._chunks.keys()))

    def __call__(self, level: int, index: int) -> bytes:
        if (index + 1) << level > self._size:
            raise ProofError("a subtree beyond the tree")
        chunk = self._chunks.get((level, index // _CHUNK))
        if chunk is None:
            self._chunks.update(self._store.chunks([(level, index // _CHUNK)]))
            chunk = self._chunks.get((level, index // _CHUNK))
        offset = (index % _CHUNK) * _HASH
        if chunk is None or len(chunk) < offset + _HASH:
            raise ConfigurationError(
                "the stored audit log tree is damaged: run `parcelguard audit verify-db`",
                code=ErrorCode.INTERNAL,
            )
        return chunk[offset : offset + _HASH]


def _root(nodes: _Nodes, size: int) -> bytes:
    if size == 0:
        return merkle.EMPTY_ROOT
    nodes.prefetch(lambda node: merkle.subtree_root(node, 0, size))
    return merkle.subtree_root(nodes, 0, size)


def _tree_size(store: TransparencyStore) -> int:
    return store.state()[0]


def _check_size(size: int, tree_size: int, what: str) -> None:
    if not 0 <= size <= tree_size:
        raise ValidationError(f"{what} must be between 0 and the log's size, {tree_size}")


# -- checkpoints ------------------------------------------------------------------------------------------


def _signed(stored: StoredCheckpoint) -> SignedCheckpoint:
    return SignedCheckpoint(stored.note, stored.tree_size, stored.root_hash, stored.published_at)


def publish_checkpoint(ctx: ServiceContext) -> SignedCheckpoint:
    """Integrate what is pending and sign the tree as it stands (the log key); the latest
    checkpoint when the tree has not grown. Refuses to sign a tree that does not extend the last signed one
    (ConfigurationError ``internal_error``: the stored tree was rewritten).

    Publishers take turns: each first claims the log's head (``TransparencyStore.claim``: the state row's
    lock on PostgreSQL, the write lock on SQLite) and holds it until its checkpoint is committed, so no
    integration or other publisher moves the head in between. Without that, a publisher that read size 100
    could commit its checkpoint after another's of size 120, and the latest checkpoint would go backwards
    (an auditor's ``audit verify`` then reports a rollback). ConfigurationError ``internal_error`` when the
    head kept moving for ``_HEAD_TRIES`` claims in a row.
    """
    integrate_pending(ctx)
    return _publish_head(ctx)


def _publish_head(ctx: ServiceContext) -> SignedCheckpoint:
    keys = _keys(ctx)
    for _ in range(_HEAD_TRIES):
        with ctx.uow() as uow:
            store = uow.transparency
            size, last_seq = store.state()
            if not store.claim(size, last_seq, ctx.clock()):
                continue  # another sequencer or publisher moved the head since: read it again
            stored, new = _sign_head(keys, store, size, ctx.clock())
            if new:
                uow.commit()
            return _signed(stored)
    raise ConfigurationError(
        "the audit log's head kept moving while a checkpoint was being published; try again",
        code=ErrorCode.INTERNAL,
    )


def _sign_head(
    keys: LogKeys, store: TransparencyStore, size: int, at: datetime
) -> tuple[StoredCheckpoint, bool]:
    """The checkpoint of the claimed head of ``size`` leaves, and whether it is new: the latest one when it
    already is that tree, else one signed and stored now."""
    nodes = _Nodes(store, size)
    root = _root(nodes, size)
    latest = store.latest_checkpoint()
    if latest is not None:
        if latest.tree_size == size and latest.root_hash == root:
            return latest, False
        try:
            if latest.tree_size > size:
                raise ProofError("the tree shrank")
            if latest.tree_size > 0:
                proof = _consistency_path(nodes, latest.tree_size, size)
                merkle.verify_consistency(latest.tree_size, size, latest.root_hash, root, proof)
        except ProofError:
            raise ConfigurationError(
                "the stored audit log does not extend the last signed checkpoint; refusing to sign it "
                "(run `parcelguard audit verify-db`)",
                code=ErrorCode.INTERNAL,
            ) from None
    body = Checkpoint(keys.origin, size, root).body()
    note = format_note(body, [keys.log.sign(body)])  # witnesses' cosignatures come later (add_signatures)
    return store.add_checkpoint(size, root, note, at), True


def current_checkpoint(ctx: ServiceContext, *, max_age: timedelta = CHECKPOINT_INTERVAL) -> SignedCheckpoint:
    """The latest signed checkpoint, publishing a new one first when there is none, or when the tree has
    grown and the latest is older than ``max_age`` (``timedelta(0)``: one that covers every event
    committed so far, as a proof for a fresh event needs)."""
    integrate_pending(ctx)
    return checkpoint_if_due(ctx, max_age)[0]


def checkpoint_if_due(ctx: ServiceContext, max_age: timedelta) -> tuple[SignedCheckpoint, bool]:
    """``current_checkpoint`` without integrating first (for a caller that just did), and whether it
    published a new checkpoint."""
    with ctx.uow() as uow:
        store = uow.transparency
        latest = store.latest_checkpoint()
        size = _tree_size(store)
    if latest is not None and (latest.tree_size == size or ctx.clock() - latest.published_at < max_age):
        return _signed(latest), False
    published = _publish_head(ctx)
    return published, latest is None or published.size != latest.tree_size


def verifiers_of(keys: LogKeys) -> list[NoteVerifier]:
    """Every key this log's checkpoints are checked with: the log's (first), the retired key-file
    witness's (old checkpoints carry its line) and the configured witnesses'."""
    return [keys.log.verifier, *keys.retired, *keys.witness_keys]


def verify_signed(ctx: ServiceContext, text: str) -> Checkpoint:
    """Check a checkpoint text against this log's keys: the log's signature required; every line by a
    known key (a retired one, a configured witness) must verify, none is required (cosignatures arrive
    after publication). CheckpointError otherwise."""
    keys = _keys(ctx)
    checkpoint, _ = verify_note(text, verifiers_of(keys), required=[keys.log.name], threshold=1)
    return checkpoint


def checkpoints(ctx: ServiceContext) -> list[SignedCheckpoint]:
    """Every checkpoint published, oldest first."""
    with ctx.uow() as uow:
        return [_signed(c) for c in uow.transparency.checkpoints()]


# -- proofs and entries -----------------------------------------------------------------------------------


def _consistency_path(nodes: _Nodes, first: int, second: int) -> list[bytes]:
    nodes.prefetch(lambda node: merkle.consistency_path(node, first, second))
    return merkle.consistency_path(nodes, first, second)


def inclusion_proof(ctx: ServiceContext, leaf_index: int, tree_size: int) -> InclusionProof:
    """Proof that leaf ``leaf_index`` is in the tree of ``tree_size`` leaves (at most the integrated size);
    ValidationError ``invalid_request`` outside it. O(log n) stored hashes, one query."""
    with ctx.uow() as uow:
        store = uow.transparency
        integrated = _tree_size(store)
        _check_size(tree_size, integrated, "tree_size")
        if not 0 <= leaf_index < tree_size:
            raise ValidationError(f"index must be between 0 and tree_size - 1 ({tree_size - 1})")
        nodes = _Nodes(store, tree_size)

        def build(node: merkle.NodeReader) -> tuple[bytes, list[bytes], bytes]:
            return node(0, leaf_index), merkle.inclusion_path(node, leaf_index, tree_size), _whole(node)

        def _whole(node: merkle.NodeReader) -> bytes:
            return merkle.subtree_root(node, 0, tree_size)

        nodes.prefetch(build)
        leaf, path, root = build(nodes)
    return InclusionProof(leaf_index, tree_size, leaf, path, root)


def consistency_proof(ctx: ServiceContext, first: int, second: int) -> ConsistencyProof:
    """Proof that tree ``second`` extends tree ``first`` (``0 < first <= second <= size``)."""
    with ctx.uow() as uow:
        store = uow.transparency
        integrated = _tree_size(store)
        _check_size(second, integrated, "second")
        if not 0 < first <= second:
            raise ValidationError("first must be between 1 and second")
        nodes = _Nodes(store, second)
        proof = _consistency_path(nodes, first, second)
        return ConsistencyProof(first, second, proof, _root(nodes, first), _root(nodes, second))


def tree_root(ctx: ServiceContext, size: int) -> bytes:
    """The root hash of the first ``size`` leaves."""
    with ctx.uow() as uow:
        store = uow.transparency
        _check_size(size, _tree_size(store), "size")
        return _root(_Nodes(store, size), size)


def leaf_index_of(ctx: ServiceContext, audit_seq: int) -> int | None:
    """The leaf of audit event ``audit_seq``, or None while it is not integrated (or no such event)."""
    with ctx.uow() as uow:
        return uow.transparency.leaf_index_of(audit_seq)


def leaf_indexes_of(ctx: ServiceContext, audit_seqs: Sequence[int]) -> dict[int, int | None]:
    """``leaf_index_of`` for many events in one unit of work."""
    with ctx.uow() as uow:
        return {seq: uow.transparency.leaf_index_of(seq) for seq in audit_seqs}


def entries(ctx: ServiceContext, start: int, end: int) -> list[LogEntry]:
    """Leaves ``[start, end)`` (at most MAX_ENTRIES) as their audit events, to recompute the leaf hashes."""
    with ctx.uow() as uow:
        store = uow.transparency
        size = _tree_size(store)
        if not 0 <= start < end <= size or end - start > MAX_ENTRIES:
            raise ValidationError(
                f"entries need 0 <= start < end <= {size} and at most {MAX_ENTRIES} of them"
            )
        found: list[LogEntry] = []
        for run in store.runs_between(start, end):
            lo = max(start, run.first_leaf)
            hi = min(end, run.first_leaf + run.count)
            if lo >= hi:
                continue
            first_seq = run.first_seq + (lo - run.first_leaf)
            for seq, event in store.events_between(first_seq, first_seq + (hi - lo) - 1):
                found.append(LogEntry(run.first_leaf + (seq - run.first_seq), seq, event))
    return found


def leaf_hashes(entries_: Sequence[LogEntry]) -> list[bytes]:
    """RFC 9162 leaf hashes of entries, as an auditor recomputes them."""
    return [merkle.leaf_hash(e.event.canonical_bytes()) for e in entries_]
