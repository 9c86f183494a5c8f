"""Virtual numbers (issue 12): routing decisions in process and ``POST /v1/telephony/route`` over HTTP.

Set-up: a pool of ``--numbers`` numbers and ``--bindings`` AXB bindings (couriers and recipients are
synthetic), so one X serves many pairs as in production. The calls are a mix: 70% a party calling its
binding's X (connect), 20% a stranger calling a bound X (caller_not_party), 10% a free number (no_binding).

Figures:

* the decision alone (``domain.virtual_number.decide`` over the candidates the route keys select, with the
  caller's keyed index computed per call): decisions/s on one core;
* the read side: the routing query, decide, opening the target (one unit of work held open);
* the whole use case in process (``services.call_routing.route_call``: parse, keyed index, one query of
  the number, one of the route keys, the binding, decrypting the target, the audit event and the commit):
  decisions/s;
* over HTTP on loopback: uvicorn with one worker, ``wrk`` with ``--clients`` connections for ``--seconds``,
  requests/s, p50 and p99 latency, non-2xx answers.

Targets: >= 10,000 decisions/s in process; p99 < 5 ms over HTTP on loopback.
Needs ``wrk`` for the HTTP part (Debian: apt-get install wrk). Run: python benchmarks/bench_telephony.py
[--bindings 2000] [--calls 20000] [--seconds 10] [--clients 4] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import LoadAverage, add_database_argument, backend_name, fresh_runtime
from bench_http import _ms, _server_cpu, server
from parcelguard.bootstrap import Runtime
from parcelguard.domain import virtual_number as vn
from parcelguard.domain.access import Scope
from parcelguard.domain.keys import WrappedKey
from parcelguard.domain.pii import Mobile
from parcelguard.services import call_routing
from parcelguard.services.api_keys import create_api_key
from parcelguard.services.ports import BindingRecord
from parcelguard.services.virtual_numbers import PARTY_A, PARTY_B, import_numbers, owner_of

TARGET_IN_PROCESS = 10_000.0
TARGET_P99_MS = 5.0
SEGMENTS = ("135", "136", "137", "138", "139", "150", "151", "152", "186", "187")

LUA = """
local bodies = {}
for line in io.lines(os.getenv("PG_BENCH_BODIES")) do bodies[#bodies + 1] = line end
local headers = {["Content-Type"] = "application/json", ["Authorization"] = os.getenv("PG_BENCH_AUTH")}
local i = math.random(#bodies)
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/v1/telephony/route", headers, bodies[i])
end
"""


def _mobile(rnd: random.Random) -> str:
    return Mobile.parse(rnd.choice(SEGMENTS) + f"{rnd.randrange(10**8):08d}").value


def seed(runtime: Runtime, numbers: int, bindings: int) -> list[tuple[str, str]]:
    """The pool and AXB bindings written straight through the repository (no waybills: routing does not
    read them); returns (caller, called) pairs for the call mix."""
    rnd = random.Random(12)
    ctx = runtime.ctx
    pool = [f"1701{i:07d}" for i in range(numbers)]
    import_numbers(ctx, [(n, "bench") for n in pool], actor="bench")
    now = datetime.now(UTC)
    parties: list[tuple[str, str, str]] = []
    with ctx.uow() as uow:
        for i in range(bindings):
            x = pool[i % numbers]
            a, b = _mobile(rnd), _mobile(rnd)
            binding_id = f"vb_bench{i:012d}"
            key, wrapped = ctx.envelope.new_data_key(owner_of(binding_id))
            record = BindingRecord(
                id=binding_id,
                number=x,
                model=vn.BindingModel.AXB,
                extension=None,
                waybill_id=None,
                courier_id=None,
                bi_a=ctx.index.mobile(a),
                bi_b=ctx.index.mobile(b),
                wrapped_key=WrappedKey(wrapped.kek_version, wrapped.blob),
                ct_a=key.encrypt(PARTY_A, a),
                ct_b=key.encrypt(PARTY_B, b),
                created_at=now,
                expires_at=None,
            )
            assert uow.virtual_numbers.take(x, vn.BindingModel.AXB, vn.AXB_CAPACITY, now)
            uow.virtual_numbers.add_binding(
                record, vn.route_keys(vn.BindingModel.AXB, record.bi_a, record.bi_b, None)
            )
            parties.append((x, a, b))
        uow.commit()
    calls: list[tuple[str, str]] = []
    free = [f"1702{i:07d}" for i in range(10)]
    import_numbers(ctx, [(n, "spare") for n in free], actor="bench")
    for _ in range(5000):
        roll = rnd.random()
        x, a, b = rnd.choice(parties)
        if roll < 0.7:
            calls.append((rnd.choice((a, b)), x))
        elif roll < 0.9:
            calls.append((_mobile(rnd), x))
        else:
            calls.append((_mobile(rnd), rnd.choice(free)))
    return calls


def decisions_alone(runtime: Runtime, calls: list[tuple[str, str]], count: int) -> float:
    """decide() with the candidates each call's route keys select, read once beforehand; the caller's
    keyed index is computed per call as the service does."""
    ctx = runtime.ctx
    prepared = []
    with ctx.uow() as uow:
        for caller, called in calls[:2000]:
            snapshot = uow.virtual_numbers.route_snapshot(
                called, vn.candidate_keys(ctx.index.mobile(caller), None)
            )
            number = snapshot.number
            view = vn.NumberView(number.state, number.quarantined_until, number.bindings) if number else None
            prepared.append((caller, view, snapshot.candidates))
    now = datetime.now(UTC)
    start = time.process_time()
    for i in range(count):
        caller, view, candidates = prepared[i % len(prepared)]
        vn.decide(
            number=view, caller_index=ctx.index.mobile(caller), extension=None, candidates=candidates, now=now
        )
    return count / (time.process_time() - start)


def lookups(runtime: Runtime, calls: list[tuple[str, str]], count: int) -> float:
    """The read side per call, in one open unit of work (as a routing cache in front of the table would
    see it): keyed index, the one routing query, decide, open the target's key and decrypt it."""
    ctx = runtime.ctx
    now = datetime.now(UTC)
    with ctx.uow() as uow:
        start = time.process_time()
        for i in range(count):
            caller, called = calls[i % len(calls)]
            index = ctx.index.mobile(caller)
            snapshot = uow.virtual_numbers.route_snapshot(called, vn.candidate_keys(index, None))
            number = snapshot.number
            view = vn.NumberView(number.state, number.quarantined_until, number.bindings) if number else None
            decision = vn.decide(
                number=view, caller_index=index, extension=None, candidates=snapshot.candidates, now=now
            )
            if decision.connects and decision.binding_id is not None:
                wrapped, ct_a, ct_b = snapshot.sealed[decision.binding_id]
                key = ctx.envelope.open_data_key(owner_of(decision.binding_id), wrapped)
                a = decision.party is vn.Party.A
                key.decrypt(PARTY_A if a else PARTY_B, (ct_a if a else ct_b) or b"")
        return count / (time.process_time() - start)


def use_case(
    runtime: Runtime, calls: list[tuple[str, str]], count: int
) -> tuple[float, float, dict[str, int]]:
    """(decisions per CPU second, per wall second, outcomes): route_call as the endpoint calls it."""
    outcomes: dict[str, int] = {}
    for caller, called in calls[:50]:  # warm-up
        call_routing.route_call(runtime.ctx, caller=caller, called=called, actor="bench")
    start, wall = time.process_time(), time.perf_counter()
    for i in range(count):
        caller, called = calls[i % len(calls)]
        answer = call_routing.route_call(runtime.ctx, caller=caller, called=called, actor="bench")
        key = answer.action if answer.reason is None else answer.reason.value
        outcomes[key] = outcomes.get(key, 0) + 1
    return count / (time.process_time() - start), count / (time.perf_counter() - wall), outcomes


def run_wrk(url: str, root: int, env: dict[str, str], clients: int, seconds: int) -> dict[str, Any]:
    """One wrk run (no more threads than connections: wrk refuses -t2 -c1): requests/s, p50 and p99 (ms),
    non-2xx answers and the server's CPU ms per request, read as bench_http reads them."""
    cpu = _server_cpu(root)
    args = ["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds}s", "--latency", "-s"]
    out = subprocess.run(  # noqa: S603 - wrk with our own fixed arguments
        [*args, env["PG_BENCH_SCRIPT"], url], env=env, capture_output=True, text=True, check=True
    )
    cpu = _server_cpu(root) - cpu
    text = out.stdout
    total = int(re.search(r"(\d+) requests in", text).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),  # type: ignore[union-attr]
        "p50": _ms(re.search(r"50%\s+(\S+)", text).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"99%\s+(\S+)", text).group(1)),  # type: ignore[union-attr]
        "errors": int(errors.group(1)) if errors else 0,
        "cpu_ms": cpu * 1000 / max(total, 1),
    }


