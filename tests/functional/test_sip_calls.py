"""Real telephony (issue 12): calls through a virtual number, by SIP, through Debian's Kamailio.

Everything runs on 127.0.0.1 with free ports: the app (``parcelguard serve``, uvicorn, a SQLite data folder
in the test's temporary folder), Kamailio with deploy/kamailio/kamailio.cfg pointed at the app's routing
endpoint, and SIPp (Debian's sip-tester) with the scenarios of deploy/kamailio/sipp/. The bindings are made
with the CLI as docs/telephony.md tells an operator: AXB between the courier A and the recipient B through X,
with a short time to live, and AXE for a second waybill (the label's X-EEEE).

- A dials X and reaches the SIPp callee registered as B, and A's SMS (a SIP MESSAGE) to X reaches B too;
  the callee sees X as the sender, and A's number is nowhere in what it receives (From, Contact,
  P-Asserted-Identity). When the call ends Kamailio sends its record, which the audit log holds.
- Anyone dialling a label's number X-EEEE (AXE, before a courier is assigned) reaches its recipient.
- A stranger dialling X is refused (480, caller_not_party); anyone dialling a number bound to no one gets
  404 no_binding; a call from an address outside TRUSTED_NETS gets 403; with a key the app refuses,
  Kamailio connects nothing (503).
- Once the binding's time is over, A dialling X is refused (480, expired).

The test needs ``kamailio`` (with kamailio-utils-modules and kamailio-json-modules) and ``sipp``:
scripts/kamailio-up installs them (scripts/test runs it). Without them it is skipped on a developer's
machine and fails under CI. On failure the logs (Kamailio, the app, every SIPp message log) are copied to
test-artifacts/sip_calls/.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.sip_support import (
    ROOT,
    SIPP_TIMEOUT_S,
    Cli,
    Stack,
    bind_pair,
    final_response,
    free_port,
    messages,
    start_kamailio,
    tool,
)

pytestmark = pytest.mark.slow

ARTIFACTS = ROOT / "test-artifacts" / "sip_calls"
UNBOUND_NUMBER = "17012345679"
TTL_S = 10  # the binding's time to live: long enough for the connected call, short for the test


@pytest.fixture
def tools() -> tuple[str, str]:
    """(kamailio, sipp); skipped on a developer's machine without them, a failure under CI."""
    kamailio, sipp = tool("kamailio"), tool("sipp")
    if kamailio is None or sipp is None:
        reason = (
            "Kamailio and SIPp are needed: run scripts/kamailio-up as root (Debian packages kamailio, "
            "kamailio-utils-modules, kamailio-json-modules, sip-tester)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return kamailio, sipp


@pytest.fixture
def stack(tmp_path: Path, tools: tuple[str, str]) -> Iterator[Stack]:
    running = Stack(tmp_path, tools[1])
    yield running
    running.stop()


def test_a_call_through_x_connects_while_bound_and_is_refused_to_strangers_and_after_expiry(
    stack: Stack, tools: tuple[str, str]
) -> None:
    try:
        _calls_through_x(stack, tools[0])
    except BaseException:
        stack.stop()
        stack.keep_logs(ARTIFACTS)
        raise


def _calls_through_x(stack: Stack, kamailio: str) -> None:
    work = stack.work
    pair = bind_pair(stack, ttl_s=TTL_S)
    courier, recipient, x = pair.courier, pair.recipient, pair.virtual_number
    proxy = start_kamailio(stack, kamailio, pair)

    # B registers (its contact is the port where its answering SIPp listens); A calls X, then texts X.
    callee_port = str(free_port(socket.SOCK_DGRAM))
    callee_argv = stack.sipp_argv("uas.xml", "callee", recipient, calls=2, local_port=callee_port)
    callee = stack.start("callee", callee_argv)
    assert stack.run_sipp("register.xml", "register", proxy, recipient, contact_port=callee_port) == 0
    assert stack.run_sipp("uac_call.xml", "call_a_to_x", proxy, x, caller=courier) == 0, (
        "A's call through X did not connect"
    )
    assert stack.run_sipp("uac_message.xml", "sms_a_to_x", proxy, x, caller=courier) == 0, (
        "A's SMS through X did not arrive"
    )
    assert callee.wait(timeout=SIPP_TIMEOUT_S + 5) == 0, "the callee did not take one whole call and one SMS"
    received = messages(work / "callee.messages")
    for method in ("INVITE", "MESSAGE"):
        request = next(m for m in received if m.startswith(f"{method} "))
        from_header = next(line for line in request.splitlines() if line.lower().startswith("from:"))
        assert f"sip:{x}@" in from_header, f"the callee's {method} is not from X"
    assert courier not in (work / "callee.messages").read_text(), "the callee saw the caller's real number"

    # The label's number X-EEEE (AXE, no courier yet): anyone holding the label reaches its recipient.
    label_b, label_port = pair.label_recipient, str(free_port(socket.SOCK_DGRAM))
    label_callee = stack.start(
        "label_callee", stack.sipp_argv("uas.xml", "label_callee", label_b, local_port=label_port)
    )
    assert stack.run_sipp("register.xml", "label_register", proxy, label_b, contact_port=label_port) == 0
    dialled = pair.label_number
    assert stack.run_sipp("uac_call.xml", "call_label", proxy, dialled, caller=pair.stranger) == 0, (
        "a call to the label's X-EEEE did not connect"
    )
    assert label_callee.wait(timeout=SIPP_TIMEOUT_S + 5) == 0, "the label's recipient did not answer"
    invite = next(m for m in messages(work / "label_callee.messages") if m.startswith("INVITE "))
    from_header = next(line for line in invite.splitlines() if line.lower().startswith("from:"))
    assert f"sip:{dialled.split('-')[0]}@" in from_header
    assert pair.stranger not in invite
    # both calls are over: their records are in (read while the calls below go on)
    audit = Cli(pair.env, "audit", "events", "--json")

    assert stack.run_sipp("uac_rejected.xml", "call_stranger", proxy, x, caller=pair.stranger) == 0
    assert final_response(work / "call_stranger.messages") == (
        "SIP/2.0 480 Temporarily Unavailable (caller_not_party)"
        ' | Reason: SIP;cause=480;text="caller_not_party"'
    )
    assert stack.run_sipp("uac_rejected.xml", "call_unbound", proxy, UNBOUND_NUMBER, caller=courier) == 0
    assert final_response(work / "call_unbound.messages") == (
        'SIP/2.0 404 Not Found (no_binding) | Reason: SIP;cause=404;text="no_binding"'
    )

    # Only trusted peers (TRUSTED_NETS, here 127.0.0.1/32) start calls: From is taken as the caller.
    untrusted = stack.run_sipp(
        "uac_rejected.xml", "call_untrusted", proxy, x, caller=courier, local_ip="127.0.0.2"
    )
    assert untrusted == 0
    assert final_response(work / "call_untrusted.messages") == "SIP/2.0 403 Forbidden | "

    # Without a decision no call connects: a SIP server whose key the app refuses answers 503.
    refused_proxy = start_kamailio(stack, kamailio, pair, key="pgk_0_not-a-key")
    assert stack.run_sipp("uac_rejected.xml", "call_bad_key", refused_proxy, x, caller=courier) == 0
    assert final_response(work / "call_bad_key.messages") == "SIP/2.0 503 Routing Unavailable | "

    # Kamailio sent the connected call's record when it ended: in the audit log, without any number
    events = [json.loads(line) for line in audit.output().splitlines() if line]
    ended = [event for event in events if event.get("action") == "telephony:call:ended"]
    assert len(ended) == 2, [event.get("action") for event in events]
    assert {event["details"]["outcome"] for event in ended} == {"answered"}, ended
    for number in (courier, recipient, pair.stranger, pair.label_recipient):
        assert number not in json.dumps(ended)

    # the binding's time is over meanwhile, or soon
    assert pair.expires_at is not None
    time.sleep(max(0.0, (pair.expires_at - datetime.now(UTC)).total_seconds() + 0.5))
    assert stack.run_sipp("uac_rejected.xml", "call_expired", proxy, x, caller=courier) == 0
    assert final_response(work / "call_expired.messages") == (
        'SIP/2.0 480 Temporarily Unavailable (expired) | Reason: SIP;cause=480;text="expired"'
    )
    for log in work.glob("kamailio*.log"):
        for number in (courier, recipient, pair.stranger, pair.label_recipient):
            assert number not in log.read_text(errors="replace"), "Kamailio logged a real number"
