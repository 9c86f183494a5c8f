"""`parcelguard waybill issue` as a whole process: waybills per second and peak memory, at two sizes.

Issues N and 5 x N synthetic orders (merchant batches, 20% with a remark of their own) from JSONL files into
a fresh data folder and prints, for each run, the whole process's wall time (start-up, reading, issuing,
writing the results), its waybills per second and its peak resident memory, ``parcelguard --help``'s
(the command's start before it imports what a command needs), and what each step of the command's start
adds (imports, runtime, glyph check, model, pypinyin, which a text holding a Latin letter loads: the share of
orders with one is printed); the ratio of the peaks should stay close to 1
(the CLI streams in batches). Targets (issue 9): a 1,000,000-order file at >= 8,000
waybills/s, peak memory under 200 MiB whatever the size (run: --sizes 20000,200000,1000000; the 1M file takes
about 4-8 minutes on a shared 2-core machine). Beside them, the physical floor (see _common.Floor) measured
in this run, and the CLI's rate per CPU second of its process against it. ``--database-url`` (or
PARCELGUARD_DATABASE_URL) names a PostgreSQL server to issue into a fresh database on it instead of SQLite.

    python benchmarks/bench_cli_issue.py [--orders N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    Floor,
    LoadAverage,
    add_database_argument,
    backend_name,
    floor_input,
    fresh_database,
    orders,
    write_jsonl,
)
from parcelguard.adapters.db import models as m
from parcelguard.adapters.db.engine import make_engine

CLI = [str(Path(sys.executable).parent / "parcelguard")]
TARGET_RATE = 8000.0
TARGET_PEAK_MIB = 200


# Runs the command in a process of its own and prints (exit code, wall s, CPU s, peak RSS in KiB). A small
# Python of its own forks it, not this script: Linux carries a process's peak RSS over fork and exec, so a
# child forked from here counted this script's ~110 MiB (models, the floor's engine) as its own peak.
_MEASURE = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), time.perf_counter() - start, usage.ru_utime + usage.ru_stime,
      usage.ru_maxrss)
"""


def peak_rss_mb(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of one run of ``args`` to completion, its summary line not
    shown (Linux: ru_maxrss is in KiB; the measuring Python's own 10 MiB is below any command's peak)."""
    measured = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-I", "-c", _MEASURE, *args], env=env, capture_output=True, text=True, check=True
    )
    code, wall, cpu, peak_kib = measured.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"{' '.join(args[1:3])} failed: {measured.stderr.strip()[-300:]}")
    return float(wall), float(cpu), int(peak_kib) / 1024


# The command's start, step by step, in a Python of its own: resident memory after each step and the peak so
# far (VmHWM, which exec resets, unlike ru_maxrss), in KiB. The steps `waybill issue` takes before its first
# batch, each loaded here explicitly so that it is counted on its own.
_PARTS = """
def line(step):
    status = open("/proc/self/status").read()
    rss, peak = (int(status.split(field)[1].split()[0]) for field in ("VmRSS:", "VmHWM:"))
    print(step, rss, peak, sep="\t")
line("Python alone")
import parcelguard.cli.waybill
line("the issue command's imports")
from parcelguard.cli.common import open_runtime
runtime = open_runtime()
line("runtime and schema check")
from parcelguard.adapters.render.fonts import default_chain
default_chain().missing_glyphs("收件人张三，北京市朝阳区")
line("glyph check (font character maps)")
from parcelguard.adapters.ner import lac_tagger
lac_tagger(1).tag_many(["请放门口，谢谢"])
line("LAC model (ONNX Runtime)")
from parcelguard.domain import own_values
own_values._pypinyin()
line("pypinyin (a text with a Latin letter)")
runtime.close()
"""


def start_up_parts(env: dict[str, str]) -> list[tuple[str, float, float]]:
    """(step, resident MiB after it, peak MiB so far) for each step of the command's start (see _PARTS)."""
    measured = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", _PARTS], env=env, capture_output=True, text=True, check=True
    )
    rows = [line.split("\t") for line in measured.stdout.splitlines()]
    return [(step, int(rss) / 1024, int(peak) / 1024) for step, rss, peak in rows]


