"""Order parsing alone (``parse_order`` and what it calls): microseconds of CPU per order, for issue 9.

Two corpora from ``_common.orders``: every order from a different sender (the worst case, the default seed
2026), and merchant batches (``merchants=20``, seed 2027: a shop's orders share their sender). Orders are
parsed in batches of 1,000 with one sender cache per batch, as ``issue_batch`` parses them.

Caches must not flatter the figure: every corpus is made first, then the address cache forgets what the
generator taught it (it parses the regions it writes). The first line is a cold start: a process whose
address cache is empty (tables and dictionaries loaded). Then the process parses WARM_UP orders of other
seeds (caches holding other orders' places, as in a server that has been running for two seconds at the
target rate), and every timed round parses a corpus it has never seen (round 0 is the named seed, later
rounds other seeds). Nothing repeats between rounds but what real traffic repeats too (places, surnames);
the figure of each round is printed. The corpus spreads addresses evenly over every county and every way
of writing its region, which repeats places less than real traffic does (mostly big cities).

Figures: process CPU time (one core, fair on a shared machine), best and median of ``--repeat`` rounds,
with the load average during the run. Run: python benchmarks/bench_parse.py [--n 10000] [--repeat 3].
"""

from __future__ import annotations

import argparse
import gc
import importlib
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _common import LoadAverage, orders  # type: ignore[import-not-found]
from parcelguard.domain.order import SenderCache, parse_order

BATCH = 1000
WARM_UP = 20_000  # orders a server has parsed before the figures: two seconds at issue 9's target rate
_ROUND_SEED_STEP = 7919  # later rounds: seeds far from every named seed


def parse_all(corpus: list[dict[str, Any]]) -> float:
    """CPU seconds to parse ``corpus`` in batches of BATCH, one sender cache per batch."""
    start = time.process_time()
    for first in range(0, len(corpus), BATCH):
        senders: SenderCache = {}
        for raw in corpus[first : first + BATCH]:
            parse_order(raw, senders=senders)
    return time.process_time() - start


def corpora(n: int, seed: int, merchants: int, repeat: int) -> list[list[dict[str, Any]]]:
    """One corpus per round: round 0 is ``seed`` itself, later rounds other seeds."""
    return [orders(n, seed=seed + r * _ROUND_SEED_STEP, merchants=merchants) for r in range(repeat)]


def measure(name: str, rounds: list[list[dict[str, Any]]]) -> float:
    """Print and return the best microseconds per order over the rounds (each corpus parsed once)."""
    figures = [parse_all(corpus) / len(corpus) * 1e6 for corpus in rounds]
    best, median = min(figures), statistics.median(figures)
    each = " ".join(f"{f:.1f}" for f in figures)
    print(
        f"{name:34} best {best:6.1f} us/order  median {median:6.1f}  ({1e6 / best:8,.0f} orders/s)  [{each}]"
    )
    return best


def forget_addresses() -> None:
    """Drop what the address cache learnt while the corpora were made (the generator parses the regions it
    writes): only the warm-up may teach it anything before the timed rounds."""
    region = importlib.import_module("parcelguard.domain.pii.region")
    clear = getattr(region, "clear_address_cache", None)  # absent before issue 9: nothing to drop
    if clear is not None:
        clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=10_000, help="orders per corpus")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, each on a corpus never seen before")
    parser.add_argument("--quick", action="store_true", help="2,000 orders, 2 rounds")
    args = parser.parse_args(argv)
    n, repeat = (2000, 2) if args.quick else (args.n, args.repeat)

    warm_up = orders(WARM_UP // 2, seed=1) + orders(WARM_UP // 2, seed=3, merchants=20)  # other orders
    cold = orders(n, seed=2025)
    unique = corpora(n, 2026, 0, repeat)
    merchant = corpora(n, 2027, 20, repeat)
    gc.freeze()  # the corpora are not the service's heap (as bench_issuance; bootstrap freezes its own)
    with LoadAverage() as load:
        parse_all(cold[:1000])  # tables, dictionaries and memos loaded; no address is remembered
        forget_addresses()
        measure("cold start, unique (seed 2025)", [cold])
        forget_addresses()
        parse_all(warm_up)
        measure("unique senders (seed 2026)", unique)
        measure("merchant batches (seed 2027, 20)", merchant)
    print(load.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
