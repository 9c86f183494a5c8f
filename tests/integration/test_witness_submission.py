"""The carrier's side of the witness, on SQLite and PostgreSQL: the sequencer submits each new checkpoint to
a real witness (web/witness_app.py served by uvicorn on a free port, its own folder and key), stores the
cosignature it answers after checking it against PARCELGUARD_WITNESSES, and serves the checkpoint
cosigned; a forged or garbled answer stores nothing; an unreachable witness never fails the tick; a
restarted sequencer that does not know the witness's size learns it from the 409 and resubmits once; an
old install's key-file witness key still checks the checkpoints it signed."""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from parcelguard.adapters.crypto.cosignature import Ed25519Cosigner, verifier_from_text
from parcelguard.adapters.crypto.note_keys import Ed25519NoteSigner
from parcelguard.adapters.crypto.witness_files import WitnessFiles
from parcelguard.bootstrap import Runtime, bootstrap, witness_endpoints
from parcelguard.config import Settings
from parcelguard.domain.checkpoint import (
    Checkpoint,
    CheckpointError,
    NoteSignature,
    format_note,
    parse_note,
    verify_note,
)
from parcelguard.domain.witness import WitnessRefusal
from parcelguard.services import transparency_log as tlog
from parcelguard.services.audit_sequencer import SequencerTick, sequence_once
from parcelguard.services.transparency_check import verify_database
from parcelguard.services.witness import add_checkpoint
from parcelguard.services.witness_submission import WitnessEndpoint, submit_latest
from parcelguard.web.witness_app import create_witness_app
from tests.integration.test_transparency_log import add_events

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
NAME = "compliance.example/witness"