def latin_letter_orders(path: Path) -> int:
    """How many orders of ``path`` hold a Latin letter in their description or remarks: those whose own-value
    masking may look for a name in pinyin, which loads pypinyin (domain/own_values.py)."""
    count = 0
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            order = json.loads(line)
            text = order["parcel"].get("description", "") + (order.get("remarks") or "")
            count += re.search("[A-Za-z]", text) is not None
    return count


def floor_rate(server: str | None, count: int = 3000) -> float:
    """The physical floor (see _common.Floor) in batches of 1,000, waybills per CPU second of this process."""
    with tempfile.TemporaryDirectory() as folder, fresh_database(server, Path(folder)) as url:
        engine = make_engine(url)
        m.metadata.create_all(engine)
        floor = Floor(engine)
        inputs = [floor_input(o) for o in orders(count, seed=5, merchants=20)]
        cpu = time.process_time()
        for start in range(0, count, 1000):
            floor.store(inputs[start : start + 1000])
        seconds = time.process_time() - cpu
        engine.dispose()
    return count / seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=2000, help="N: runs N and 5 x N orders")
    parser.add_argument("--sizes", help="comma-separated order counts instead, e.g. 20000,200000,1000000")
    add_database_argument(parser)
    options = parser.parse_args()
    sizes = (
        [int(n) for n in options.sizes.split(",")] if options.sizes else [options.orders, options.orders * 5]
    )
    print(f"parcelguard waybill issue, whole process, {backend_name(options.database_url)}:")
    with (
        LoadAverage() as load,
        tempfile.TemporaryDirectory() as folder,
        fresh_database(options.database_url, Path(folder)) as url,
    ):
        home = Path(folder) / "var"
        env = {**os.environ, "PARCELGUARD_HOME": str(home), "PARCELGUARD_DATABASE_URL": url}
        subprocess.run([*CLI, "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: S603
        floor = floor_rate(options.database_url)
        print(f"  physical floor (batches of 1,000, in process): {floor:,.0f} waybills per CPU second")
        _, help_cpu, help_peak = peak_rss_mb([*CLI, "--help"], env)
        print(f"  parcelguard --help alone: {help_cpu:.2f} CPU seconds, peak RSS {help_peak:.0f} MiB")
        print("  the command's start, step by step (resident MiB after it, +what it added; peak so far):")
        before = 0.0
        for step, resident, peak in start_up_parts(env):
            print(f"    {step:<38} {resident:5.0f} (+{resident - before:4.0f})  peak {peak:4.0f}")
            before = resident
        peaks, times = [], []
        for count in sizes:
            source = Path(folder) / f"orders-{count}.jsonl"
            write_jsonl(source, count, seed=count)
            if count == sizes[0]:
                latin = latin_letter_orders(source)
                print(
                    f"  orders whose free text holds a Latin letter (pypinyin loaded): {latin:,} of {count:,}"
                )
            args = [*CLI, "waybill", "issue", "--in", str(source), "--out", str(source.with_suffix(".out"))]
            seconds, cpu, peak = peak_rss_mb(args, env)
            source.unlink()
            peaks.append(peak)
            times.append(seconds)
            print(
                f"  {count:>9,} orders: {seconds:6.1f} s, {count / seconds:6.0f} waybills/s "
                f"(target {TARGET_RATE:,.0f}/s: {count / seconds / TARGET_RATE:.2f}x), "
                f"{count / cpu:6.0f} per CPU second (floor {floor / (count / cpu):.1f}x faster), "
                f"peak RSS {peak:4.0f} MiB (target < {TARGET_PEAK_MIB})"
            )
        for count, peak in zip(sizes[1:], peaks[1:], strict=True):
            print(f"  peak memory ratio ({count / sizes[0]:.0f}x the orders): {peak / peaks[0]:.2f}")
        if len(sizes) > 1:
            steady = (sizes[-1] - sizes[0]) / (times[-1] - times[0])
            start_up = max(0.0, times[0] - sizes[0] / steady)
            print(f"  marginal rate (start-up of about {start_up:.1f} s left out): {steady:,.0f} waybills/s")
    print(f"  {load.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
