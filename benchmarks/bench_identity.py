"""Identity documents: how fast the one recogniser reads free text, and how fast intake parses a number.

Figures (process CPU time, the fairest "one core" figure on a shared machine, best of ``--repeat`` rounds):

* ``find_identity_numbers`` (what the detector's CN_ID and PASSPORT recognizers run) and ``identity_leaks``
  (what the label gate runs) on the de-identification corpus (benchmarks/deid/corpus.py), folded once
  beforehand as the detector folds it, in microseconds per text;
* ``IdentityNumber.parse`` on synthetic numbers of every ``id_type``, in microseconds per number.

Run: python benchmarks/bench_identity.py [--n 3000] [--repeat 5].
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "deid"))

import corpus as corpus_mod  # type: ignore[import-not-found]

from parcelguard.domain.pii.divisions import division_table
from parcelguard.domain.pii.fold import fold
from parcelguard.domain.pii.id_type import IdType
from parcelguard.domain.pii.identity import IdentityNumber, find_identity_numbers, identity_leaks
from parcelguard.domain.pii.synthetic_ids import synthetic_id_number


def best_of(repeat: int, items: Sequence[object], work: Callable[[object], object]) -> float:
    """Best CPU time per item, in microseconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for item in items:
            work(item)
        best = min(best, time.process_time() - start)
    return best / len(items) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=3000, help="texts from the de-identification corpus")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    texts = [fold(example["text"]).text for example in corpus_mod.generate(args.n, seed=1)]
    chars = sum(map(len, texts))
    print(f"corpus: {len(texts)} texts, {chars:,} chars (folded)")
    for name, work in (("find_identity_numbers", find_identity_numbers), ("identity_leaks", identity_leaks)):
        micros = best_of(args.repeat, texts, work)  # type: ignore[arg-type]
        print(f"{name:24} {micros:8.1f} us/text  {1e6 / micros:10,.0f} texts/s")

    rng = random.Random(1)
    regions = [d.code for d in division_table() if d.level == "county" and d.code[:2] < "71"]
    for kind in IdType:
        numbers = [synthetic_id_number(rng, kind, regions) for _ in range(2000)]
        micros = best_of(args.repeat, numbers, lambda n, k=kind: IdentityNumber.parse(k, n))  # type: ignore[misc]
        print(f"IdentityNumber.parse {kind.value:22} {micros:6.1f} us/number")
    return 0


if __name__ == "__main__":
    sys.exit(main())
