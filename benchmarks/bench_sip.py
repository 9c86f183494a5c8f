"""Routing decisions through Kamailio: SIPp in rate mode against deploy/kamailio/kamailio.cfg and the app.

The same set-up as tests/functional/test_sip_calls.py (tests/sip_support.py): the app (``parcelguard serve``,
one uvicorn worker, SQLite), an AXB binding made with the CLI, Kamailio on loopback asking the routing
endpoint for every INVITE. Then, one after the other:

1. the routing endpoint alone over HTTP (one client, keep-alive): p50/p99 of POST /v1/telephony/route;
2. refused calls (a stranger dials X: one routing decision, 480 caller_not_party) at ``--rate`` calls/s:
   calls/s achieved, failed calls, p50/p99 of INVITE -> final response as SIPp's caller sees it;
3. connected calls (A dials X, a SIPp callee registered as B answers, A hangs up) at ``--rate`` calls/s:
   calls/s, failed calls, p50/p99 of INVITE -> 200 OK.

Target (issue 12): p99 of a routing decision under 5 ms over HTTP on loopback. Needs kamailio and sipp
(scripts/kamailio-up). Benchmarks are not run by CI.

Run: python benchmarks/bench_sip.py [--calls 1000] [--rate 100] [--children 4]

Measured (2 cores shared with other work, load average 8-10; SIPp's response times are whole ms):
500 calls at 100/s: route over HTTP p50 2.2 ms, p99 12.7 ms; refused calls 99.4/s, p50 4 ms, p99 12 ms;
connected calls 97.2/s, p50 4 ms, p99 12 ms, none failed. At 250/s refused calls keep up (246.5/s, p99
16 ms) while connected calls (a whole dialog and a call record each) fall behind (78.7/s, p99 436 ms).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sip_support import MaskedPair, Stack, bind_pair, free_port, start_kamailio, tool

from _common import LoadAverage

LABELS = {"uac_rejected": "refused calls", "uac_call": "connected calls"}


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):.2f} ms  p99 {p99:.2f} ms  max {ordered[-1]:.2f} ms"


def _route_over_http(url: str, key: str, caller: str, called: str, count: int) -> list[float]:
    times = []
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}) as client:
        for _ in range(50):  # warm-up
            client.post(url, json={"caller": caller, "called": called})
        for _ in range(count):
            started = time.perf_counter()
            answer = client.post(url, json={"caller": caller, "called": called})
            times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.text
    return times


def _rtt_ms(work: Path, scenario: str) -> list[float]:
    """SIPp's -trace_rtt file: one line per call, the response time in ms."""
    found = sorted(work.glob(f"{Path(scenario).stem}_*_rtt.csv"))
    assert found, f"no response-time file for {scenario}"
    times: list[float] = []
    for path in found:
        with path.open() as rows:
            for row in csv.reader(rows, delimiter=";"):
                if len(row) >= 2 and row[1].replace(".", "", 1).isdigit():
                    times.append(float(row[1]))
        path.unlink()
    return times


def _rate_run(
    stack: Stack,
    scenario: str,
    proxy: str,
    pair: MaskedPair,
    caller: str,
    args: argparse.Namespace,
) -> None:
    name = Path(scenario).stem
    argv = stack.sipp_argv(scenario, name, pair.virtual_number, load=True, caller=caller)
    argv += ["-m", str(args.calls), "-r", str(args.rate), "-l", "200", "-trace_rtt", "-rtt_freq", "1"]
    argv += ["-trace_stat", "-stf", str(stack.work / f"{name}_stat.csv"), "-fd", "1", proxy]
    started = time.perf_counter()
    process = stack.start(name, argv)
    code = process.wait(timeout=args.calls / args.rate * 4 + 60)
    elapsed = time.perf_counter() - started
    with (stack.work / f"{name}_stat.csv").open() as rows:
        last = list(csv.DictReader(rows, delimiter=";"))[-1]
    ok, failed = int(last["SuccessfulCall(C)"]), int(last["FailedCall(C)"])
    times = _rtt_ms(stack.work, scenario)
    print(
        f"  {LABELS[name]:<16} {ok / elapsed:7.1f} calls/s  ({ok} ok, {failed} failed, sipp exit {code})  "
        f"{_percentiles(times)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=100, help="new calls per second")
    parser.add_argument("--children", type=int, default=4, help="Kamailio UDP worker processes")
    args = parser.parse_args()
    kamailio, sipp = tool("kamailio"), tool("sipp")
    if kamailio is None or sipp is None:
        sys.exit("needs kamailio and sipp: scripts/kamailio-up")

    work = Path(tempfile.mkdtemp(prefix="bench_sip_"))
    stack = Stack(work, sipp)
    try:
        with LoadAverage() as load:
            pair = bind_pair(stack)
            proxy = start_kamailio(stack, kamailio, pair, children=args.children)
            route_url = f"{pair.app_url}/v1/telephony/route"
            print(f"bench_sip: {args.calls} calls at {args.rate}/s, Kamailio {args.children} workers")
            direct = _route_over_http(
                route_url, pair.route_key, pair.stranger, pair.virtual_number, args.calls
            )
            print(f"  route over HTTP  {_percentiles(direct)}")
            _rate_run(stack, "uac_rejected.xml", proxy, pair, pair.stranger, args)

            callee_port = str(free_port(socket.SOCK_DGRAM))
            callee_argv = stack.sipp_argv(
                "uas.xml", "callee", pair.recipient, load=True, local_port=callee_port
            )
            callee = stack.start("callee", callee_argv)
            assert (
                stack.run_sipp("register.xml", "register", proxy, pair.recipient, contact_port=callee_port)
                == 0
            )
            _rate_run(stack, "uac_call.xml", proxy, pair, pair.courier, args)
            callee.terminate()
        print(f"  {load.summary()}; the app: 1 uvicorn worker on SQLite")
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
