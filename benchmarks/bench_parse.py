"""Order parsing alone (``parse_order`` and what it calls): microseconds of CPU per order, for issue 9.

Two corpora from ``_common.orders``: every order from a different sender (the worst case, the default seed
2026), and merchant batches (``merchants=20``, seed 2027: a shop's orders share their sender). Orders are
parsed in batches of 1,000 with one sender cache per batch, as ``issue_batch`` parses them.

Caches must not flatter the figure: the process first parses a warm-up corpus of its own (other seeds:
tables and dictionaries loaded, caches holding other orders' places, as in a server that has been
running), and every timed round parses a corpus it has never seen (round 0 is the named seed, later rounds
other seeds). Nothing repeats between rounds but what real traffic repeats too (places, surnames).

Figures: process CPU time (one core, fair on a shared machine), best and median of ``--repeat`` rounds,
with the load average during the run. Run: python benchmarks/bench_parse.py [--n 10000] [--repeat 3].
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _common import LoadAverage, orders  # type: ignore[import-not-found]
from parcelguard.domain.order import SenderCache, parse_order

BATCH = 1000
_ROUND_SEED_STEP = 7919  # later rounds: seeds far from every named seed


def parse_all(corpus: list[dict[str, Any]]) -> float:
    """CPU seconds to parse ``corpus`` in batches of BATCH, one sender cache per batch."""
    start = time.process_time()
    for first in range(0, len(corpus), BATCH):
        senders: SenderCache = {}
        for raw in corpus[first : first + BATCH]:
            parse_order(raw, senders=senders)
    return time.process_time() - start


def measure(name: str, n: int, seed: int, merchants: int, repeat: int) -> float:
    """Print and return the best microseconds per order over ``repeat`` fresh corpora."""
    figures = []
    for round_ in range(repeat):
        corpus = orders(n, seed=seed + round_ * _ROUND_SEED_STEP, merchants=merchants)
        figures.append(parse_all(corpus) / n * 1e6)
    best, median = min(figures), statistics.median(figures)
    print(f"{name:34} best {best:6.1f} us/order  median {median:6.1f}  ({1e6 / best:8,.0f} orders/s)")
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=10_000, help="orders per corpus")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, each on a corpus never seen before")
    parser.add_argument("--quick", action="store_true", help="2,000 orders, 2 rounds")
    args = parser.parse_args(argv)
    n, repeat = (2000, 2) if args.quick else (args.n, args.repeat)

    parse_all(orders(2000, seed=1) + orders(2000, seed=3, merchants=20))  # warm-up: other orders entirely
    with LoadAverage() as load:
        measure("unique senders (seed 2026)", n, 2026, 0, repeat)
        measure("merchant batches (seed 2027, 20)", n, 2027, 20, repeat)
    print(load.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
