"""`parcelguard waybill issue` streams: its peak memory must not grow with the file.

Issues N and 5 x N synthetic orders from JSONL files into a fresh embedded data folder and prints the time
and the peak resident memory of each run; the ratio of the peaks should stay close to 1.

    python benchmarks/bench_cli_issue.py [--orders N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from parcelguard.domain.pii.synthetic import SyntheticPeople

CLI = [str(Path(sys.executable).parent / "parcelguard")]


def write_orders(path: Path, count: int, seed: int) -> None:
    people = SyntheticPeople(seed)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(count):
            out.write(json.dumps(people.order(), ensure_ascii=False) + "\n")


def peak_rss_mb(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one child process run to completion (Linux: ru_maxrss is in KiB)."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: run the command, nothing else in its memory
        os.execve(args[0], args, env)  # noqa: S606 - our own CLI, fixed arguments
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args[1:3])} failed")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=2000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "var"
        env = {**os.environ, "PARCELGUARD_HOME": str(home)}
        subprocess.run([*CLI, "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: S603
        peaks = []
        for count in (options.orders, options.orders * 5):
            source = Path(folder) / f"orders-{count}.jsonl"
            write_orders(source, count, seed=count)
            args = [*CLI, "waybill", "issue", "--in", str(source), "--out", str(source.with_suffix(".out"))]
            seconds, peak = peak_rss_mb(args, env)
            peaks.append(peak)
            print(
                f"waybill issue, {count:>7,} orders: {seconds:6.1f} s, {count / seconds:6.0f} orders/s, "
                f"peak RSS {peak:6.0f} MB"
            )
        print(f"peak memory ratio (5x the orders): {peaks[1] / peaks[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