def over_http(runtime: Runtime, calls: list[tuple[str, str]], clients: int, seconds: int) -> dict[str, Any]:
    key = create_api_key(runtime.ctx, actor="bench", name="sip", scopes=[Scope.TELEPHONY_ROUTE])
    with tempfile.TemporaryDirectory() as folder:
        bodies = Path(folder) / "bodies.jsonl"
        bodies.write_text("".join(json.dumps({"caller": c, "called": x}) + "\n" for c, x in calls))
        script = Path(folder) / "route.lua"
        script.write_text(LUA)
        env = {
            **os.environ,
            "PG_BENCH_BODIES": str(bodies),
            "PG_BENCH_AUTH": f"Bearer {key.presented}",
            "PG_BENCH_SCRIPT": str(script),
        }
        with server(runtime, 1) as (url, root):
            run_wrk(url, root, env, clients, 2)  # warm-up
            return run_wrk(url, root, env, clients, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--numbers", type=int, default=20, help="virtual numbers in the pool")
    parser.add_argument("--bindings", type=int, default=2000, help="AXB bindings over them")
    parser.add_argument("--calls", type=int, default=20_000, help="decisions timed in process")
    parser.add_argument("--seconds", type=int, default=10, help="length of the wrk run")
    parser.add_argument("--clients", type=int, default=4, help="wrk connections")
    add_database_argument(parser)
    args = parser.parse_args()
    backend = backend_name(args.database_url)
    with fresh_runtime(args.database_url) as runtime, LoadAverage() as load:
        calls = seed(runtime, args.numbers, args.bindings)
        alone = decisions_alone(runtime, calls, args.calls * 5)
        read = lookups(runtime, calls, args.calls)
        full, full_wall, outcomes = use_case(runtime, calls, args.calls)
        print(f"routing, {backend}, {args.bindings} AXB bindings on {args.numbers} numbers:")
        print(f"  decision alone (keyed index + decide): {alone:,.0f} decisions/s (one core, CPU time)")
        ok = "meets" if alone >= TARGET_IN_PROCESS else "misses"
        print(f"    ({ok} the target of {TARGET_IN_PROCESS:,.0f}/s)")
        print(f"  lookup + decide + decrypt (one query each, no audit): {read:,.0f} decisions per CPU second")
        print(
            f"  route_call in process (+ audit event and commit per call): {full:,.0f} per CPU second "
            f"({full_wall:,.0f}/s wall)"
        )
        print(f"    outcomes {outcomes}")
        if shutil.which("wrk") is None:
            print("wrk is not installed (Debian: apt-get install wrk); skipping HTTP")
        else:
            http = over_http(runtime, calls, args.clients, args.seconds)
            ok = "meets" if http["p99"] < TARGET_P99_MS else "misses"
            print(
                f"  HTTP POST /v1/telephony/route, 1 worker, {args.clients} clients, {args.seconds} s: "
                f"{http['rps']:,.0f} requests/s, p50 {http['p50']:.2f} ms, p99 {http['p99']:.2f} ms "
                f"({ok} p99 < {TARGET_P99_MS:.0f} ms), non-2xx {http['errors']}, "
                f"server CPU {http['cpu_ms']:.2f} ms/request"
            )
    print(load.summary())


if __name__ == "__main__":
    main()
