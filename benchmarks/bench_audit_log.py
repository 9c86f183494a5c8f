"""The verifiable audit log (issue 11): append rate, and proofs at 10 million entries.

Figures (wall time on one core; the load average is printed beside them):

* audit append: ``--events`` audit events written in batches of 10,000 (one transaction each, as issuance
  writes them), then integrated by the sequencer (``integrate_pending``: read, canonical encoding, leaf
  hashes, perfect-subtree hashes, runs, state) — events/s for each step and for both together;
* a synthetic tree of ``--leaves`` leaves (leaf i = SHA-256(0x00 || i as 8 bytes)) built straight into the
  stored form (tlog_node_chunk) in a temporary SQLite file, with the time to build it;
* inclusion and consistency proofs against that tree through ``services.transparency_log`` (a unit of work,
  one query, the proof), median and p99 of ``--proofs`` random ones, each checked with the RFC 9162
  verifier; proof sizes in hashes and bytes.

Run: python benchmarks/bench_audit_log.py [--events 100000] [--leaves 10000000] [--proofs 2000]
     [--tree FILE (keep and reuse the synthetic tree)] [--skip-append]
     [--database-url postgresql+psycopg://...] (the synthetic tree is always SQLite).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from _common import LoadAverage, add_database_argument, backend_name, fresh_runtime
from parcelguard.adapters.db import migrate
from parcelguard.adapters.db.engine import make_engine
from parcelguard.adapters.db.unit_of_work import SqlUnitOfWork
from parcelguard.domain import merkle
from parcelguard.domain.audit import AuditEvent
from parcelguard.services import transparency_log as tlog

BATCH = 10_000
CHUNK = 256


def bench_append(database_url: str | None, events: int) -> None:
    with fresh_runtime(database_url) as runtime:
        tlog.integrate_pending(runtime.ctx)  # whatever bootstrap logged
        t0 = datetime(2026, 11, 30, tzinfo=UTC)
        written = 0.0
        for start in range(0, events, BATCH):
            batch = [
                AuditEvent(
                    "reveal:waybill:revealed",
                    f"user:agent{i % 50}",
                    t0 + timedelta(milliseconds=i),
                    f"PG{i:013d}",
                    {
                        "role": "cs_agent",
                        "station": "NS-01",
                        "purpose": "delivery_issue",
                        "decision": "allowed",
                    },
                )
                for i in range(start, min(events, start + BATCH))
            ]
            began = time.perf_counter()
            with runtime.ctx.uow() as uow:
                uow.audit.append_many(batch)
                uow.commit()
            written += time.perf_counter() - began
        began = time.perf_counter()
        integrated = tlog.integrate_pending(runtime.ctx)
        sequenced = time.perf_counter() - began
        assert integrated == events, integrated
        print(f"audit append on {backend_name(database_url)}, {events:,} events in batches of {BATCH:,}:")
        print(f"  write audit rows      {events / written:>10,.0f} events/s")
        print(f"  integrate into tree   {events / sequenced:>10,.0f} events/s")
        print(f"  both                  {events / (written + sequenced):>10,.0f} events/s  (floor 20,000)")


def build_synthetic(path: Path, leaves: int) -> float:
    """Leaves i = SHA-256(0x00 || i), stored as the sequencer stores them; seconds taken."""
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    began = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    insert = "INSERT INTO tlog_node_chunk (level, chunk, hashes) VALUES (?, ?, ?)"
    sha, node = hashlib.sha256, merkle.node_hash
    block = 1 << 16  # levels 0..8 per block keep chunk boundaries; level 8 gathered for the levels above
    level8: list[bytes] = []
    for start in range(0, leaves, block):
        level = [
            sha(b"\x00" + i.to_bytes(8, "big")).digest() for i in range(start, min(leaves, start + block))
        ]
        for height in range(9):
            data = b"".join(level)
            first = (start >> height) // CHUNK
            step = CHUNK * 32
            db.executemany(
                insert,
                [
                    (height, first + k, data[k * step : (k + 1) * step])
                    for k in range((len(data) + step - 1) // step)
                ],
            )
            if height == 8:
                level8.extend(level)
                break
            level = [node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
    level, height = level8, 8
    while len(level) > 1:
        level = [node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        height += 1
        data = b"".join(level)
        step = CHUNK * 32
        db.executemany(
            insert,
            [(height, k, data[k * step : (k + 1) * step]) for k in range((len(data) + step - 1) // step)],
        )
    db.execute(
        "INSERT INTO tlog_state (id, tree_size, last_seq, updated_at) VALUES (1, ?, ?, ?)",
        (leaves, leaves, datetime.now(UTC).isoformat()),
    )
    db.execute("INSERT INTO tlog_leaf_run (first_leaf, first_seq, count) VALUES (0, 1, ?)", (leaves,))
    db.commit()
    db.close()
    return time.perf_counter() - began


def timed(fn: Any, count: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each call (CPU: this process's own, so a busy shared machine shows in
    the wall figure only)."""
    wall, cpu = [], []
    for _ in range(count):
        began, began_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - began_cpu) * 1000)
        wall.append((time.perf_counter() - began) * 1000)
    return wall, cpu