@dataclass
class LiveWitness:
    files: WitnessFiles
    url: str
    requests: list[str]

    @property
    def key(self) -> str:
        return self.files.cosigner.verifier_key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def witness(runtime: Runtime, tmp_path: Path) -> Iterator[LiveWitness]:
    """A witness of its own (folder, key) following the runtime's log, served over real HTTP."""
    assert runtime.ctx.log_keys is not None
    files = WitnessFiles.create(tmp_path / "witness", NAME, [runtime.ctx.log_keys.log.verifier_key])
    app = create_witness_app(cosigner=files.cosigner, book=files, clock=lambda: NOW)
    seen: list[str] = []

    async def recording(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            seen.append(scope["path"])
        await app(scope, receive, send)

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(recording, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.02)
    yield LiveWitness(files, f"http://127.0.0.1:{port}/add-checkpoint", seen)
    server.should_exit = True
    thread.join(timeout=10)


def carrier(settings: Settings, witnesses: str, quorum: int = 0) -> Runtime:
    """The carrier's ParcelGuard on the test's database and key file, with PARCELGUARD_WITNESSES set."""
    return bootstrap(
        Settings(
            environment="test",
            home=settings.home,
            database_url=settings.database_url,
            witnesses=witnesses,
            witness_quorum=quorum,
        )
    )


@pytest.fixture
def cosigned(settings: Settings, runtime: Runtime, witness: LiveWitness) -> Iterator[Runtime]:
    built = carrier(settings, f"{witness.key}@{witness.url}", quorum=1)
    yield built
    built.close()


def tick_now(ctx: object, **options: object) -> SequencerTick:
    """A sequencer tick that publishes whenever the tree grew (no 5-minute wait)."""
    return sequence_once(ctx, checkpoint_every=timedelta(0), **options)  # type: ignore[arg-type]


def latest_note(runtime: Runtime) -> str:
    with runtime.ctx.uow() as uow:
        stored = uow.transparency.latest_checkpoint()
    assert stored is not None
    return stored.note


def log_and_witness(runtime: Runtime, witness: LiveWitness) -> list:  # type: ignore[type-arg]
    assert runtime.ctx.log_keys is not None
    return [verifier_from_text(runtime.ctx.log_keys.log.verifier_key), verifier_from_text(witness.key)]


def test_the_sequencer_has_each_new_checkpoint_cosigned_by_the_witness(
    cosigned: Runtime, witness: LiveWitness
) -> None:
    endpoints = witness_endpoints(cosigned.settings, cosigned.ctx.log_keys)
    assert len(endpoints) == 1
    held: dict[str, int] = {}
    verifiers = log_and_witness(cosigned, witness)
    for round_ in range(3):
        add_events(cosigned, 25, start=25 * round_)
        tick = tick_now(cosigned.ctx, witnesses=endpoints, held=held)
        assert tick.published and tick.cosigned == 1 and tick.witness_failures == 0
        note = latest_note(cosigned)
        checkpoint, names = verify_note(note, verifiers, required=[verifiers[0].name], threshold=2)
        assert checkpoint.size == 25 * (round_ + 1) and names[1] == NAME
        assert held == {NAME: checkpoint.size}
        assert witness.files.heads()[checkpoint.origin].size == checkpoint.size
    # what the API serves is the cosigned note, and every stored line still checks out
    assert tlog.current_checkpoint(cosigned.ctx).text == note
    assert verify_database(cosigned.ctx).ok
    # an idle tick submits nothing; a resubmission of the same checkpoint adds no second line
    assert tick_now(cosigned.ctx, witnesses=endpoints, held=held).cosigned == 0
    requests = len(witness.requests)
    submit_latest(cosigned.ctx, endpoints, held=held)
    assert len(witness.requests) == requests + 1
    assert latest_note(cosigned).count(f"\u2014 {NAME} ") == 1


def test_a_restarted_sequencer_learns_the_witness_size_from_the_409_and_resubmits_once(
    cosigned: Runtime, witness: LiveWitness
) -> None:
    endpoints = witness_endpoints(cosigned.settings, cosigned.ctx.log_keys)
    add_events(cosigned, 30)
    assert tick_now(cosigned.ctx, witnesses=endpoints, held={}).cosigned == 1
    add_events(cosigned, 12, start=30)
    before = len(witness.requests)
    held: dict[str, int] = {}  # a new process: it believes the witness holds nothing
    tick = tick_now(cosigned.ctx, witnesses=endpoints, held=held)
    assert tick.cosigned == 1 and held == {NAME: 42}
    assert len(witness.requests) == before + 2  # old 0 -> 409 "30"; old 30 with the proof -> 200
    # the first tick of a sequencer catches up a checkpoint that lacks the witness (published meanwhile
    # by `audit checkpoint`, which does not submit)
    add_events(cosigned, 3, start=42)
    tlog.publish_checkpoint(cosigned.ctx)
    assert f"\u2014 {NAME} " not in latest_note(cosigned)
    tick = tick_now(cosigned.ctx, witnesses=endpoints, held=held, catch_up=True)
    assert not tick.published and tick.cosigned == 1
    assert f"\u2014 {NAME} " in latest_note(cosigned)


class Tampering:
    """The real witness (its service, in process) whose answer is altered on the way back."""

    def __init__(self, inner: WitnessFiles, verifier_key: str, alter: str) -> None:
        self._inner = inner
        self.verifier = verifier_from_text(verifier_key)
        self._alter = alter

    def add_checkpoint(self, request_text: str) -> str:
        line = add_checkpoint(request_text, cosigner=self._inner.cosigner, book=self._inner, now=NOW)
        name, blob = line[2:-1].split(" ")
        raw = bytearray(base64.b64decode(blob))
        if self._alter == "signature":
            raw[-1] ^= 1
        elif self._alter == "timestamp":
            raw[11] ^= 1
        elif self._alter == "garbage":
            return "not a cosignature\n"
        return f"\u2014 {name} {base64.b64encode(bytes(raw)).decode()}\n"


@pytest.mark.parametrize("alter", ["signature", "timestamp", "garbage"])
def test_a_forged_or_garbled_cosignature_is_refused_and_nothing_stored(
    cosigned: Runtime, witness: LiveWitness, alter: str, caplog: pytest.LogCaptureFixture
) -> None:
    forger: WitnessEndpoint = Tampering(witness.files, witness.key, alter)
    add_events(cosigned, 10)
    with caplog.at_level(logging.WARNING, logger="parcelguard.witness_submission"):
        tick = tick_now(cosigned.ctx, witnesses=[forger], held={})
    assert tick.published and tick.cosigned == 0 and tick.witness_failures == 1
    note = latest_note(cosigned)
    assert len(parse_note(note)[1]) == 1  # the log's line alone
    (record,) = caplog.records
    assert "forged or garbled" in record.getMessage() and "not a cosignature" not in record.getMessage()
    assert verify_database(cosigned.ctx).ok


def test_a_cosignature_by_another_key_under_the_witness_name_is_refused(
    cosigned: Runtime, witness: LiveWitness, tmp_path: Path
) -> None:
    """An impostor witness with its own key and the configured witness's name: not the configured key."""
    assert cosigned.ctx.log_keys is not None
    impostor = WitnessFiles.create(tmp_path / "impostor", NAME, [cosigned.ctx.log_keys.log.verifier_key])
    endpoint: WitnessEndpoint = Tampering(impostor, witness.key, "none")  # answers unaltered
    add_events(cosigned, 4)
    tick = tick_now(cosigned.ctx, witnesses=[endpoint], held={})
    assert tick.witness_failures == 1 and len(parse_note(latest_note(cosigned))[1]) == 1


def test_an_unreachable_witness_never_fails_the_tick_and_is_asked_at_the_next_checkpoint(
    settings: Settings, runtime: Runtime, witness: LiveWitness, caplog: pytest.LogCaptureFixture
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/add-checkpoint"
    other = Ed25519Cosigner("other.example/w", os.urandom(32)).verifier_key
    built = carrier(settings, f"{witness.key}@{witness.url},{other}@{dead}")
    try:
        endpoints = witness_endpoints(built.settings, built.ctx.log_keys)
        add_events(built, 5)
        with caplog.at_level(logging.WARNING, logger="parcelguard.witness_submission"):
            tick = tick_now(built.ctx, witnesses=endpoints, held={})
        assert tick.published and tick.cosigned == 1 and tick.witness_failures == 1
        assert any(
            "other.example/w" in r.getMessage() and "unreachable" in r.getMessage() for r in caplog.records
        )
        assert all(dead not in r.getMessage() for r in caplog.records)  # the URL may carry a token
    finally:
        built.close()


def test_add_signatures_never_loses_or_doubles_a_line_when_appenders_race(
    cosigned: Runtime, tmp_path: Path
) -> None:
    add_events(cosigned, 6)
    cp = tlog.publish_checkpoint(cosigned.ctx)
    body, _ = parse_note(cp.text)
    cosigners = [Ed25519Cosigner(f"w{i}.example/w", os.urandom(32)) for i in range(6)]
    with cosigned.ctx.uow() as uow:
        checkpoint_id = uow.transparency.latest_checkpoint().id  # type: ignore[union-attr]

    def append(i: int) -> None:
        line = cosigners[i].cosign(body, 1_800_000_000 + i)
        for _ in range(2):  # each twice: the second adds nothing
            with cosigned.ctx.uow() as uow:
                uow.transparency.add_signatures(checkpoint_id, [line])
                uow.commit()

    threads = [threading.Thread(target=append, args=(i,)) for i in range(len(cosigners))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    note = latest_note(cosigned)
    _, lines = parse_note(note)
    assert sorted(s.name for s in lines[1:]) == sorted(c.name for c in cosigners)
    verify_note(note, [c.verifier for c in cosigners], threshold=len(cosigners))
    with cosigned.ctx.uow() as uow:
        assert uow.transparency.add_signatures(10**9, lines[1:]) is None


def test_an_old_key_file_with_its_witness_key_still_verifies_the_checkpoints_it_signed(
    settings: Settings, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """An install from before the witness was a party of its own: its key file holds witness_key and its
    checkpoints carry that key's line. Nothing is dropped; new checkpoints carry the log's line only."""
    path = settings.resolved_key_file
    doc = json.loads(path.read_text())
    seed = os.urandom(32)
    doc["witness_key"] = base64.b64encode(seed).decode()
    path.write_text(json.dumps(doc))
    os.chmod(path, 0o600)
    import parcelguard.bootstrap as boot

    boot._retired_said = False
    with caplog.at_level(logging.INFO, logger="parcelguard.bootstrap"):
        old = carrier(settings, "")
        again = carrier(settings, "")
        again.close()
    try:
        said = [r for r in caplog.records if r.name == "parcelguard.bootstrap"]
        assert len(said) == 1 and "audit witness init" in said[0].getMessage()
        assert doc["witness_key"] not in said[0].getMessage()
        keys = old.ctx.log_keys
        assert keys is not None and len(keys.retired) == 1 and not keys.witness_keys
        # a checkpoint as the old code signed it: the log's line and the key-file witness's
        add_events(old, 20)
        tlog.integrate_pending(old.ctx)
        root = tlog.tree_root(old.ctx, 20)
        body = Checkpoint(keys.origin, 20, root).body()
        held_witness = Ed25519NoteSigner(f"{keys.origin}/witness", seed)
        with old.ctx.uow() as uow:
            uow.transparency.add_checkpoint(
                20, root, format_note(body, [keys.log.sign(body), held_witness.sign(body)]), NOW
            )
            uow.commit()
        assert verify_database(old.ctx).ok
        tlog.verify_signed(old.ctx, latest_note(old))
        # its line is checked, not ignored: a tampered one fails
        log_line, witness_line = parse_note(latest_note(old))[1]
        flipped = witness_line.signature[:-1] + bytes([witness_line.signature[-1] ^ 1])
        forged = format_note(
            body, [log_line, NoteSignature(witness_line.name, witness_line.key_hash, flipped)]
        )
        with pytest.raises(CheckpointError, match="does not verify"):
            tlog.verify_signed(old.ctx, forged)
        # new checkpoints: the log's line alone; the key file still holds the retired key
        add_events(old, 5, start=20)
        fresh = tlog.publish_checkpoint(old.ctx)
        assert len(parse_note(fresh.text)[1]) == 1
        assert json.loads(path.read_text())["witness_key"] == doc["witness_key"]
        env = {"PARCELGUARD_HOME": str(settings.home), "PARCELGUARD_DATABASE_URL": settings.database_url}
        from parcelguard.cli.main import app

        shown = CliRunner().invoke(app, ["audit", "keys"], env=env)
        assert shown.exit_code == 0 and shown.stdout.strip() == keys.log.verifier_key
        assert "retired" in shown.stderr and held_witness.verifier_key in shown.stderr
    finally:
        old.close()


def test_audit_verify_counts_the_witness_cosignatures_against_the_quorum(
    cosigned: Runtime, witness: LiveWitness, tmp_path: Path
) -> None:
    from parcelguard.cli.main import app

    endpoints = witness_endpoints(cosigned.settings, cosigned.ctx.log_keys)
    add_events(cosigned, 8)
    assert tick_now(cosigned.ctx, witnesses=endpoints, held={}).cosigned == 1
    kept = tmp_path / "kept.txt"
    kept.write_text(latest_note(cosigned))
    unwitnessed = tmp_path / "unwitnessed.txt"
    add_events(cosigned, 4, start=8)
    unwitnessed.write_text(tlog.publish_checkpoint(cosigned.ctx).text)
    env = {
        "PARCELGUARD_HOME": str(cosigned.settings.home),
        "PARCELGUARD_DATABASE_URL": cosigned.settings.database_url,
        "PARCELGUARD_WITNESSES": f"{witness.key}@{witness.url}",
        "PARCELGUARD_WITNESS_QUORUM": "1",
    }
    cli = CliRunner()
    ok = cli.invoke(app, ["audit", "verify", "--checkpoint", str(kept)], env=env)
    assert ok.exit_code == 0 and f"cosigned by {NAME}" in ok.stdout, ok.output
    short = cli.invoke(app, ["audit", "verify", "--checkpoint", str(unwitnessed)], env=env)
    assert short.exit_code == 10 and "0 valid witness cosignature(s), 1 required" in short.output
    lenient = cli.invoke(
        app, ["audit", "verify", "--checkpoint", str(unwitnessed), "--min-signatures", "0"], env=env
    )
    assert lenient.exit_code == 0, lenient.output
    # a forged witness line fails even when no cosignature is required
    body, lines = parse_note(kept.read_text())
    bad = bytearray(lines[1].signature)
    bad[-1] ^= 1
    forged = tmp_path / "forged.txt"
    forged.write_text(
        format_note(body, [lines[0], NoteSignature(lines[1].name, lines[1].key_hash, bytes(bad))])
    )
    refused = cli.invoke(
        app, ["audit", "verify", "--checkpoint", str(forged), "--min-signatures", "0"], env=env
    )
    assert refused.exit_code == 10 and "does not verify" in refused.output


def test_the_witness_refusal_statuses_reach_the_carrier(cosigned: Runtime, witness: LiveWitness) -> None:
    """An HTTP witness's 404 (a log it does not follow) is a WitnessRefusal with that status."""
    (endpoint,) = witness_endpoints(cosigned.settings, cosigned.ctx.log_keys)
    add_events(cosigned, 2)
    note = tlog.publish_checkpoint(cosigned.ctx).text
    with pytest.raises(WitnessRefusal) as refused:
        endpoint.add_checkpoint("old 0\n\n" + note.replace(cosigned.ctx.log_keys.origin, "other/log"))  # type: ignore[union-attr]
    assert refused.value.status == 404
    with pytest.raises(WitnessRefusal) as stale:
        endpoint.add_checkpoint("old 0\n\n" + note)
        endpoint.add_checkpoint("old 0\n\n" + note)
    assert stale.value.status == 409 and stale.value.latest_size == 2


def test_serve_and_audit_integrate_submit_to_the_configured_witnesses(
    cosigned: Runtime, witness: LiveWitness
) -> None:
    from parcelguard.cli.main import app
    from parcelguard.cli.serve import _sequencer

    sequencer = _sequencer(cosigned, 1.0)
    assert sequencer is not None and [w.verifier.name for w in sequencer._witnesses] == [NAME]
    add_events(cosigned, 7)
    env = {
        "PARCELGUARD_HOME": str(cosigned.settings.home),
        "PARCELGUARD_DATABASE_URL": cosigned.settings.database_url,
        "PARCELGUARD_WITNESSES": f"{witness.key}@{witness.url}",
    }
    done = CliRunner().invoke(app, ["audit", "integrate"], env=env)
    assert done.exit_code == 0 and "cosigned by 1, 0 failed" in done.stdout, done.output
    assert f"\u2014 {NAME} " in latest_note(cosigned)
    again = CliRunner().invoke(app, ["audit", "integrate"], env=env)  # already cosigned: not asked again
    assert again.exit_code == 0 and "cosigned by 0, 0 failed" in again.stdout
