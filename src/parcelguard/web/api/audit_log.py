"""/v1/audit: the verifiable audit log for auditors and regulators (docs/audit-log.md).

Checkpoints are C2SP signed notes (``text/plain``); proofs are RFC 9162 hashes in hex; entries are the
canonical bytes of each leaf's audit event (encoding version 1), so an auditor recomputes every leaf hash.
Readers: the carrier's security officers, regulators and administrators with their bearer token, or a
carrier API key with ``admin``; a platform's keys and people are forbidden whatever their role or scopes.
One check for every route (``deps.get_audit_reader``, on the router), before any query is read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Security
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from parcelguard.domain import merkle
from parcelguard.services import transparency_log as tlog
from parcelguard.web.api.deps import Ctx, get_audit_reader

router = APIRouter(prefix="/v1/audit", tags=["audit log"], dependencies=[Security(get_audit_reader)])
_MAX = 2**62


class InclusionProofRead(BaseModel):
    leaf_index: int
    tree_size: int
    leaf_hash: str
    proof: list[str]
    root_hash: str


class ConsistencyProofRead(BaseModel):
    first: int
    second: int
    proof: list[str]
    first_root: str
    second_root: str


class EntryRead(BaseModel):
    leaf_index: int
    audit_seq: int
    leaf_hash: str
    canonical: str  # the leaf data: the event's canonical JSON (UTF-8), hashed as SHA-256(0x00 || it)


class EntriesRead(BaseModel):
    start: int
    end: int
    entries: list[EntryRead]


@router.get("/checkpoint", response_class=PlainTextResponse)
def checkpoint(ctx: Ctx) -> PlainTextResponse:
    """The current signed checkpoint (published now if the tree grew since the last one)."""
    cp = tlog.current_checkpoint(ctx, max_age=timedelta(0))
    return PlainTextResponse(cp.text, media_type="text/plain; charset=utf-8")


@router.get("/proof/inclusion", response_model=InclusionProofRead)
def inclusion(
    ctx: Ctx,
    index: Annotated[int, Query(ge=0, le=_MAX)],
    size: Annotated[int, Query(ge=1, le=_MAX)],
) -> InclusionProofRead:
    """RFC 9162 inclusion proof of leaf ``index`` in the tree of ``size`` leaves."""
    return InclusionProofRead.model_validate(tlog.inclusion_proof(ctx, index, size).to_json())


@router.get("/proof/consistency", response_model=ConsistencyProofRead)
def consistency(
    ctx: Ctx,
    first: Annotated[int, Query(ge=1, le=_MAX)],
    second: Annotated[int, Query(ge=1, le=_MAX)],
) -> ConsistencyProofRead:
    """RFC 9162 consistency proof that tree ``second`` extends tree ``first``."""
    return ConsistencyProofRead.model_validate(tlog.consistency_proof(ctx, first, second).to_json())


@router.get("/entries", response_model=EntriesRead)
def entries(
    ctx: Ctx,
    start: Annotated[int, Query(ge=0, le=_MAX)],
    end: Annotated[int, Query(ge=1, le=_MAX)],
) -> EntriesRead:
    """Leaves ``[start, end)`` (at most 1000) with their canonical event bytes."""
    found = tlog.entries(ctx, start, end)
    return EntriesRead(
        start=start,
        end=end,
        entries=[
            EntryRead(
                leaf_index=e.leaf_index,
                audit_seq=e.audit_seq,
                leaf_hash=merkle.leaf_hash(e.event.canonical_bytes()).hex(),
                canonical=e.event.canonical_bytes().decode(),
            )
            for e in found
        ],
    )