def figures(wall: list[float], cpu: list[float]) -> str:
    p99 = statistics.quantiles(wall, n=100)[98]
    cpu99 = statistics.quantiles(cpu, n=100)[98]
    return (
        f"median {statistics.median(wall):.3f} ms, p99 {p99:.3f} ms wall; "
        f"CPU median {statistics.median(cpu):.3f} ms, p99 {cpu99:.3f} ms"
    )


def bench_proofs(leaves: int, proofs: int, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = keep or Path(folder) / "tree.db"
        if path.exists():
            print(f"synthetic tree of {leaves:,} leaves reused from {path}")
        else:
            seconds = build_synthetic(path, leaves)
            size_mib = path.stat().st_size / 2**20
            print(
                f"synthetic tree of {leaves:,} leaves built in {seconds:.1f} s ({size_mib:,.0f} MiB on disk)"
            )
        engine = make_engine(f"sqlite:///{path}")
        ctx: Any = SimpleNamespace(uow=lambda: SqlUnitOfWork(engine), clock=lambda: datetime.now(UTC))
        rnd = random.Random(11)
        root = tlog.tree_root(ctx, leaves)
        for index in (0, leaves - 1, rnd.randrange(leaves)):
            p = tlog.inclusion_proof(ctx, index, leaves)
            expected = hashlib.sha256(b"\x00" + index.to_bytes(8, "big")).digest()
            assert p.leaf_hash == expected and p.root_hash == root
            merkle.verify_inclusion(index, leaves, p.leaf_hash, p.proof, root)
        indexes = [rnd.randrange(leaves) for _ in range(proofs)]
        it = iter(indexes)
        for _ in range(50):  # warm the page cache and the statement cache
            tlog.inclusion_proof(ctx, rnd.randrange(leaves), leaves)
        wall, cpu = timed(lambda: tlog.inclusion_proof(ctx, next(it), leaves), proofs)
        sizes = [len(tlog.inclusion_proof(ctx, i, leaves).proof) for i in indexes[:200]]
        print(
            f"  inclusion proof at {leaves:,} (floor 1 ms): {figures(wall, cpu)}; "
            f"{min(sizes)}-{max(sizes)} hashes = {max(sizes) * 32} bytes at most"
        )
        firsts = [rnd.randrange(1, leaves) for _ in range(proofs)]
        it2 = iter(firsts)
        cwall, ccpu = timed(lambda: tlog.consistency_proof(ctx, next(it2), leaves), proofs)
        c = tlog.consistency_proof(ctx, firsts[0], leaves)
        merkle.verify_consistency(c.first, c.second, c.first_root, c.second_root, c.proof)
        csizes = [len(tlog.consistency_proof(ctx, f, leaves).proof) for f in firsts[:200]]
        print(
            f"  consistency proof to {leaves:,}: {figures(cwall, ccpu)}; "
            f"{min(csizes)}-{max(csizes)} hashes = {max(csizes) * 32} bytes at most"
        )
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--leaves", type=int, default=10_000_000)
    parser.add_argument("--proofs", type=int, default=2000)
    parser.add_argument(
        "--tree", type=Path, help="keep the synthetic tree in this file (reused if it exists)"
    )
    parser.add_argument("--skip-append", action="store_true", help="only the proofs")
    add_database_argument(parser)
    args = parser.parse_args()
    with LoadAverage() as load:
        if not args.skip_append:
            bench_append(args.database_url, args.events)
        bench_proofs(args.leaves, args.proofs, args.tree)
    print(load.summary())


if __name__ == "__main__":
    main()
