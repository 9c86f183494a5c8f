"""Issuance and lookups as the database grows: at 0 existing waybills and at N, alternately in one run.

Measures, on an empty database and on one holding N waybills, batch by batch and lookup chunk by lookup chunk
alternately (so a change of load on a shared machine hits both alike): batch issuance (batches of 1,000
through ``issue_batch``, 20% of orders with a remark of their own), lookups by tracking number
(``view_waybill``: fetch, decrypt, mask) and by blind index (``find_by_recipient_mobile``), each as operations
per CPU second of this process over all its batches or chunks (wall clock beside), and the ratio at N to the
empty database's; beside issuance, the physical floor (see _common.Floor) writing into the same tables of the
same database (on SQLite a copy of it, so that each pays its own WAL checkpoints), batch for batch, so the
ratio of issuance to the floor is printed at 0 and at N. Target (issue 9): at least 90% of the empty
database's rate at 1,000,000 existing waybills on SQLite and 10,000,000 on PostgreSQL.

On PostgreSQL the work of the server is not in this process's CPU time: the CPU of the database's server
backends is printed beside (a local server), and the wall-clock ratios include it too (on a quiet machine).

The N existing waybills look like issued ones (time-first ids and ``created_at`` over the 180 days before now,
random tracking numbers, ciphertext-sized blobs, 16 random bytes per blind-index column, an audit row each):
the same keys, sizes and index shapes issuance writes, at a fraction of the time. On SQLite they are written
through executemany in chunks of 10,000; on PostgreSQL by INSERT ... SELECT over generate_series in the
server, with the secondary indexes built afterwards (see ``fill_postgresql``). Lookups ask for waybills really
issued in this run (their numbers and mobiles), with the filler around them.

Run: python benchmarks/bench_growth.py [--existing N] [--database-url URL]. Quick: --quick (100,000).
1,000,000 on SQLite: --existing 1000000 (the fill takes a few minutes); 10,000,000 on PostgreSQL:
--existing 10000000 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test (the database is created
for the run and dropped at the end).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import random
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
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
from parcelguard.adapters.db.engine import make_engine
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
    if engine.dialect.name == "postgresql":
        return fill_postgresql(engine, count, days=days)
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


_PG_CHUNK = 1_000_000
_BI_COLUMNS = (
    "bi_recipient_mobile",
    "bi_recipient_mobile_last4",
    "bi_sender_mobile",
    "bi_sender_mobile_last4",
    "bi_sender_id_number",
)


def _pg_blob(size: int) -> str:
    """SQL for ``size`` pseudo-random bytes (md5 of random(), repeated): ciphertext-sized filler."""
    return f"substring(decode(repeat(md5(random()::text), {size // 16 + 1}), 'hex') from 1 for {size})"


def fill_postgresql(engine: Engine, count: int, *, days: int = FILL_DAYS) -> float:
    """``fill`` on PostgreSQL, in the server: INSERT ... SELECT over generate_series, chunks of a million.

    The secondary indexes of ``waybill`` and ``audit_event`` are dropped first and built again at the end
    (a sort each instead of ten million random inserts); the primary keys and the tracking number's unique
    constraint stay, and a random number already taken is skipped (ON CONFLICT), so slightly fewer than
    ``count`` rows may be written. Blind-index columns get 16 random bytes each (``gen_random_uuid``), as
    HMAC digests are; ids are time-first and ``created_at`` rises over the ``days`` before now.
    """
    start = time.perf_counter()
    now = datetime.now(UTC)
    first = now - timedelta(days=days)
    step_us = days * 86_400_000_000 // max(count, 1)
    columns = ["id", "tracking_number", "status", "created_at", "created_by", "weight_grams"]
    values = [
        "lpad(to_hex((extract(epoch from c.at) * 1000)::bigint), 12, '0')"
        " || substr(md5(random()::text), 1, 20)",
        "'PG' || lpad(floor(random() * 1e13)::bigint::text, 13, '0') || '0'",
        "'created'",
        "c.at",
        "'bench'",
        "100 + floor(random() * 29900)::int",
    ]
    columns += [
        "sender_id_type",
        "routing_code",
        "routing_text",
        "kek_version",
        "wrapped_key",
        "organisation_id",
    ]
    values += ["'resident_id'", "'110105'", "'北京 朝阳区'", "1", _pg_blob(61), "1"]
    for field, size in _CT_SIZES.items():
        columns.append(m.ciphertext_column(field))
        if field in wb.OPTIONAL_FIELDS:
            share = _OPTIONAL_SHARE.get(field, 0.0)
            values.append(f"CASE WHEN random() < {share} THEN {_pg_blob(size)} END")
        else:
            values.append(_pg_blob(size))
    columns += _BI_COLUMNS
    values += ["uuid_send(gen_random_uuid())"] * len(_BI_COLUMNS)
    insert = (
        f"WITH w AS (INSERT INTO waybill ({', '.join(columns)}) "  # noqa: S608 - fixed SQL, no input
        f"SELECT {', '.join(values)} FROM (SELECT %(first)s::timestamptz "
        "+ (g * %(step)s::bigint) * interval '1 microsecond' AS at "
        "FROM generate_series(%(low)s::bigint, %(high)s::bigint) g) c "
        "ON CONFLICT (tracking_number) DO NOTHING RETURNING id, tracking_number, created_at) "
        "INSERT INTO audit_event (occurred_at, actor, action, subject, details) "
        "SELECT created_at, 'bench', 'waybill:issued', tracking_number, "
        """'{"waybill_id":"' || id || '"}' FROM w"""
    )
    with engine.begin() as connection:
        found = connection.exec_driver_sql(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename IN ('waybill', 'audit_event') AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)"
        ).all()
        for name, _ in found:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
    for low in range(0, count, _PG_CHUNK):
        high = min(low + _PG_CHUNK, count) - 1
        with engine.begin() as connection:
            connection.exec_driver_sql(insert, {"first": first, "step": step_us, "low": low, "high": high})
    with engine.begin() as connection:
        connection.exec_driver_sql("SET maintenance_work_mem = '512MB'")
        for _, definition in found:
            connection.exec_driver_sql(definition)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE waybill")
        connection.exec_driver_sql("VACUUM ANALYZE audit_event")
    return count / (time.perf_counter() - start)


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def backend_cpu(database: str | None) -> float:
    """CPU seconds (user + system) so far of the PostgreSQL backends on this machine serving ``database``
    (found by their process titles, ``postgres: user database ...``); 0.0 for None or on another host."""
    if database is None:
        return 0.0
    total = 0
    marker = f" {database} ".encode()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                title = f.read(200)
            if not title.startswith(b"postgres:") or marker not in title:
                continue
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return total / _TICK


def _timed(
    run: Callable[[], object], operations: int, database: str | None
) -> tuple[int, float, float, float]:
    """(operations, CPU seconds of this process, wall seconds, CPU seconds of ``database``'s server
    backends) of one ``run``."""
    server = backend_cpu(database)
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return operations, cpu, wall, backend_cpu(database) - server


def _issue_into(ctx: Any, batch: list[dict[str, Any]], results: list[Any]) -> None:
    results.append(issue_batch(ctx, batch, actor="bench"))


class Probe:
    """One database: issues measured batches, writes floor batches, and looks up what it issued."""

    def __init__(self, runtime: Runtime, floor_engine: Engine | None = None) -> None:
        self.runtime = runtime
        self.numbers: list[str] = []
        self.mobiles: list[str] = []
        self.floor = Floor(floor_engine or runtime.engine)
        self.times: dict[str, list[tuple[int, float, float, float]]] = {}
        url = runtime.engine.url
        self.database = url.database if url.get_backend_name() == "postgresql" and _local(url.host) else None

    def _record(self, name: str, run: Callable[[], object], operations: int) -> None:
        self.times.setdefault(name, []).append(_timed(run, operations, self.database))

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

    def rates(self) -> dict[str, tuple[float, float, float]]:
        """Per measurement: (CPU rate, wall rate, rate per CPU second of this process and the database's
        server backends together) over all its batches or lookup chunks.

        Totals, not medians: SQLite checkpoints its WAL in the commit that fills it, one batch in several,
        and a median over a few batches would leave that cost out.
        """
        rates = {}
        for name, t in self.times.items():
            operations = sum(n for n, _, _, _ in t)
            cpu = sum(c for _, c, _, _ in t)
            rates[name] = (
                operations / cpu,
                operations / sum(w for _, _, w, _ in t),
                operations / (cpu + sum(s for _, _, _, s in t)),
            )
        return rates


def _sqlite_copy(runtime: Runtime) -> Engine | None:
    """On SQLite, an engine on a copy of ``runtime``'s database file (next to it), for the floor's batches.

    A commit that takes the WAL past its checkpoint interval pays for the checkpoint; with issuance and the
    floor alternating in one database, that landed on the same one of the two every time (the interval is a
    few batches). Each on its own copy pays its own. None on PostgreSQL, whose checkpoints run in a server
    process of their own.
    """
    url = runtime.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    with runtime.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    source = Path(url.database)
    copy = source.with_name(f"floor-{source.name}")
    shutil.copyfile(source, copy)
    return make_engine(f"sqlite:///{copy}")


@contextlib.contextmanager
def _tidy_engines(engines: list[Engine | None]) -> Iterator[None]:
    try:
        yield
    finally:
        for engine in engines:
            if engine is not None:
                engine.dispose()


def _local(host: str | None) -> bool:
    return host in (None, "", "localhost", "127.0.0.1", "::1")


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
        contextlib.ExitStack() as stack,
    ):
        fill_rate = fill(runtime_grown.engine, args.existing)
        stack.enter_context(
            _tidy_engines(floors := [_sqlite_copy(runtime_empty), _sqlite_copy(runtime_grown)])
        )
        empty, grown = Probe(runtime_empty, floors[0]), Probe(runtime_grown, floors[1])
        # Warm-up: the detector's lexicons, the division table, the statement caches, on both.
        interleaved(empty, grown, 1, 100)
        empty.times.clear()
        grown.times.clear()
        interleaved(empty, grown, args.batches, args.lookups)
        at_zero, at_n = empty.rates(), grown.rates()
    server = grown.database is not None
    print(
        f"growth, {backend_name(args.database_url)}: rates per CPU second of this process (wall in brackets"
        f"{'; with the server backends CPU after it' if server else ''}), an empty database vs one with "
        f"{args.existing:,} waybills (written at {fill_rate:,.0f}/s), measured alternately in one run"
    )
    for name, (cpu0, wall0, both0) in at_zero.items():
        cpu1, wall1, both1 = at_n[name]
        line = (
            f"  {name}: {cpu0:,.0f}/s -> {cpu1:,.0f}/s = {cpu1 / cpu0:.0%} "
            f"(target >= {TARGET_SHARE:.0%})  [wall {wall0:,.0f}/s -> {wall1:,.0f}/s = {wall1 / wall0:.0%}]"
        )
        if server:
            line += f"  [with server CPU {both0:,.0f}/s -> {both1:,.0f}/s = {both1 / both0:.0%}]"
        print(line)
    for label, rates in (("empty", at_zero), (f"{args.existing:,} existing", at_n)):
        print(f"  issuance vs the floor, {label}: {rates[FLOOR][0] / rates[ISSUANCE][0]:.2f}x")
    print(f"  {load.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
