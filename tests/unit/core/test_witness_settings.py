"""PARCELGUARD_WITNESSES and PARCELGUARD_WITNESS_QUORUM: the witness list parses back to what was written
(hypothesis), malformed entries are refused at start-up as invalid_configuration naming the entry by
position and never quoting it (a URL may carry a token), and a quorum above the witnesses named is
refused; the HTTP client of a witness reads tlog-witness's answers and follows no redirect."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.adapters.crypto.cosignature import Ed25519Cosigner
from parcelguard.adapters.witness_client import HttpWitness
from parcelguard.config import Settings
from parcelguard.domain.witness import WitnessRefusal, parse_witness_list
from parcelguard.errors import ConfigurationError, ErrorCode
from parcelguard.services.witness_submission import WitnessUnreachable

names = st.from_regex(r"[a-z0-9.]{1,12}/[a-z@]{1,6}", fullmatch=True)
urls = st.none() | st.from_regex(r"https?://[a-z0-9.]{1,20}(:[0-9]{2,5})?/[a-z0-9/_.-]{0,30}", fullmatch=True)


@given(
    st.lists(
        st.tuples(names, st.binary(min_size=32, max_size=32), urls), max_size=5, unique_by=lambda w: w[0]
    )
)
def test_a_witness_list_parses_back_to_what_was_written(
    witnesses: list[tuple[str, bytes, str | None]],
) -> None:
    keys = [Ed25519Cosigner(name, seed).verifier for name, seed, _ in witnesses]
    text = " , ".join(
        k.text + (f"@{url}" if url else "") for k, (_, _, url) in zip(keys, witnesses, strict=True)
    )
    parsed = parse_witness_list(text)
    assert [(w.name, w.public_key, w.verifier_key, w.add_checkpoint_url) for w in parsed] == [
        (k.name, k.public_key, k.text, url) for k, (_, _, url) in zip(keys, witnesses, strict=True)
    ]


KEY = Ed25519Cosigner("w.example/w", bytes(range(32))).verifier_key
LOG_KEY_KIND = KEY.replace("+BA", "+AQ")  # a 0x01 note key is not a cosigner key


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("w.example/w+00000000+secret-token", "witness 1 is not a cosigner verifier key"),
        (f"{KEY}@https://user:s3cret-token@w.example/add-checkpoint", "witness 1: the add-checkpoint URL"),
        (f"{KEY}@https://w.example/add?token=s3cret-token", "witness 1: the add-checkpoint URL"),
        (f"{KEY}@ftp://w.example/s3cret-token", "witness 1: the add-checkpoint URL"),
        (f"{KEY}, {KEY}@https://w.example/s3cret-token", "witness 2 repeats the name"),
        (f"{KEY},{LOG_KEY_KIND}", "witness 2 is not a cosigner verifier key"),
    ],
)
def test_a_bad_witness_list_is_refused_without_quoting_it(value: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings(witnesses=value)
    assert refused.value.code is ErrorCode.INVALID_CONFIGURATION
    assert refused.value.field == "PARCELGUARD_WITNESSES"
    assert message in str(refused.value) and "PARCELGUARD_WITNESSES" in str(refused.value)
    assert "s3cret" not in str(refused.value) and "secret-token" not in str(refused.value)


def test_the_quorum_cannot_exceed_the_witnesses_named() -> None:
    assert Settings(witnesses=KEY, witness_quorum=1).witness_quorum == 1
    with pytest.raises(ConfigurationError) as refused:
        Settings(witnesses=KEY, witness_quorum=2)
    assert "PARCELGUARD_WITNESS_QUORUM" in str(refused.value)
    assert refused.value.code is ErrorCode.INVALID_CONFIGURATION
    with pytest.raises(ValueError):
        Settings(witness_quorum=-1)


def test_the_sequencer_interval_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARCELGUARD_SEQUENCER_EVERY_S", "2.5")
    assert Settings().sequencer_every_s == 2.5


@pytest.fixture
def answering() -> Iterator[tuple[str, list[tuple[int, dict[str, str], bytes]]]]:
    """A bare HTTP server answering POSTs with the queued (status, headers, body)."""
    queue: list[tuple[int, dict[str, str], bytes]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            status, headers, body = queue.pop(0)
            self.send_response(status)
            for name, value in {"Content-Length": str(len(body)), **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/add-checkpoint", queue
    server.shutdown()
    server.server_close()


def test_the_witness_client_reads_tlog_witness_answers(
    answering: tuple[str, list[tuple[int, dict[str, str], bytes]]],
) -> None:
    url, queue = answering
    witness = HttpWitness(url, Ed25519Cosigner("w.example/w", bytes(32)).verifier)
    queue.append((200, {"Content-Type": "text/plain"}, "\u2014 w.example/w AAAA\n".encode()))
    assert witness.add_checkpoint("old 0\n\nx") == "\u2014 w.example/w AAAA\n"
    queue.append((409, {"Content-Type": "text/x.tlog.size"}, b"42\n"))
    with pytest.raises(WitnessRefusal) as conflict:
        witness.add_checkpoint("old 0\n\nx")
    assert conflict.value.status == 409 and conflict.value.latest_size == 42
    queue.append((409, {"Content-Type": "text/plain"}, b"42\n"))  # not the size's type: no size
    with pytest.raises(WitnessRefusal) as untyped:
        witness.add_checkpoint("old 0\n\nx")
    assert untyped.value.latest_size is None
    queue.append((422, {}, b"the consistency proof does not verify\n"))
    with pytest.raises(WitnessRefusal) as bad_proof:
        witness.add_checkpoint("old 0\n\nx")
    assert bad_proof.value.status == 422 and "does not verify" not in str(bad_proof.value)
    queue.append((307, {"Location": "http://elsewhere.example/add-checkpoint"}, b""))
    with pytest.raises(WitnessUnreachable):
        witness.add_checkpoint("old 0\n\nx")
    queue.append((503, {}, b"busy"))
    with pytest.raises(WitnessUnreachable):
        witness.add_checkpoint("old 0\n\nx")
    queue.append((200, {}, b"\xff\xfe"))
    with pytest.raises(WitnessUnreachable):
        witness.add_checkpoint("old 0\n\nx")
    assert "127.0.0.1" not in repr(witness)
