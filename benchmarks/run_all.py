"""Run every benchmark in one go and print their figures: python benchmarks/run_all.py [--quick].

Each benchmark prints its ratios measured in its own run and the load average during it. ``--quick`` runs
each in a small form (under two minutes in all on an idle 2-core machine; about 3 minutes of wall time at a
load average of 8 on 2 cores, when the benchmarks get a third of the CPU). The HTTP benchmark needs ``wrk``
(``apt-get install wrk``) and says so when it is missing. PARCELGUARD_DATABASE_URL naming a PostgreSQL
server makes the issuance, label, HTTP, CLI and growth benchmarks run there (a fresh database per run).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS = [
    (HERE / "bench_issuance.py", ["--orders", "20000"], ["--orders", "2000", "--rounds", "1"]),
    (HERE / "bench_parse.py", [], ["--quick"]),
    (HERE / "bench_free_text.py", [], ["--batches", "2"]),
    (HERE / "bench_worst_case.py", [], ["--size", "5000"]),
    (HERE / "bench_labels.py", [], ["--quick"]),
    (HERE / "bench_http.py", [], ["--seconds", "5", "--batch-rounds", "1", "--single", "200"]),
    (HERE / "bench_growth.py", [], ["--quick"]),
    (HERE / "deid" / "bench_deid.py", [], ["--n", "500", "--presidio-n", "200", "--no-zh"]),
    (HERE / "deid" / "bench_real.py", [], ["--quick"]),
    (HERE / "bench_deid_datasets.py", [], ["--rows", "3000"]),  # --quick is 10,000 rows, a minute here
    (HERE / "bench_cli_issue.py", ["--sizes", "20000,200000"], ["--orders", "1000"]),
    (HERE / "bench_identity.py", [], ["--n", "500", "--repeat", "2"]),
    (HERE / "bench_page_session.py", [], []),
]


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    failed = 0
    started = time.perf_counter()
    for script, full_args, quick_args in BENCHMARKS:
        if not script.exists():
            continue
        print(f"\n=== {script.relative_to(HERE)} ===", flush=True)
        args = quick_args if quick else full_args
        begun = time.perf_counter()
        result = subprocess.run([sys.executable, str(script), *args], check=False)  # noqa: S603 - our own scripts
        failed += result.returncode != 0
        print(f"({script.name}: {time.perf_counter() - begun:.0f} s)", flush=True)
    print(f"\nall benchmarks: {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
