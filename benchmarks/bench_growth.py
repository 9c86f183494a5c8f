"""Issuance and lookups as the database grows: at 0 existing waybills and at N, alternately in one run.

Measures, on an empty database and on one holding N waybills, batch by batch and lookup chunk by lookup chunk
alternately (so a change of load on a shared machine hits both alike): batch issuance (batches of 1,000
through ``issue_batch``, 20% of orders with a remark of their own), lookups by tracking number
(``view_waybill``: fetch, decrypt, mask) and by blind index (``find_by_recipient_mobile``), each as operations
per CPU second of this process (wall clock beside), and the ratio at N to the empty database's; beside
issuance, the physical floor (see _common.Floor) writing into the same tables of the same database, batch for
batch, so the ratio of issuance to the floor is printed at 0 and at N. Target (issue 9): at least 90% of the
empty database's rate at 1,000,000 existing waybills on SQLite and 10,000,000 on PostgreSQL.

The N existing waybills are written straight into the real tables in chunks of 10,000 (random ids, tracking
numbers, ciphertext-sized blobs and 16-byte index digests, an audit row each): the same keys, sizes and index
shapes issuance writes, at a fraction of the time. Lookups ask for waybills really issued in this run (their
numbers and mobiles, spread over the database's life), with the filler around them.

Run: python benchmarks/bench_growth.py [--existing N] [--database-url URL]. Quick: --existing 100000.
1,000,000 on SQLite: --existing 1000000 (the fill takes a few minutes); 10,000,000 on PostgreSQL:
--existing 10000000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test (about an hour of
filling; the database is dropped at the end).
"""

from __future__ import annotations

import argparse
import functools
import random
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from _common import (
    Floor,
    LoadAverage,
    add_database_argument,
    backend_name,
    floor_input,
    fresh_runtime,
    orders,
)
from parcelguard.adapters.db import models as m
from parcelguard.adapters.db.bulk import bulk_insert
from parcelguard.bootstrap import Runtime
from parcelguard.domain import waybill as wb
from parcelguard.domain.access import Principal, Scope
from parcelguard.services.issuance import issue_batch
from parcelguard.services.waybills import find_by_recipient_mobile, view_waybill

TARGET_SHARE = 0.9
ISSUANCE = "issuance (batches of 1,000)"
FLOOR = "physical floor (batches of 1,000)"
BY_NUMBER = "lookup by tracking number"
BY_INDEX = "lookup by blind index (mobile)"
LOOKUP_CHUNK = 50
READER = Principal(actor="bench", scopes=frozenset({Scope.ADMIN}))
FILL_CHUNK = 10_000
FILL_DAYS = 180
_CT_SIZES = {field: 29 + (60 if "address" in field else 12) for field in wb.ENCRYPTED_FIELDS}
_OPTIONAL_SHARE = {wb.REMARKS: 0.2}


def fill(engine: Engine, count: int, *, days: int = FILL_DAYS) -> float:
    """Write ``count`` waybills that look like issued ones (keys, sizes, indexes); returns rows per second.

    Issued over the ``days`` before now in order, as a live database would have them: ids time-first (as
    ``new_waybill_id`` makes them) and ``created_at`` rising with them.
    """
    start = time.perf_counter()
    now = datetime.now(UTC)
    first = now - timedelta(days=days)
    step = timedelta(days=days) / max(count, 1)
    rnd = random.Random(secrets.randbits(64))  # filler only: random keys, not secrets
    done = 0
    while done < count:
        rows, events = [], []
        for n in range(done, min(done + FILL_CHUNK, count)):
            created = first + n * step
            row: dict[str, Any] = {
                "id": f"{int(created.timestamp() * 1000):012x}{rnd.randbytes(10).hex()}",
                "tracking_number": f"PG{rnd.randrange(10**13):013d}0",
                "status": "created",
                "created_at": created,
                "created_by": "bench",
                "weight_grams": rnd.randint(100, 30_000),
                "sender_id_type": "resident_id",
                "routing_code": "110105",
                "routing_text": "北京 朝阳区",
                "kek_version": 1,
                "wrapped_key": rnd.randbytes(61),
                "organisation_id": 1,
            }
            for field, size in _CT_SIZES.items():
                optional = field in wb.OPTIONAL_FIELDS
                keep = not optional or rnd.random() < _OPTIONAL_SHARE.get(field, 0.0)
                row[m.ciphertext_column(field)] = rnd.randbytes(size) if keep else None
            for column in (
                "bi_recipient_mobile",
                "bi_recipient_mobile_last4",
                "bi_sender_mobile",
                "bi_sender_mobile_last4",
                "bi_sender_id_number",
            ):
                row[column] = rnd.randbytes(16)
            rows.append(row)
            events.append(
                {
                    "occurred_at": created,
                    "actor": "bench",
                    "action": "waybill:issued",
                    "subject": row["tracking_number"],
                    "details": f'{{"waybill_id":"{row["id"]}"}}',
                }
            )
        with engine.begin() as connection:
            bulk_insert(connection, m.waybill, rows)
            bulk_insert(connection, m.audit_event, events)
        done += len(rows)
    return count / (time.perf_counter() - start)


