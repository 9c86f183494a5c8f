"""Bulk issuance on SQLite through the service layer, against storing the same rows in plaintext.

Targets (issue 2): at least 5,000 waybills/s on one core, and the privacy work (encryption, blind indexes,
masking) costing at most 2x the storage of the same rows in plaintext. Both paths run in this one process,
interleaved, so the ratio is fair on a noisy machine. Two corpora: every order from a different sender (the
worst case) and merchant batches (orders from 20 shops, as platforms hand them over), where a batch parses a
repeated sender once. Run: python benchmarks/bench_issuance.py [--orders N]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, Text, insert

from parcelguard.adapters.db import migrate
from parcelguard.bootstrap import bootstrap
from parcelguard.config import Settings
from parcelguard.domain.order import SenderCache, parse_order
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.domain.waybill import MaskedOrder
from parcelguard.services.issuance import issue_batch, seal_order

BATCH = 1000
TARGET_RATE = 5000.0
TARGET_RATIO = 2.0

plain_metadata = MetaData()
plain_waybill = Table(
    "plain_waybill",
    plain_metadata,
    Column("id", Integer, primary_key=True),
    Column("tracking_number", String(20), unique=True),
    *(
        Column(n, Text)
        for n in ("s_name", "s_mobile", "s_address", "s_id", "r_name", "r_mobile", "r_address")
    ),
    Column("description", Text),
    Column("weight_kg", Float),
    Column("created_by", String(100)),
)
plain_audit = Table(
    "plain_audit",
    plain_metadata,
    Column("seq", Integer, primary_key=True),
    Column("action", String(64)),
    Column("subject", String(100)),
)


def store_plaintext(engine: Engine, orders: list[dict[str, Any]], prefix: str) -> None:
    """The same validation and the same row count, stored in clear: the cost privacy is compared with."""
    with engine.begin() as connection:
        rows, events = [], []
        senders: SenderCache = {}
        for raw in orders:
            order = parse_order(raw, senders=senders)
            number = TrackingNumber.generate(prefix).value
            s, r = order.sender, order.recipient
            rows.append(
                {
                    "tracking_number": number,
                    "s_name": s.name.value,
                    "s_mobile": s.mobile.value,
                    "s_address": s.address.full,
                    "s_id": order.sender_id.number.value,
                    "r_name": r.name.value,
                    "r_mobile": r.mobile.value,
                    "r_address": r.address.full,
                    "description": order.parcel.description,
                    "weight_kg": order.parcel.weight_kg,
                    "created_by": "bench",
                }
            )
            events.append({"action": "waybill:waybill:issued", "subject": number})
        connection.execute(insert(plain_waybill), rows)
        connection.execute(insert(plain_audit), events)


def merchant_orders(people: SyntheticPeople, count: int, shops: int = 20) -> list[dict[str, Any]]:
    senders = [people.order()["sender"] for _ in range(shops)]
    orders = []
    for n in range(count):
        order = people.order()
        order["sender"] = dict(senders[n % shops])
        orders.append(order)
    return orders


def measure(ctx: Any, engine: Engine, orders: list[dict[str, Any]], rounds: int) -> tuple[float, float]:
    """Median seconds per waybill: (privacy issuance, plaintext storage), interleaved batch by batch."""
    batches = [orders[i : i + BATCH] for i in range(0, len(orders), BATCH)]
    private_s: list[float] = []
    plain_s: list[float] = []
    for _ in range(rounds):
        for batch in batches:
            start = time.perf_counter()
            result = issue_batch(ctx, batch, actor="bench")
            private_s.append(time.perf_counter() - start)
            assert result.issued == len(batch)
            start = time.perf_counter()
            store_plaintext(engine, batch, "PB")
            plain_s.append(time.perf_counter() - start)
    return statistics.median(private_s) / BATCH, statistics.median(plain_s) / BATCH


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    people = SyntheticPeople(2026)
    unique = [people.order() for _ in range(args.orders)]
    merchants = merchant_orders(people, args.orders)
    gc.freeze()  # the input corpus is not the service's heap: keep the collector from rescanning it

    results = {}
    for name, corpus in (("unique senders", unique), ("merchant batches", merchants)):
        with tempfile.TemporaryDirectory() as home:  # a fresh database for each corpus
            runtime = bootstrap(Settings(environment="test", home=Path(home)))
            migrate.upgrade(runtime.engine)
            plain_metadata.create_all(runtime.engine)
            results[name] = measure(runtime.ctx, runtime.engine, corpus, args.rounds)
            runtime.close()
    with tempfile.TemporaryDirectory() as home:
        runtime = bootstrap(Settings(environment="test", home=Path(home)))
        ctx = runtime.ctx
        # The privacy work alone, without any storage: seal (encrypt + index) and mask.
        parsed = [parse_order(o) for o in unique[:BATCH]]
        start = time.perf_counter()
        for order in parsed:
            seal_order(ctx, order, tracking_number="PG0000000000000", actor="bench")
            MaskedOrder.of(order)
        seal_mask_s = (time.perf_counter() - start) / len(parsed)
        runtime.close()

    print(
        f"issuance, SQLite, service layer, batches of {BATCH}, {args.orders:,} orders x {args.rounds} rounds"
    )
    for name, (per_private, per_plain) in results.items():
        rate = 1 / per_private
        print(f"  {name}:")
        print(f"    privacy waybills:   {rate:8,.0f}/s ({per_private * 1e6:6.1f} us each)")
        print(f"    plaintext baseline: {1 / per_plain:8,.0f}/s ({per_plain * 1e6:6.1f} us each)")
        print(f"    rate vs target {TARGET_RATE:,.0f}/s: {rate / TARGET_RATE:.2f}x")
        whole = per_private / per_plain
        print(f"    whole issuance vs plaintext storage: {whole:.2f}x (target <= {TARGET_RATIO:.1f})")
        extra = seal_mask_s / per_plain
        print(f"    privacy work alone vs plaintext storage: {extra:.2f}x (target <= {TARGET_RATIO:.1f})")
    alone_us = seal_mask_s * 1e6
    print(f"  privacy work alone (8 encryptions, 5 blind indexes, masking): {alone_us:.1f} us per waybill")
    return 0


if __name__ == "__main__":
    sys.exit(main())
