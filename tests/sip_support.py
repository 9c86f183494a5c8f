"""The SIP harness of tests/functional/test_sip_calls.py and benchmarks/bench_sip.py.

Processes on 127.0.0.1 with free ports, each logging to a file in one work folder: the app
(``parcelguard serve`` on a SQLite data folder), Kamailio with deploy/kamailio/kamailio.cfg pointed at the
app's routing endpoint, and SIPp with the scenarios of deploy/kamailio/sipp/. ``bind_pair`` makes an AXB
binding between a courier A and a recipient B through X with the CLI, as docs/telephony.md tells an operator.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from parcelguard.domain.pii.synthetic import SyntheticPeople

ROOT = Path(__file__).resolve().parents[1]
KAMAILIO_CFG = ROOT / "deploy" / "kamailio" / "kamailio.cfg"
SCENARIOS = ROOT / "deploy" / "kamailio" / "sipp"
PARCELGUARD = Path(sys.executable).with_name("parcelguard")

VIRTUAL_NUMBER = "17012345678"
LABEL_NUMBER = "17012345670"
START_TIMEOUT_S = 20.0
SIPP_TIMEOUT_S = 10


def tool(name: str) -> str | None:
    return shutil.which(name) or next(
        (str(path) for path in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if path.exists()), None
    )


def free_port(kind: socket.SocketKind) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Stack:
    """The processes of one test, their logs in ``work``; stopped (SIGTERM, then SIGKILL) at the end."""

    def __init__(self, work: Path, sipp: str) -> None:
        self.work = work
        self.sipp = sipp
        self._running: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.work / f"{name}.log").open("wb")
        process = subprocess.Popen(
            argv, cwd=self.work, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
        self._running.append((process, log))
        return process

    def sipp_argv(
        self, scenario: str, name: str, service: str, *, load: bool = False, calls: int = 1, **keys: str
    ) -> list[str]:
        """SIPp on its own free ports. ``calls`` calls with a message log ``<name>.messages`` and a global
        timeout; with ``load``, no message log (the caller adds -m, -r and its statistics options)."""
        local_ip = keys.pop("local_ip", "127.0.0.1")
        argv = [self.sipp, "-sf", str(SCENARIOS / scenario), "-i", local_ip, "-s", service, "-nostdin"]
        argv += ["-p", keys.pop("local_port", str(free_port(socket.SOCK_DGRAM)))]
        argv += ["-cp", str(free_port(socket.SOCK_DGRAM))]
        if not load:
            argv += ["-m", str(calls), "-timeout", f"{SIPP_TIMEOUT_S}s", "-timeout_error"]
            argv += ["-trace_msg", "-message_file", str(self.work / f"{name}.messages")]
            argv += ["-trace_err", "-error_file", str(self.work / f"{name}.errors")]
        for key, value in keys.items():
            argv += ["-key", key, value]
        return argv

    def run_sipp(self, scenario: str, name: str, proxy: str, service: str, **keys: str) -> int:
        argv = [*self.sipp_argv(scenario, name, service, **keys), proxy]
        with (self.work / f"{name}.log").open("wb") as log:
            done = subprocess.run(
                argv, cwd=self.work, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                timeout=SIPP_TIMEOUT_S + 10, check=False,
            )  # fmt: skip
        return done.returncode

    def stop(self) -> None:
        running, self._running = self._running, []
        for process, _log in running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, log in running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            log.close()

    def keep_logs(self, into: Path) -> None:
        """Copies the logs (never the data folder: it holds the key file) into ``into``, emptied first."""
        shutil.rmtree(into, ignore_errors=True)
        into.mkdir(parents=True)
        for path in self.work.iterdir():
            if path.is_file() and path.suffix in {".log", ".messages", ".errors", ".cfg"}:
                shutil.copy2(path, into / path.name)


class Cli:
    """``parcelguard`` running in the background (its start-up takes seconds: steps that do not depend on
    each other run side by side; SQLite's WAL and busy timeout keep concurrent writers apart)."""

    def __init__(self, env: dict[str, str], *args: str, stdin: str | None = None) -> None:
        self.args = args
        self._process = subprocess.Popen(
            [str(PARCELGUARD), *args],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._stdin = stdin or ""

    def output(self) -> str:
        """Its standard output; AssertionError with its error output if it failed."""
        out, err = self._process.communicate(self._stdin, timeout=60)
        assert self._process.returncode == 0, f"parcelguard {' '.join(self.args[:2])}: {err}"
        return out


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    return Cli(env, *args, stdin=stdin).output()


def wait_for_http(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "the app stopped while starting (see app.log)"
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:  # noqa: S310 (http on loopback)
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"the app did not answer {url}")


def wait_for_sip(port: int, process: subprocess.Popen[bytes]) -> None:
    """Sends OPTIONS until Kamailio answers anything (the config answers 405 to OPTIONS)."""
    request = (
        f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK-probe\r\n"
        "From: <sip:probe@127.0.0.1>;tag=probe\r\nTo: <sip:127.0.0.1>\r\n"
        "Call-ID: probe@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        probe.settimeout(0.2)
        local = probe.getsockname()[1]
        while time.monotonic() < deadline:
            assert process.poll() is None, "Kamailio stopped while starting (see kamailio.log)"
            probe.sendto(request.replace("{local}", str(local)).encode(), ("127.0.0.1", port))
            try:
                if probe.recv(4096).startswith(b"SIP/2.0 "):
                    return
            except TimeoutError:
                continue
    raise AssertionError("Kamailio did not answer on its SIP port")


def post_json(url: str, body: dict[str, Any], key: str) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 (http on loopback)
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        result: dict[str, Any] = json.loads(answer.read())
        return result


def messages(path: Path) -> list[str]:
    """The SIP messages of a SIPp message log (-trace_msg), in order."""
    text = path.read_text(errors="replace")
    blocks = re.split(r"^-{20,}.*$", text, flags=re.MULTILINE)
    found = []
    for block in blocks:
        lines = [line for line in block.splitlines() if line.strip()]
        body = [line for line in lines if not re.match(r"^UDP message (sent|received)", line)]
        if body:
            found.append("\n".join(body))
    return found


def final_response(path: Path) -> str:
    """The status line and Reason header of the last final response a SIPp caller received."""
    finals = [m for m in messages(path) if re.match(r"SIP/2\.0 [2-6]\d\d ", m) and "INVITE" in m]
    assert finals, f"no final response in {path.name}"
    status = finals[-1].splitlines()[0]
    reason = next((line for line in finals[-1].splitlines() if line.lower().startswith("reason:")), "")
    return f"{status} | {reason}"


@dataclass(frozen=True)
class MaskedPair:
    """An AXB binding made through the CLI, the app serving it, and the people's (synthetic) numbers;
    beside it a second waybill bound AXE, the form printed on labels (X-EEEE), with no courier yet."""

    env: dict[str, str]  # the CLI's environment (its data folder)
    app_url: str
    route_key: str
    courier: str  # A
    recipient: str  # B
    stranger: str
    virtual_number: str  # X
    expires_at: datetime | None  # when the binding's time is over (UTC), None: until the parcel is done
    label_recipient: str  # the AXE waybill's recipient
    label_number: str  # what its label shows: X-EEEE


def bind_pair(stack: Stack, ttl_s: int | None = None) -> MaskedPair:
    """Sets up a data folder (demo staff, no orders), a key for the SIP server and the courier's phone;
    serves the app; issues two waybills over HTTP and assigns the first to the courier; puts two numbers in
    the pool; binds the second waybill AXE (a label number), then the first AXB (expiring ``ttl_s`` seconds
    from now when given)."""
    work = stack.work
    people = SyntheticPeople("sip-calls")
    order, label_order = people.order(), people.order()
    recipient, courier, stranger, label_recipient = (people.mobile() for _ in range(4))
    assert len({recipient, courier, stranger, label_recipient}) == 4
    order["recipient"]["mobile"] = recipient
    label_order["recipient"]["mobile"] = label_recipient

    env = {**os.environ, "PARCELGUARD_HOME": str(work / "var")}
    env.pop("PARCELGUARD_DATABASE_URL", None)
    platform_key = re.search(r"platform key:\s+(pgk_\S+)", cli(env, "demo", "--no-serve", "--orders", "0"))
    assert platform_key, "the demo printed no platform key"
    app_port = free_port(socket.SOCK_STREAM)
    app_url = f"http://127.0.0.1:{app_port}"
    # the app starts (a few seconds of imports) while the CLI sets up the rest
    app = stack.start("app", [str(PARCELGUARD), "serve", "--host", "127.0.0.1", "--port", str(app_port)], env)
    key_args = ("create-api-key", "--org", "carrier", "--name", "kamailio", "--scopes", "telephony:route")
    key_cli = Cli(env, "keys", *key_args)
    phone_cli = Cli(env, "vnum", "phone", "demo.courier", stdin=f"{courier}\n")
    route_key = re.search(r"pgk_\S+", key_cli.output())
    assert route_key, "no key for the SIP server"
    phone_cli.output()

    wait_for_http(f"{app_url}/healthz", app)
    issued = [post_json(f"{app_url}/v1/waybills", o, platform_key.group(1)) for o in (order, label_order)]
    tracking, label_tracking = (waybill["tracking_number"] for waybill in issued)
    # Dispatch binds on its own (AXB) when the pool has a number: the pool is filled only after it, so
    # that the binding is the one made here, with its time to live. X is the courier's station's; the
    # label number is in the default pool.
    cli(env, "dispatch", "assign", tracking, "--courier", "demo.courier")
    (work / "numbers.csv").write_text(f"{VIRTUAL_NUMBER},DEMO-NS\n{LABEL_NUMBER},default\n")
    cli(env, "vnum", "import", str(work / "numbers.csv"))
    label_cli = Cli(env, "vnum", "bind", label_tracking, "--model", "axe", "--pool", "default", "--json")
    ttl = ("--ttl-seconds", str(ttl_s)) if ttl_s is not None else ()
    bound = json.loads(cli(env, "vnum", "bind", tracking, "--model", "axb", "--json", *ttl))
    label = json.loads(label_cli.output())
    assert label["number"] == LABEL_NUMBER and label["extension"], label
    assert bound["number"] == VIRTUAL_NUMBER, bound
    expires_at = datetime.fromisoformat(bound["expires_at"]) if bound["expires_at"] else None
    return MaskedPair(
        env=env,
        app_url=app_url,
        route_key=route_key.group(0),
        courier=courier,
        recipient=recipient,
        stranger=stranger,
        virtual_number=VIRTUAL_NUMBER,
        expires_at=expires_at,
        label_recipient=label_recipient,
        label_number=f"{LABEL_NUMBER}-{label['extension']}",
    )


def start_kamailio(
    stack: Stack, kamailio: str, pair: MaskedPair, *, children: int | None = None, key: str | None = None
) -> str:
    """Kamailio with deploy/kamailio/kamailio.cfg on a free loopback port, asking ``pair``'s app with
    ``key`` (default: the pair's key for the SIP server); returns ``127.0.0.1:PORT`` once it answers SIP.
    Its log is ``kamailio.log``, or ``kamailio_<port>.log`` for a second one."""
    sip_port = free_port(socket.SOCK_DGRAM)
    (stack.work / "parcelguard-local.cfg").write_text(
        f"#!define SIP_LISTEN udp:127.0.0.1:{sip_port}\n"
        f'#!define ROUTE_URL "{pair.app_url}/v1/telephony/route"\n'
        f'#!define CDR_URL "{pair.app_url}/v1/telephony/cdr"\n'
        f'#!define TOPOH_MASK_KEY "{secrets.token_hex(16)}"\n'
    )
    argv = [kamailio, "-f", str(KAMAILIO_CFG), "-DD", "-E"]
    if children is not None:
        argv += ["-n", str(children)]
    name = "kamailio" if not (stack.work / "kamailio.log").exists() else f"kamailio_{sip_port}"
    env = {**os.environ, "PARCELGUARD_SIP_API_KEY": key or pair.route_key}
    wait_for_sip(sip_port, stack.start(name, argv, env))
    return f"127.0.0.1:{sip_port}"
