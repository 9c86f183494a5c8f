"""``audit verify-db``: recompute the audit log's tree from the stored events and hold it against the stored
tree and every signed checkpoint.

Why both: an insider who edits, deletes, inserts or reorders audit rows leaves the stored tree as it was, so
the recomputed leaves differ from the stored ones at the first touched index; one who also rebuilds the
stored tree cannot re-sign the old checkpoints, whose roots then differ from the recomputed ones. Reads the
events once, in batches, keeping only O(log n) hashes (a compact range) besides the batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parcelguard.domain import merkle
from parcelguard.domain.checkpoint import CheckpointError
from parcelguard.services import transparency_log as tlog
from parcelguard.services.context import ServiceContext

_BATCH = 10_000
_CHUNK = 256
_HASH = 32


@dataclass(slots=True)
class DatabaseCheck:
    """What ``verify_database`` found: ``first_bad_index`` is the first leaf whose stored event no longer
    hashes to what was integrated (None when every leaf matches); ``problems`` says what, one line each."""

    tree_size: int
    events_read: int
    checkpoints: int
    first_bad_index: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _CompactRange:
    """The perfect subtrees of the leaves seen so far: the root at any point in O(log n)."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []
        self.size = 0

    def add(self, leaf: bytes) -> None:
        level, node = 0, leaf
        while self._stack and self._stack[-1][0] == level:
            node = merkle.node_hash(self._stack.pop()[1], node)
            level += 1
        self._stack.append((level, node))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return merkle.EMPTY_ROOT
        root = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            root = merkle.node_hash(left, root)
        return root


def verify_database(ctx: ServiceContext) -> DatabaseCheck:
    """Recompute every leaf from the stored audit rows up to the last integrated seq and compare it with
    the stored leaf hashes, and the roots at every checkpoint's size with the signed roots (signatures
    checked with this log's keys). Nothing is written."""
    with ctx.uow() as uow:
        size, last_seq = uow.transparency.state()
        published = uow.transparency.checkpoints()
    report = DatabaseCheck(tree_size=size, events_read=0, checkpoints=len(published))
    sizes: dict[int, list[tlog.SignedCheckpoint]] = {}
    for stored in published:
        try:
            tlog.verify_signed(ctx, stored.note)
        except CheckpointError as error:
            report.problems.append(f"checkpoint of size {stored.tree_size}: bad signature ({error})")
            continue
        sizes.setdefault(stored.tree_size, []).append(
            tlog.SignedCheckpoint(stored.note, stored.tree_size, stored.root_hash, stored.published_at)
        )
    frontier = _CompactRange()
    _check_roots(report, sizes, frontier)
    cursor = 0
    while True:
        with ctx.uow() as uow:
            store = uow.transparency
            batch = store.leaf_fields_after(cursor, last_seq, _BATCH)
            if not batch:
                break
            start = frontier.size
            want = range(start // _CHUNK, (min(start + len(batch), size) + _CHUNK - 1) // _CHUNK)
            chunks = store.chunks((0, c) for c in want)
        for offset, (row, leaf) in enumerate(zip(batch, tlog.leaf_hashes_of(batch), strict=True)):
            index, seq = start + offset, row[0]
            chunk = chunks.get((0, index // _CHUNK), b"")
            at = (index % _CHUNK) * _HASH
            stored_leaf = chunk[at : at + _HASH] if index < size else None
            if stored_leaf != leaf and report.first_bad_index is None:
                report.first_bad_index = index
                what = "is not in the log" if stored_leaf is None else "no longer hashes to the logged leaf"
                report.problems.append(f"leaf {index}: the audit event now stored there (seq {seq}) {what}")
            frontier.add(leaf)
            _check_roots(report, sizes, frontier)
        report.events_read += len(batch)
        cursor = batch[-1][0]
    if frontier.size < size and report.first_bad_index is None:
        report.first_bad_index = frontier.size
        report.problems.append(
            f"leaf {frontier.size}: the log has {size} leaves, the database {frontier.size}"
        )
    for missing in sorted(s for s in sizes if s > frontier.size):
        report.problems.append(f"checkpoint of size {missing}: only {frontier.size} events are stored")
    if report.ok:
        stored_root = tlog.tree_root(ctx, size)
        if stored_root != frontier.root():
            report.problems.append("the stored tree's root differs from the one recomputed from the events")
    return report


def _check_roots(
    report: DatabaseCheck, sizes: dict[int, list[tlog.SignedCheckpoint]], frontier: _CompactRange
) -> None:
    for cp in sizes.get(frontier.size, ()):
        if cp.root_hash != frontier.root():
            report.problems.append(
                f"checkpoint of size {cp.size} ({cp.published_at.isoformat()}): the events stored now give "
                "another root (history rewritten before this size)"
            )
