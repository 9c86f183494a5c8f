"""`parcelguard waybill issue` as a whole process: waybills per second and peak memory, at two sizes.

Issues N and 5 x N synthetic orders (merchant batches, 20% with a remark of their own) from JSONL files into
a fresh data folder and prints, for each run, the whole process's wall time (start-up, reading, issuing,
writing the results), its waybills per second and its peak resident memory; the ratio of the peaks should
stay close to 1 (the CLI streams in batches). Targets (issue 9): a 1,000,000-order file at >= 8,000
waybills/s, peak memory under 200 MiB whatever the size (run: --orders 200000 for 200k and 1M, about an hour
on a shared 2-core machine). ``--database-url`` (or PARCELGUARD_DATABASE_URL) names a PostgreSQL server to
issue into a fresh database on it instead of SQLite.

    python benchmarks/bench_cli_issue.py [--orders N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import LoadAverage, add_database_argument, backend_name, fresh_database, write_jsonl

CLI = [str(Path(sys.executable).parent / "parcelguard")]
TARGET_RATE = 8000.0
TARGET_PEAK_MIB = 200


def peak_rss_mb(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one child process run to completion (Linux: ru_maxrss is in KiB)."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: run the command, nothing else in its memory, its summary line not shown
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execve(args[0], args, env)  # noqa: S606 - our own CLI, fixed arguments
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args[1:3])} failed")
    return time.perf_counter() - start, usage.ru_maxrss / 1024  # KiB -> MiB


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=2000)
    add_database_argument(parser)
    options = parser.parse_args()
    print(f"parcelguard waybill issue, whole process, {backend_name(options.database_url)}:")
    with (
        LoadAverage() as load,
        tempfile.TemporaryDirectory() as folder,
        fresh_database(options.database_url, Path(folder)) as url,
    ):
        home = Path(folder) / "var"
        env = {**os.environ, "PARCELGUARD_HOME": str(home), "PARCELGUARD_DATABASE_URL": url}
        subprocess.run([*CLI, "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: S603
        peaks, times = [], []
        for count in (options.orders, options.orders * 5):
            source = Path(folder) / f"orders-{count}.jsonl"
            write_jsonl(source, count, seed=count)
            args = [*CLI, "waybill", "issue", "--in", str(source), "--out", str(source.with_suffix(".out"))]
            seconds, peak = peak_rss_mb(args, env)
            peaks.append(peak)
            times.append(seconds)
            print(
                f"  {count:>9,} orders: {seconds:6.1f} s, {count / seconds:6.0f} waybills/s "
                f"(target {TARGET_RATE:,.0f}/s: {count / seconds / TARGET_RATE:.2f}x), "
                f"peak RSS {peak:4.0f} MiB (target < {TARGET_PEAK_MIB})"
            )
        print(f"  peak memory ratio (5x the orders): {peaks[1] / peaks[0]:.2f}")
        steady = options.orders * 4 / (times[1] - times[0])
        start_up = max(0.0, times[0] - options.orders / steady)
        print(f"  marginal rate (start-up of about {start_up:.1f} s left out): {steady:,.0f} waybills/s")
    print(f"  {load.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