def _rate(run: Callable[[], object], operations: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    return operations / (time.process_time() - cpu), operations / (time.perf_counter() - wall)


def _issue_into(ctx: Any, batch: list[dict[str, Any]], results: list[Any]) -> None:
    results.append(issue_batch(ctx, batch, actor="bench"))


class Probe:
    """One database: issues measured batches, writes floor batches, and looks up what it issued."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.numbers: list[str] = []
        self.mobiles: list[str] = []
        self.floor = Floor(runtime.engine)
        self.times: dict[str, list[tuple[float, float]]] = {}

    def _record(self, name: str, run: Callable[[], object], operations: int) -> None:
        self.times.setdefault(name, []).append(_rate(run, operations))

    def issue(self, seed: int) -> None:
        batch = orders(1000, seed=seed, merchants=20)
        results: list[Any] = []
        self._record(ISSUANCE, functools.partial(_issue_into, self.runtime.ctx, batch, results), 1000)
        self.numbers.extend(i.tracking_number for i in results[0].items if hasattr(i, "tracking_number"))
        self.mobiles.extend(o["recipient"]["mobile"] for o in batch)

    def store_floor(self, seed: int) -> None:
        inputs = [floor_input(o) for o in orders(1000, seed=-seed, merchants=20)]
        self._record(FLOOR, functools.partial(self.floor.store, inputs), 1000)

    def lookups(self, numbers: list[str], mobiles: list[str]) -> None:
        ctx = self.runtime.ctx
        self._record(
            BY_NUMBER, lambda: [view_waybill(ctx, n, principal=READER) for n in numbers], len(numbers)
        )
        self._record(
            BY_INDEX,
            lambda: [find_by_recipient_mobile(ctx, p, principal=READER) for p in mobiles],
            len(mobiles),
        )

    def rates(self) -> dict[str, tuple[float, float]]:
        """Per measurement: (median CPU rate, median wall rate) over its batches or lookup chunks."""
        return {
            name: (statistics.median(c for c, _ in t), statistics.median(w for _, w in t))
            for name, t in self.times.items()
        }


def interleaved(empty: Probe, grown: Probe, batches: int, lookups: int) -> None:
    """Batch by batch and lookup chunk by lookup chunk, alternating between the two databases."""
    for n in range(1, batches + 1):
        for probe in (empty, grown):
            probe.issue(seed=n)
        for probe in (empty, grown):
            probe.store_floor(seed=n)
    picks = []
    for probe in (empty, grown):
        rnd = random.Random(7)
        count = min(lookups, len(probe.numbers))
        picks.append((rnd.sample(probe.numbers, count), rnd.sample(probe.mobiles, count)))
    for start in range(0, lookups, LOOKUP_CHUNK):
        for probe, (numbers, mobiles) in zip((empty, grown), picks, strict=True):
            probe.lookups(numbers[start : start + LOOKUP_CHUNK], mobiles[start : start + LOOKUP_CHUNK])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--existing", type=int, default=500_000, help="waybills in the grown database")
    parser.add_argument("--batches", type=int, default=3, help="measured batches of 1,000 per database")
    parser.add_argument("--lookups", type=int, default=2000, help="lookups of each kind per database")
    parser.add_argument("--quick", action="store_true", help="100,000 existing, 2 batches, 300 lookups")
    add_database_argument(parser)
    args = parser.parse_args(argv)
    if args.quick:
        args.existing, args.batches, args.lookups = 100_000, 2, 300
    with (
        LoadAverage() as load,
        fresh_runtime(args.database_url) as runtime_empty,
        fresh_runtime(args.database_url) as runtime_grown,
    ):
        fill_rate = fill(runtime_grown.engine, args.existing)
        empty, grown = Probe(runtime_empty), Probe(runtime_grown)
        # Warm-up: the detector's lexicons, the division table, the statement caches, on both.
        interleaved(empty, grown, 1, 100)
        empty.times.clear()
        grown.times.clear()
        interleaved(empty, grown, args.batches, args.lookups)
        at_zero, at_n = empty.rates(), grown.rates()
    print(
        f"growth, {backend_name(args.database_url)}: rates per CPU second (wall in brackets), an empty "
        f"database vs one with {args.existing:,} waybills (written at {fill_rate:,.0f}/s), measured "
        "alternately in one run"
    )
    for name, (cpu0, wall0) in at_zero.items():
        cpu1, wall1 = at_n[name]
        print(
            f"  {name}: {cpu0:,.0f}/s -> {cpu1:,.0f}/s = {cpu1 / cpu0:.0%} "
            f"(target >= {TARGET_SHARE:.0%})  [wall {wall0:,.0f}/s -> {wall1:,.0f}/s = {wall1 / wall0:.0%}]"
        )
    for label, rates in (("empty", at_zero), (f"{args.existing:,} existing", at_n)):
        print(f"  issuance vs the floor, {label}: {rates[FLOOR][0] / rates[ISSUANCE][0]:.2f}x")
    print(f"  {load.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
