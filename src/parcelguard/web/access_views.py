"""The JSON a customer downloads (the page) or reads (``GET /v1/access/events``): accesses and their proofs.

A proof is RFC 9162's inclusion proof in the shape of ``parcelguard audit prove inclusion --json``
(``leaf_index``, ``tree_size``, ``leaf_hash``, ``proof`` as hex, ``root_hash``) plus the signed checkpoint
text it is for (C2SP tlog-checkpoint), so anyone can check it with the checkpoint's public key alone. The
access beside it is what the page shows; the event's own bytes are not included, since they name the person
(the leaf hash commits to them, so the carrier can be held to them by an auditor).
"""

from __future__ import annotations

from typing import Any

from parcelguard.domain.access_transparency import AccessEntry
from parcelguard.services.access_transparency import AccessProof, AccessProofs
from parcelguard.services.tracking import china_time

PROOF_FORMAT = "parcelguard-access-proof/v1"


def hex_of(value: object) -> str:
    """A hash as lower-case hex, whether the log hands it over as bytes or as hex already."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value).lower()


def entry_document(entry: AccessEntry) -> dict[str, Any]:
    """One access as JSON: times in China Standard Time, to the minute; never who, only a masked alias."""
    return {
        "seq": entry.seq,
        "occurred_at": china_time(entry.occurred_at).isoformat(timespec="minutes"),
        "kind": entry.kind.value,
        "action": entry.action,
        "role": entry.accessor.role,
        "organisation": entry.accessor.organisation,
        "station": entry.accessor.station,
        "staff": entry.accessor.alias,
        "purpose": entry.purpose,
        "decision": entry.decision,
        "reason": entry.reason,
        "fields": list(entry.fields),
        "leaf_index": entry.leaf_index,
    }


def inclusion_document(proof: AccessProof) -> dict[str, Any]:
    p = proof.proof
    return {
        "leaf_index": p.leaf_index,
        "tree_size": p.tree_size,
        "leaf_hash": hex_of(p.leaf_hash),
        "proof": [hex_of(node) for node in p.proof],
        "root_hash": hex_of(p.root_hash),
    }


def proof_document(proof: AccessProof) -> dict[str, Any]:
    """One access with its inclusion proof and the checkpoint text."""
    return {
        "format": PROOF_FORMAT,
        "access": entry_document(proof.entry),
        "inclusion": inclusion_document(proof),
        "checkpoint": proof.checkpoint.text,
    }


def proofs_document(proofs: AccessProofs) -> dict[str, Any]:
    """Every access with its proof, all against one checkpoint (given once)."""
    return {
        "format": PROOF_FORMAT,
        "checkpoint": proofs.checkpoint.text,
        "accesses": [
            {"access": entry_document(p.entry), "inclusion": inclusion_document(p)} for p in proofs.proofs
        ],
    }
