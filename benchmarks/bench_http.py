"""The single-order path over HTTP under load, and batches of 1,000 over HTTP against the in-process rate.

Most shops issue one order at checkout: ``POST /v1/waybills``. A real load generator (``wrk`` with a Lua
script that sends a different order each request, 20% with a remark of their own) keeps 20 clients busy
against uvicorn serving ParcelGuard with 1 worker (SQLite), and with 1 and 2 workers on PostgreSQL when
``--database-url`` names a server. Printed: requests/s, p50 and p99 latency, failed answers, the server's CPU
per request, and the load average. Then batches of 1,000 over HTTP against ``issue_batch`` in process on the
same database, interleaved.

Targets (issue 9): >= 1,500 requests/s on one worker with p99 < 25 ms at 20 clients (SQLite); on
PostgreSQL, 2 workers >= 1.6x one; HTTP batches of 1,000 >= 80% of the in-process rate. Beside them, in
the same run: one order per transaction in process (``issue_waybill``, as the endpoint calls it) and at the
floor (AES-GCM, HMAC, a one-row insert and a commit), each per CPU second, and the server's CPU per request
as a multiple of both.

Uses ``wrk`` when installed (Debian: ``apt-get install wrk``; scripts/setup does not install it,
benchmarks are not run by CI), else the closed-loop Python generator ``_loadgen.py`` beside this file, in a
process of its own (its CPU per request is printed beside the server's).
Run: python benchmarks/bench_http.py [--seconds 10] [--clients 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from _common import (
    Floor,
    LoadAverage,
    add_database_argument,
    backend_name,
    floor_input,
    fresh_runtime,
    orders,
)
from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Scope
from parcelguard.domain.pii.region import clear_address_cache
from parcelguard.services.api_keys import create_api_key
from parcelguard.services.issuance import issue_batch, issue_waybill

TARGET_RPS = 1500.0
TARGET_P99_MS = 25.0
TARGET_TWO_WORKERS = 1.6
TARGET_BATCH_SHARE = 0.8

LUA = """
local bodies = {}
for line in io.lines(os.getenv("PG_BENCH_BODIES")) do bodies[#bodies + 1] = line end
local headers = {["Content-Type"] = "application/json", ["Authorization"] = os.getenv("PG_BENCH_AUTH")}
local i = math.random(#bodies)
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/v1/waybills", headers, bodies[i])
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(runtime: Runtime, workers: int) -> Iterator[tuple[str, int]]:
    """uvicorn serving this runtime's database and key file with ``workers`` processes."""
    port = _free_port()
    settings = runtime.settings
    env = {
        **os.environ,
        "PARCELGUARD_HOME": str(settings.home),
        "PARCELGUARD_DATABASE_URL": settings.resolved_database_url,
        "PARCELGUARD_ENVIRONMENT": "test",
    }
    uvicorn = str(Path(sys.executable).parent / "uvicorn")
    args = [uvicorn, "--factory", "parcelguard.web.app:create_app", "--port", str(port)]
    args += ["--workers", str(workers), "--no-access-log", "--log-level", "warning", "--no-proxy-headers"]
    process = subprocess.Popen(args, env=env)  # noqa: S603 - our own server, fixed arguments
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def _server_cpu(root: int) -> float:
    """CPU seconds (user + system) of process ``root`` and its descendants (uvicorn's workers), from /proc."""
    stats: dict[int, tuple[int, float]] = {}  # pid -> (parent pid, CPU seconds)
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended meanwhile
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree, total = {root}, 0.0
    for _ in range(3):  # uvicorn's tree is at most a supervisor, its workers and their helpers
        tree |= {pid for pid, (parent, _) in stats.items() if parent in tree}
    for pid in tree:
        total += stats.get(pid, (0, 0.0))[1]
    return total


def _postgres_cpu(database: str) -> float:
    """CPU seconds (user + system) of the PostgreSQL backends serving ``database`` (by their process
    titles, from /proc), or 0.0 without one: the database server's share of a run, other databases'
    work on the same server left out."""
    if not database:
        return 0.0
    tick, total, title = os.sysconf("SC_CLK_TCK"), 0.0, f" {database} ".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if title not in (entry / "cmdline").read_bytes() or not (entry / "comm").read_text().startswith(
                "postgres"
            ):
                continue
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def run_wrk(url: str, root: int, env: dict[str, str], clients: int, seconds: int) -> dict[str, Any]:
    """One wrk run (or, without wrk, one of ``_loadgen.py``); its requests/s, p50 and p99 (ms), non-2xx
    answers and the server's CPU ms per request."""
    if shutil.which("wrk") is None:
        return _run_loadgen(url, root, env, clients, seconds)
    cpu, database = _server_cpu(root), _postgres_cpu(env.get("PG_BENCH_DATABASE", ""))
    args = ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", env["PG_BENCH_SCRIPT"], url]
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout  # noqa: S603
    cpu, database = _server_cpu(root) - cpu, _postgres_cpu(env.get("PG_BENCH_DATABASE", "")) - database
    if re.search(r"99%\s+[\d.]+(us|ms|s|m)\b", out) is None:
        raise SystemExit(f"wrk gave no latency figures (did every request fail?):\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)),  # type: ignore[union-attr]
        "errors": int(errors.group(1)) if errors else 0,
        "cpu_ms": cpu * 1000 / max(total, 1),
        "database_cpu_ms": database * 1000 / max(total, 1),
    }


def _run_loadgen(url: str, root: int, env: dict[str, str], clients: int, seconds: int) -> dict[str, Any]:
    """Like ``run_wrk``, with the Python load generator beside this file (its own CPU is printed)."""
    loadgen = str(Path(__file__).parent / "_loadgen.py")
    args = [sys.executable, loadgen, url, "--auth", env["PG_BENCH_AUTH"], "--bodies", env["PG_BENCH_BODIES"]]
    args += ["--clients", str(clients), "--seconds", str(seconds)]
    cpu, database = _server_cpu(root), _postgres_cpu(env.get("PG_BENCH_DATABASE", ""))
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603
    cpu, database = _server_cpu(root) - cpu, _postgres_cpu(env.get("PG_BENCH_DATABASE", "")) - database
    result: dict[str, Any] = json.loads(out)
    if not result["requests"]:
        raise SystemExit("the load generator completed no request")
    result["cpu_ms"] = cpu * 1000 / result["requests"]
    result["database_cpu_ms"] = database * 1000 / result["requests"]
    result["client_cpu_ms"] = result["cpu_s"] * 1000 / result["requests"]
    return result


def in_process(runtime: Runtime, count: int) -> tuple[float, float]:
    """(single orders per CPU second through ``issue_waybill``, the floor's single orders per CPU second):
    one order, one transaction each, interleaved in chunks of 50, on the same database, in this process."""
    corpus = orders(count, seed=11, merchants=20)
    floor = Floor(runtime.engine)
    inputs = [floor_input(o) for o in corpus]
    for order in orders(5, seed=12):  # warm-up: the division table and the detector's lexicons load once
        issue_waybill(runtime.ctx, order, actor="bench")
    service_s = floor_s = 0.0
    for start in range(0, count, 50):
        cpu = time.process_time()
        for order in corpus[start : start + 50]:
            issue_waybill(runtime.ctx, order, actor="bench")
        service_s += time.process_time() - cpu
        cpu = time.process_time()
        for item in inputs[start : start + 50]:
            floor.store_one(item)
        floor_s += time.process_time() - cpu
    return count / service_s, count / floor_s


def _database_name(runtime: Runtime) -> str:
    """The PostgreSQL database's name, or "" on SQLite."""
    url = make_url(runtime.settings.resolved_database_url)
    return url.database or "" if url.get_backend_name() == "postgresql" else ""


def single_orders(runtime: Runtime, workers: int, clients: int, seconds: int, folder: Path) -> dict[str, Any]:
    key = create_api_key(runtime.ctx, actor="bench", name=f"bench {workers}", scopes=[Scope.ADMIN])
    bodies = folder / "bodies.jsonl"
    with bodies.open("w", encoding="utf-8") as out:
        for order in orders(2000, seed=workers, merchants=20):
            out.write(json.dumps(order, ensure_ascii=False) + "\n")
    script = folder / "post.lua"
    script.write_text(LUA, encoding="utf-8")
    env = {
        **os.environ,
        "PG_BENCH_BODIES": str(bodies),
        "PG_BENCH_AUTH": f"Bearer {key.presented}",
        "PG_BENCH_SCRIPT": str(script),
        "PG_BENCH_DATABASE": _database_name(runtime),
    }
    with server(runtime, workers) as (url, root):
        # Warm-up: first requests one at a time (each worker loads the division table and the detector's
        # lexicons once), then a short run at full load (connections, caches).
        for order in orders(4 * workers, seed=1):
            headers = {"Authorization": env["PG_BENCH_AUTH"]}
            httpx.post(f"{url}/v1/waybills", json=order, headers=headers, timeout=120).raise_for_status()
        run_wrk(url, root, env, clients, 2)
        return run_wrk(url, root, env, clients, seconds)


def batches(runtime: Runtime, rounds: int) -> tuple[float, float, float, float]:
    """(HTTP, in-process) waybills/s for batches of 1,000, interleaved on the same database, by wall clock,
    then by CPU (the server's processes against this process's own issuing).

    Both sides start alike: the same warm-up of 1,000 orders each (the model, lexicons and the address
    region memory fill up as they would in a running server), and this process forgets what making the
    corpus taught its region memory. The request bodies are encoded before the clock starts.
    """
    key = create_api_key(runtime.ctx, actor="bench", name="bench batches", scopes=[Scope.ADMIN])
    corpus = orders(1000 * (rounds + 1) * 2, seed=7, merchants=20)
    clear_address_cache()
    bodies = [
        json.dumps({"orders": corpus[2000 * n : 2000 * n + 1000]}, ensure_ascii=False).encode()
        for n in range(rounds + 1)
    ]
    http_s = local_s = http_cpu = local_cpu = 0.0
    with server(runtime, 1) as (url, root), httpx.Client(base_url=url, timeout=120) as client:
        headers = {"Authorization": f"Bearer {key.presented}", "Content-Type": "application/json"}
        for n in range(rounds + 1):
            local_batch = corpus[2000 * n + 1000 : 2000 * n + 2000]
            cpu, start = _server_cpu(root), time.perf_counter()
            answer = client.post("/v1/waybills/batch", content=bodies[n], headers=headers)
            wall, cpu = time.perf_counter() - start, _server_cpu(root) - cpu
            answer.raise_for_status()
            mine, start = time.process_time(), time.perf_counter()
            issue_batch(runtime.ctx, local_batch, actor="bench")
            local_wall, mine = time.perf_counter() - start, time.process_time() - mine
            if n:  # the first round of each side is the warm-up
                http_s, http_cpu, local_s, local_cpu = (
                    http_s + wall,
                    http_cpu + cpu,
                    local_s + local_wall,
                    local_cpu + mine,
                )
    count = 1000 * rounds
    return count / http_s, count / local_s, count / max(http_cpu, 1e-9), count / max(local_cpu, 1e-9)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--batch-rounds", type=int, default=3)
    parser.add_argument(
        "--single", type=int, default=1000, help="single orders in process (and at the floor)"
    )
    add_database_argument(parser)
    args = parser.parse_args(argv)
    generator = "wrk" if shutil.which("wrk") else "benchmarks/_loadgen.py (no wrk here)"
    backend = backend_name(args.database_url)
    worker_counts = (1,) if backend == "SQLite" else (1, 2)
    results = {}
    with LoadAverage() as load, tempfile.TemporaryDirectory() as folder:
        for workers in worker_counts:
            with fresh_runtime(args.database_url) as runtime:
                results[workers] = single_orders(runtime, workers, args.clients, args.seconds, Path(folder))
        with fresh_runtime(args.database_url) as runtime:
            http_rate, local_rate, http_cpu_rate, local_cpu_rate = batches(runtime, args.batch_rounds)
        with fresh_runtime(args.database_url) as runtime:
            single_rate, floor_rate = in_process(runtime, args.single)
    print(
        f"HTTP POST /v1/waybills, {backend}, {args.clients} clients ({generator}), {args.seconds} s per run:"
    )
    for workers, r in results.items():
        print(
            f"  {workers} worker{'s' if workers > 1 else ''}: {r['rps']:,.0f} requests/s "
            f"(target {TARGET_RPS:,.0f}: {r['rps'] / TARGET_RPS:.2f}x), p50 {r['p50']:.1f} ms, "
            f"p99 {r['p99']:.1f} ms (target < {TARGET_P99_MS:.0f}), {r['errors']} non-2xx, "
            f"server CPU {r['cpu_ms']:.2f} ms per request"
            + (f" (load generator {r['client_cpu_ms']:.2f} ms)" if "client_cpu_ms" in r else "")
            + (f", PostgreSQL {r['database_cpu_ms']:.2f} ms" if backend != "SQLite" else "")
        )
    print(
        f"  in process (issue_waybill, one order per transaction): {single_rate:,.0f}/s per CPU second = "
        f"{1000 / single_rate:.2f} ms each; floor (AES-GCM, HMAC, one-row insert, commit): "
        f"{floor_rate:,.0f}/s = {1000 / floor_rate:.2f} ms: {floor_rate / single_rate:.2f}x faster"
    )
    for workers, r in results.items():
        print(
            f"  {workers} worker{'s' if workers > 1 else ''}: server CPU per request is "
            f"{r['cpu_ms'] * single_rate / 1000:.2f}x the in-process single order and "
            f"{r['cpu_ms'] * floor_rate / 1000:.2f}x the floor's"
        )
    if 2 in results:
        ratio = results[2]["rps"] / results[1]["rps"]
        print(f"  2 workers vs 1: {ratio:.2f}x (target >= {TARGET_TWO_WORKERS})")
    share = http_rate / local_rate
    print(
        f"batches of 1,000: HTTP {http_rate:,.0f} waybills/s, in process {local_rate:,.0f}/s: "
        f"{share:.0%} (target >= {TARGET_BATCH_SHARE:.0%}; wall clock, interleaved)"
    )
    print(
        f"  per CPU second: HTTP server {http_cpu_rate:,.0f} waybills/s, in process {local_cpu_rate:,.0f}/s: "
        f"{http_cpu_rate / local_cpu_rate:.0%} (CPU of /proc's server processes, 10 ms ticks)"
    )
    print(load.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
