"""People's sign-in: what one sign-in costs, and what checking a person's token costs on every request.

Figures (wall time, median of ``--n`` rounds; a sign-in is dominated by argon2id, which is CPU- and
memory-bound, so the load average printed beside them matters):

* one argon2id hash with the production parameters (t=3, 64 MiB, p=4), the floor of every sign-in;
* a sign-in answering a bearer token (right password), a wrong password and an unknown username: the three
  should cost the same (no timing oracle on which usernames exist);
* the per-request check of a person's bearer token (one joined read of token and user, the person's state
  judged each time) beside the check of an API key (the cost that existed before), in microseconds.

Run: python benchmarks/bench_auth.py [--n 15] [--checks 3000] [--database-url postgresql+psycopg://...].
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

from _common import LoadAverage, add_database_argument, backend_name, fresh_runtime
from parcelguard.domain.access import Scope
from parcelguard.domain.people import LoginPolicy, Role
from parcelguard.errors import AuthenticationError
from parcelguard.services import auth, people
from parcelguard.services.api_keys import authenticate, create_api_key

PASSWORD = "correct horse battery staple"  # noqa: S105 - a synthetic password for the benchmark user


def median_ms(rounds: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def refused(work: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            work()
        except AuthenticationError:
            return
        raise AssertionError("expected a refusal")

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=15, help="sign-ins of each kind")
    parser.add_argument("--checks", type=int, default=3000, help="token and key checks")
    add_database_argument(parser)
    args = parser.parse_args(argv)

    with fresh_runtime(args.database_url) as runtime, LoadAverage() as load:
        # Throttling off for the measurement: the wrong-password rounds must all reach argon2id.
        ctx = replace(runtime.ctx, login_policy=LoginPolicy(max_failures=10**9, client_max_failures=10**9))
        people.add_station(ctx, code="BENCH-01", name="bench", district="440305", actor="bench")
        people.add_user(
            ctx,
            username="courier.01",
            role=Role.COURIER,
            password=PASSWORD,
            station_code="BENCH-01",
            actor="b",
        )
        ctx.passwords.verify_nothing(PASSWORD)  # the unknown-user hash is made once, on first use
        hash_ms = median_ms(args.n, lambda: ctx.passwords.hash(PASSWORD))
        right = wrong = unknown = 0.0
        for _ in range(args.n):  # interleaved, so load changes hit all three alike
            right += median_ms(
                1, lambda: auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)
            )
            wrong += median_ms(
                1, refused(lambda: auth.issue_access_token(ctx, username="courier.01", password="x" * 20))
            )
            unknown += median_ms(
                1, refused(lambda: auth.issue_access_token(ctx, username="nobody.01", password=PASSWORD))
            )
        token = auth.issue_access_token(ctx, username="courier.01", password=PASSWORD).access_token
        key = create_api_key(ctx, actor="bench", name="bench", scopes=(Scope.WAYBILL_READ,)).presented
        token_us = median_ms(args.checks, lambda: auth.principal_for_access_token(ctx, token)) * 1e3
        key_us = median_ms(args.checks, lambda: authenticate(ctx, key)) * 1e3

    print(f"people sign-in on {backend_name(args.database_url)}, {args.n} rounds each")
    print(f"  argon2id hash (t=3, 64 MiB, p=4):      {hash_ms:7.1f} ms")
    print(f"  sign-in, right password -> token:     {right / args.n:7.1f} ms (mean of per-round times)")
    print(f"  sign-in, wrong password:              {wrong / args.n:7.1f} ms")
    print(f"  sign-in, unknown username:            {unknown / args.n:7.1f} ms")
    print(f"  person's token check per request:     {token_us:7.1f} us (median of {args.checks})")
    print(
        f"  API key check per request:            {key_us:7.1f} us  ratio token/key {token_us / key_us:.2f}"
    )
    print(f"  {load.summary()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
