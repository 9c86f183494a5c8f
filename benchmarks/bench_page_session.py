"""What a page request's session check costs now that idle sessions end in the database.

Every page request reads its session with the person (one joined read, as a bearer token's check does) and,
for a page session, its last request (``user_session.last_seen_at``), written at most once a minute. Figures
are CPU time per check (``time.process_time``, the machine is shared), the bearer token's check measured in
the same run as the floor, and the ratio between them; then the writes a burst of requests makes.

Target: a page session's check costs at most 1.6 x a bearer token's, and N requests within a minute write
at most one row.

Run: python benchmarks/bench_page_session.py [--checks 3000] [--database-url postgresql+psycopg://...].
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from _common import LoadAverage, add_database_argument, backend_name, fresh_runtime
from parcelguard.domain.people import Role
from parcelguard.services import auth, people

PASSWORD = "correct horse battery staple"  # noqa: S105 - a synthetic password for the benchmark user
TARGET_RATIO = 1.6


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def cpu_us(rounds: int, work: Callable[[], object]) -> float:
    start = time.process_time()
    for _ in range(rounds):
        work()
    return (time.process_time() - start) / rounds * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--checks", type=int, default=3000, help="checks of each kind")
    add_database_argument(parser)
    args = parser.parse_args(argv)

    with fresh_runtime(args.database_url) as runtime, LoadAverage() as load:
        clock = Clock()
        ctx = replace(runtime.ctx, clock=clock)
        people.add_station(ctx, code="BENCH-01", name="bench", district="440305", actor="bench")
        people.add_user(
            ctx,
            username="clerk.01",
            role=Role.OUTLET_CLERK,
            password=PASSWORD,
            station_code="BENCH-01",
            actor="b",
        )
        token = auth.issue_access_token(ctx, username="clerk.01", password=PASSWORD).access_token
        session = auth.open_session(ctx, username="clerk.01", password=PASSWORD).session_id
        token_us = session_us = 0.0
        for _ in range(3):  # interleaved, so load changes hit both alike
            token_us += cpu_us(args.checks, lambda: auth.principal_for_access_token(ctx, token)) / 3
            session_us += cpu_us(args.checks, lambda: auth.principal_for_session(ctx, session)) / 3
        writes: list[str] = []

        def count(_c: object, _cur: object, statement: str, *_a: object) -> None:
            if statement.lstrip().upper().startswith("UPDATE USER_SESSION"):
                writes.append(statement)

        event.listen(runtime.engine, "before_cursor_execute", count)
        for _ in range(120):  # two minutes of a request every second
            clock.now += timedelta(seconds=1)
            auth.principal_for_session(ctx, session)
        event.remove(runtime.engine, "before_cursor_execute", count)

    ratio = session_us / token_us
    print(f"page session check on {backend_name(args.database_url)}, CPU per check, {args.checks} x 3")
    print(f"  bearer token check (floor):   {token_us:7.1f} us")
    print(
        f"  page session check:           {session_us:7.1f} us  ratio {ratio:.2f} (target <= {TARGET_RATIO})"
    )
    print(f"  120 requests over 2 minutes:  {len(writes)} writes of last_seen_at (target <= 2)")
    print(f"  {load.summary()}")
    return 0 if ratio <= TARGET_RATIO and len(writes) <= 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
