"""Worst-case inputs of the detector cost time in proportion to their length, in both modes.

Each input is one a reviewer found to cost far more than its length (a quadratic step): a long run of
digits (a house-number anchor once read the rest of the run from each of its digits: 100,000 digits took
3 CPU-seconds), a text full of names (7,000 names in 20,000 characters: every finding was compared with
every other, 4 CPU-s), alternating digits and letters, a long run of one Han character, repeated room
numbers. Each is timed at a length and at four times it, in CPU seconds of this process (best of three),
and the ratio printed: about 4 is linear, 16 quadratic; a ratio above 6 is flagged. The unit tests count
Python steps for what they can see (tests/unit/deid/test_spans.py); regular-expression backtracking runs
inside the ``re`` engine, where only time shows it, so it is measured here, never in a timed unit test.

Run: python benchmarks/bench_worst_case.py [--size N]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from _common import LoadAverage
from parcelguard.adapters.ner import lac_tagger
from parcelguard.domain.deid import Detector

LINEAR_LIMIT = 6.0
"""Above this ratio for four times the input, the cost grows faster than the input (16 is quadratic)."""

INPUTS: dict[str, Callable[[int], str]] = {
    "digit run": lambda n: "1" * n,
    "names": lambda n: ("张某、" * (n // 3 + 1))[:n],
    "digits and letters": lambda n: ("1a" * (n // 2 + 1))[:n],
    "one Han character": lambda n: "号" * n,
    "room numbers": lambda n: ("3栋2单元1201室" * (n // 11 + 1))[:n],
}


def _cpu(detector: Detector, mode: str, text: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        detector.detect(text, mode)
        best = min(best, time.process_time() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=25_000, help="the smaller length, in characters")
    args = parser.parse_args()
    detector = Detector(tagger=lac_tagger())
    for mode in ("fast", "accurate"):
        detector.detect("热身：张伟住在北京市朝阳区建国路88号", mode)
    flagged = 0
    with LoadAverage() as load:
        sizes = f"{args.size:,} and {4 * args.size:,} characters"
        print(f"detector on worst-case inputs, {sizes}, CPU s (best of 3)")
        for mode in ("fast", "accurate"):
            for name, make in INPUTS.items():
                small = _cpu(detector, mode, make(args.size))
                large = _cpu(detector, mode, make(4 * args.size))
                ratio = large / small if small > 0 else float("inf")
                mark = "" if ratio <= LINEAR_LIMIT else "   <- grows faster than the input"
                flagged += ratio > LINEAR_LIMIT
                print(f"  {mode:<9}{name:<20}{small:8.3f} s {large:8.3f} s  x{ratio:5.1f}{mark}")
    print(f"  {load.summary()}")
    print(f"  {flagged} input(s) above x{LINEAR_LIMIT:.0f}" if flagged else "  every input costs linear time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
