"""Issuance and lookups as the database grows: at 0 existing waybills and at N, in one run.

Measures, on an empty database and again after N waybills exist: batch issuance (batches of 1,000 through
``issue_batch``, 20% of orders with a remark of their own), lookups by tracking number (``view_waybill``:
fetch, decrypt, mask) and by blind index (``find_by_recipient_mobile``), each as operations per CPU second of
this process (wall clock beside), and the ratio at N to the empty database's; beside issuance, the physical
floor (see _common.Floor) writing into the same tables of the same database, batch for batch, so the ratio of
issuance to the floor is printed at 0 and at N. Target (issue 9): at least 90% of the empty database's rate at
1,000,000 existing waybills on SQLite and 10,000,000 on PostgreSQL.

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
from datetime import UTC, datetime
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
READER = Principal(actor="bench", scopes=frozenset({Scope.ADMIN}))
FILL_CHUNK = 10_000
_CT_SIZES = {field: 29 + (60 if "address" in field else 12) for field in wb.ENCRYPTED_FIELDS}
_OPTIONAL_SHARE = {wb.REMARKS: 0.2}


def fill(engine: Engine, count: int) -> float:
    """Write ``count`` waybills that look like issued ones (keys, sizes, indexes); returns rows per second."""
    start = time.perf_counter()
    now = datetime.now(UTC)
    rnd = random.Random(secrets.randbits(64))  # filler only: random keys, not secrets
    done = 0
    while done < count:
        rows, events = [], []
        for _ in range(min(FILL_CHUNK, count - done)):
            row: dict[str, Any] = {
                "id": rnd.randbytes(16).hex(),
                "tracking_number": f"PG{rnd.randrange(10**13):013d}0",
                "status": "created",
                "created_at": now,
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
                    "occurred_at": now,
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
    """Issues measured batches and remembers what they issued, for the lookups."""

    def __init__(self, runtime: Runtime, batches: int, lookups: int) -> None:
        self.runtime = runtime
        self.batches = batches
        self.lookups = lookups
        self.numbers: list[str] = []
        self.mobiles: list[str] = []
        self.seed = 0
        self.floor = Floor(runtime.engine)

    def measure(self) -> dict[str, tuple[float, float]]:
        ctx = self.runtime.ctx
        issue_rates, floor_rates = [], []
        for _ in range(self.batches):
            self.seed += 1
            batch = orders(1000, seed=self.seed, merchants=20)
            results: list[Any] = []
            run = functools.partial(_issue_into, ctx, batch, results)
            issue_rates.append(_rate(run, 1000))
            inputs = [floor_input(o) for o in orders(1000, seed=-self.seed, merchants=20)]
            floor_rates.append(_rate(functools.partial(self.floor.store, inputs), 1000))
            self.numbers.extend(i.tracking_number for i in results[0].items if hasattr(i, "tracking_number"))
            self.mobiles.extend(o["recipient"]["mobile"] for o in batch)
        rnd = random.Random(self.seed)
        numbers = rnd.sample(self.numbers, min(self.lookups, len(self.numbers)))
        mobiles = rnd.sample(self.mobiles, min(self.lookups, len(self.mobiles)))
        return {
            ISSUANCE: (
                statistics.median(c for c, _ in issue_rates),
                statistics.median(w for _, w in issue_rates),
            ),
            FLOOR: (
                statistics.median(c for c, _ in floor_rates),
                statistics.median(w for _, w in floor_rates),
            ),
            "lookup by tracking number": _rate(
                lambda: [view_waybill(ctx, n, principal=READER) for n in numbers], len(numbers)
            ),
            "lookup by blind index (mobile)": _rate(
                lambda: [find_by_recipient_mobile(ctx, p, principal=READER) for p in mobiles], len(mobiles)
            ),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--existing", type=int, default=500_000, help="waybills written before the 2nd probe")
    parser.add_argument("--batches", type=int, default=3, help="measured batches of 1,000 per probe")
    parser.add_argument("--lookups", type=int, default=2000, help="lookups of each kind per probe")
    parser.add_argument("--quick", action="store_true", help="100,000 existing, 1 batch, 300 lookups")
    add_database_argument(parser)
    args = parser.parse_args(argv)
    if args.quick:
        args.existing, args.batches, args.lookups = 100_000, 1, 300
    with LoadAverage() as load, fresh_runtime(args.database_url) as runtime:
        probe = Probe(runtime, args.batches, args.lookups)
        probe.measure()  # warm-up: the detector's lexicons, the division table, the statement caches
        empty = probe.measure()
        fill_rate = fill(runtime.engine, args.existing)
        grown = probe.measure()
    print(
        f"growth, {backend_name(args.database_url)}: rates per CPU second (wall in brackets), "
        f"empty vs {args.existing:,} existing waybills (written at {fill_rate:,.0f}/s)"
    )
    for name, (cpu0, wall0) in empty.items():
        cpu1, wall1 = grown[name]
        print(
            f"  {name}: {cpu0:,.0f}/s -> {cpu1:,.0f}/s = {cpu1 / cpu0:.0%} "
            f"(target >= {TARGET_SHARE:.0%})  [wall {wall0:,.0f}/s -> {wall1:,.0f}/s = {wall1 / wall0:.0%}]"
        )
    for label, rates in (("empty", empty), (f"{args.existing:,} existing", grown)):
        print(f"  issuance vs the floor, {label}: {rates[FLOOR][0] / rates[ISSUANCE][0]:.2f}x")
    print(f"  {load.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
