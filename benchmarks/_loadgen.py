"""A small closed-loop HTTP/1.1 load generator, for machines without ``wrk`` (bench_http.py falls back to it).

``clients`` keep-alive connections each send one request, wait for its whole answer, and send the next,
for ``seconds``: the same closed loop as ``wrk -c``. Requests are built once, up front, from a JSON Lines file
of bodies (a different body each request, round robin from a random start per connection); answers are
read by ``Content-Length``. Its own CPU is small next to the server's (one event loop, pre-encoded
requests, uvloop when installed), and is printed so that it can be told apart.

Run as a process of its own (so that it never shares a GIL with anything measured): prints one JSON object
``{"requests", "rps", "p50", "p99", "errors", "cpu_s"}`` (latencies in ms, ``errors``: answers that are not
2xx or 3xx).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from urllib.parse import urlsplit


def _requests(host: str, port: int, path: str, auth: str, bodies_file: str) -> list[bytes]:
    built = []
    with open(bodies_file, encoding="utf-8") as lines:
        for line in lines:
            body = line.rstrip("\n").encode("utf-8")
            head = (
                f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: {auth}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            built.append(head.encode("ascii") + body)
    return built


async def _client(
    host: str, port: int, requests: list[bytes], deadline: float, latencies: list[float], errors: list[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = random.randrange(len(requests))
    clock = time.perf_counter
    try:
        while clock() < deadline:
            i = (i + 1) % len(requests)
            start = clock()
            writer.write(requests[i])
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for header in head.split(b"\r\n"):
                if header[:15].lower() == b"content-length:":
                    length = int(header[15:])
                    break
            if length:
                await reader.readexactly(length)
            latencies.append(clock() - start)
            if not 200 <= status < 400:
                errors[0] += 1
    finally:
        writer.close()


async def _run(url: str, auth: str, bodies_file: str, clients: int, seconds: float) -> dict[str, float]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = _requests(host, port, "/v1/waybills", auth, bodies_file)
    latencies: list[float] = []
    errors = [0]
    cpu = time.process_time()
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(
        *(_client(host, port, requests, deadline, latencies, errors) for _ in range(clients))
    )
    elapsed = time.perf_counter() - start
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "rps": n / elapsed,
        "p50": latencies[n // 2] * 1000 if n else 0.0,
        "p99": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else 0.0,
        "errors": errors[0],
        "cpu_s": time.process_time() - cpu,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--auth", required=True, help="the Authorization header's value")
    parser.add_argument("--bodies", required=True, help="JSON Lines file, one request body a line")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args(argv)
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    result = runner(_run(args.url, args.auth, args.bodies, args.clients, args.seconds))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
