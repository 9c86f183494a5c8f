"""The audit log as an RFC 9162 tree on SQLite and PostgreSQL: integration in seq order and in batches,
signed checkpoints, proofs that verify against them, entries that rehash to the leaves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parcelguard.adapters.crypto.note_keys import Ed25519NoteVerifier
from parcelguard.bootstrap import Runtime
from parcelguard.domain import merkle
from parcelguard.domain.audit import AuditEvent
from parcelguard.domain.checkpoint import CheckpointError, verify_note
from parcelguard.errors import ValidationError
from parcelguard.services import transparency_log as tlog

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def add_events(runtime: Runtime, n: int, *, start: int = 0) -> None:
    events = [
        AuditEvent(
            "reveal:waybill:revealed",
            f"user:agent{(start + i) % 7}",
            T0 + timedelta(seconds=start + i),
            f"PG{start + i:013d}",
            {"role": "cs_agent", "n": start + i, "ok": True, "station": None, "where": '北京 "站"', "x": 0.5},
        )
        for i in range(n)
    ]
    with runtime.ctx.uow() as uow:
        uow.audit.append_many(events)
        uow.commit()


def stored_leaves(runtime: Runtime) -> list[bytes]:
    with runtime.ctx.uow() as uow:
        rows = uow.audit_search.search(limit=100_000)
    return [merkle.leaf_hash(e.canonical_bytes()) for e in rows]


def test_events_become_leaves_in_seq_order_in_batches(runtime: Runtime) -> None:
    add_events(runtime, 700)
    assert tlog.integrate_pending(runtime.ctx, batch_size=300, max_batches=1) == 300
    assert tlog.integrate_pending(runtime.ctx, batch_size=256) == 400
    assert tlog.integrate_pending(runtime.ctx) == 0
    add_events(runtime, 3, start=700)
    assert tlog.integrate_pending(runtime.ctx) == 3
    leaves = stored_leaves(runtime)
    assert tlog.tree_root(runtime.ctx, 703) == merkle.root_from_leaves(leaves)
    assert tlog.tree_root(runtime.ctx, 257) == merkle.root_from_leaves(leaves[:257])
    assert tlog.leaf_index_of(runtime.ctx, 1) == 0
    assert tlog.leaf_index_of(runtime.ctx, 703) == 702
    assert tlog.leaf_index_of(runtime.ctx, 704) is None
    assert tlog.leaf_indexes_of(runtime.ctx, [1, 5, 704]) == {1: 0, 5: 4, 704: None}


def test_checkpoint_is_signed_by_the_log_key_alone(runtime: Runtime) -> None:
    """The carrier signs with its log key only: a witness's cosignature comes from the witness's own key
    (PARCELGUARD_WITNESSES, added with add_signatures)."""
    add_events(runtime, 10)
    cp = tlog.current_checkpoint(runtime.ctx)
    assert cp.size == 10
    keys = runtime.ctx.log_keys
    assert keys is not None
    verifiers = [Ed25519NoteVerifier.from_text(keys.log.verifier_key)]
    checkpoint, signed = verify_note(cp.text, verifiers, required=[keys.log.name], threshold=1)
    assert checkpoint.size == 10 and checkpoint.root_hash == cp.root_hash
    assert signed == [keys.log.name] and cp.text.count("\n\u2014 ") == 1
    assert cp.text.startswith(f"{keys.origin}\n10\n")
    # the same tree gives the same checkpoint; a grown one a new one on demand
    assert tlog.publish_checkpoint(runtime.ctx) == cp
    add_events(runtime, 1, start=10)
    assert tlog.current_checkpoint(runtime.ctx).size == 10  # younger than the interval
    assert tlog.current_checkpoint(runtime.ctx, max_age=timedelta(0)).size == 11
    tampered = cp.text.replace("\n10\n", "\n11\n", 1)
    with pytest.raises(CheckpointError):
        verify_note(tampered, verifiers, threshold=1)


def test_proofs_verify_against_the_checkpoint(runtime: Runtime) -> None:
    add_events(runtime, 600)
    cp = tlog.publish_checkpoint(runtime.ctx)
    leaves = stored_leaves(runtime)
    for index in (0, 1, 255, 256, 511, 599):
        proof = tlog.inclusion_proof(runtime.ctx, index, cp.size)
        assert proof.leaf_hash == leaves[index] and proof.root_hash == cp.root_hash
        merkle.verify_inclusion(index, cp.size, proof.leaf_hash, proof.proof, cp.root_hash)
    for first in (1, 2, 255, 256, 300, 600):
        c = tlog.consistency_proof(runtime.ctx, first, 600)
        assert c.first_root == merkle.root_from_leaves(leaves[:first])
        merkle.verify_consistency(first, 600, c.first_root, c.second_root, c.proof)
    with pytest.raises(ValidationError):
        tlog.inclusion_proof(runtime.ctx, 600, 600)
    with pytest.raises(ValidationError):
        tlog.inclusion_proof(runtime.ctx, 0, 601)
    with pytest.raises(ValidationError):
        tlog.consistency_proof(runtime.ctx, 0, 600)


def test_entries_rehash_to_the_leaves(runtime: Runtime) -> None:
    add_events(runtime, 30)
    tlog.integrate_pending(runtime.ctx)
    got = tlog.entries(runtime.ctx, 5, 25)
    assert [e.leaf_index for e in got] == list(range(5, 25))
    assert tlog.leaf_hashes(got) == stored_leaves(runtime)[5:25]
    with pytest.raises(ValidationError):
        tlog.entries(runtime.ctx, 25, 31)
