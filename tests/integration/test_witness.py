"""The witness as a party of its own, against the real audit log on SQLite and PostgreSQL: its own 0600
folder (never the carrier's key file), cosigning the log's checkpoints as they grow, auditors verifying
log + witness, refusals of a forked log, heads that never go back under concurrent cosigning, and the
``parcelguard audit witness`` commands."""

from __future__ import annotations

import os
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parcelguard.adapters.crypto.cosignature import verifier_from_text
from parcelguard.adapters.crypto.witness_files import HEADS_FILE, KEY_FILE, WitnessFiles
from parcelguard.bootstrap import Runtime
from parcelguard.domain.checkpoint import CheckpointError, verify_note
from parcelguard.domain.witness import AddCheckpoint, WitnessRefusal
from parcelguard.errors import ErrorCode, KeyStoreError
from parcelguard.services import transparency_log as tlog
from parcelguard.services.witness import add_checkpoint
from tests.integration.test_transparency_log import add_events

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def log_key(runtime: Runtime) -> str:
    assert runtime.ctx.log_keys is not None
    return runtime.ctx.log_keys.log.verifier_key


def request_for(runtime: Runtime, witness: WitnessFiles) -> AddCheckpoint:
    """What the log (or the witness fetching from it) submits: the latest checkpoint and a proof from
    the head the witness holds."""
    note = tlog.current_checkpoint(runtime.ctx, max_age=tlog.timedelta(0)).text
    size = tlog.checkpoints(runtime.ctx)[-1].size
    held = witness.heads().get(runtime.ctx.log_keys.origin if runtime.ctx.log_keys else "")
    old = held.size if held is not None else 0
    proof = tlog.consistency_proof(runtime.ctx, old, size).proof if 0 < old < size else []
    return AddCheckpoint(old, tuple(proof), note)


def test_the_witness_cosigns_the_growing_log_and_auditors_verify_both(
    runtime: Runtime, tmp_path: Path
) -> None:
    witness = WitnessFiles.create(tmp_path / "witness", "compliance.example/witness", [log_key(runtime)])
    verifiers = [verifier_from_text(log_key(runtime)), verifier_from_text(witness.cosigner.verifier_key)]
    for round_ in range(3):
        add_events(runtime, 40, start=40 * round_)
        request = request_for(runtime, witness)
        line = add_checkpoint(request.text(), cosigner=witness.cosigner, book=witness, now=NOW)
        checkpoint, names = verify_note(
            request.note + line, verifiers, required=[verifiers[0].name], threshold=2
        )
        assert checkpoint.size == 40 * (round_ + 1)
        assert names[1] == "compliance.example/witness"
    assert WitnessFiles.open(tmp_path / "witness").heads()[checkpoint.origin].size == 120
    # the log's own checkpoint alone does not meet a policy that requires the witness
    with pytest.raises(CheckpointError):
        verify_note(request.note, verifiers, required=[verifiers[0].name], threshold=2)


def test_the_witness_folder_is_its_own_and_private(runtime: Runtime, tmp_path: Path) -> None:
    carrier_keys = runtime.settings.resolved_key_file.read_bytes()
    folder = tmp_path / "witness"
    witness = WitnessFiles.create(folder, "compliance.example/witness", [log_key(runtime)])
    assert stat.S_IMODE(os.stat(folder / KEY_FILE).st_mode) == 0o600
    assert runtime.settings.resolved_key_file.read_bytes() == carrier_keys  # nothing of it read or written
    seed_b64 = (folder / KEY_FILE).read_text()
    assert witness.cosigner.verifier_key.split("+")[2] not in carrier_keys.decode()
    with pytest.raises(KeyStoreError) as refused:
        WitnessFiles.create(folder, "compliance.example/witness", [log_key(runtime)])
    assert refused.value.code is ErrorCode.KEY_FILE_INSECURE
    assert (folder / KEY_FILE).read_text() == seed_b64  # not replaced
    os.chmod(folder / KEY_FILE, 0o640)
    with pytest.raises(KeyStoreError) as insecure:
        WitnessFiles.open(folder)
    assert insecure.value.code is ErrorCode.KEY_FILE_INSECURE


def test_a_forked_log_is_refused_and_the_head_stays(runtime: Runtime, tmp_path: Path) -> None:
    witness = WitnessFiles.create(tmp_path / "witness", "w.example/w", [log_key(runtime)])
    add_events(runtime, 10)
    add_checkpoint(request_for(runtime, witness).text(), cosigner=witness.cosigner, book=witness, now=NOW)
    add_events(runtime, 10, start=10)
    honest = request_for(runtime, witness)
    forged = AddCheckpoint(honest.old_size, tuple(bytes(32) for _ in honest.proof), honest.note)
    with pytest.raises(WitnessRefusal) as refused:
        add_checkpoint(forged.text(), cosigner=witness.cosigner, book=witness, now=NOW)
    assert refused.value.status == 422
    assert witness.heads()[next(iter(witness.heads()))].size == 10  # nothing recorded
    add_checkpoint(honest.text(), cosigner=witness.cosigner, book=witness, now=NOW)
    assert next(iter(witness.heads().values())).size == 20


def test_two_cosignings_at_once_never_roll_the_head_back(runtime: Runtime, tmp_path: Path) -> None:
    witness = WitnessFiles.create(tmp_path / "witness", "w.example/w", [log_key(runtime)])
    add_events(runtime, 5)
    add_checkpoint(request_for(runtime, witness).text(), cosigner=witness.cosigner, book=witness, now=NOW)
    add_events(runtime, 5, start=5)
    smaller = request_for(runtime, witness)
    add_events(runtime, 10, start=10)
    larger = request_for(runtime, witness)
    outcomes: list[int] = []
    barrier = threading.Barrier(2)

    def submit(request: AddCheckpoint) -> None:
        other = WitnessFiles.open(tmp_path / "witness")  # as another process would
        barrier.wait()
        try:
            add_checkpoint(request.text(), cosigner=other.cosigner, book=other, now=NOW)
            outcomes.append(200)
        except WitnessRefusal as refusal:
            outcomes.append(refusal.status)

    threads = [threading.Thread(target=submit, args=(r,)) for r in (smaller, larger)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == [200, 409]  # both were made from head 5: only the first one counts
    size = next(iter(witness.heads().values())).size
    assert size in (10, 20)


def test_the_witness_commands(runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from parcelguard.cli import witness as witness_cli
    from parcelguard.cli.main import app

    home = tmp_path / "witness"
    cli = CliRunner()
    made = cli.invoke(
        app,
        [
            "audit",
            "witness",
            "init",
            "--home",
            str(home),
            "--name",
            "w.example/w",
            "--log-key",
            log_key(runtime),
        ],
    )
    assert made.exit_code == 0, made.output
    cosigner_key = made.stdout.strip()
    assert cosigner_key.startswith("w.example/w+")
    again = cli.invoke(
        app,
        [
            "audit",
            "witness",
            "init",
            "--home",
            str(home),
            "--name",
            "w.example/w",
            "--log-key",
            log_key(runtime),
        ],
    )
    assert again.exit_code != 0 and "key_file_insecure" in again.output
    add_events(runtime, 8)
    witness = WitnessFiles.open(home)
    body = tmp_path / "request.txt"
    body.write_text(request_for(runtime, witness).text())
    answered = cli.invoke(app, ["audit", "witness", "add-checkpoint", "--home", str(home), str(body)])
    assert answered.exit_code == 0, answered.output
    assert answered.stdout.startswith("\u2014 w.example/w ")
    stale = cli.invoke(
        app,
        ["audit", "witness", "add-checkpoint", "--home", str(home)],
        input=AddCheckpoint(0, (), tlog.checkpoints(runtime.ctx)[-1].text).text(),
    )
    assert stale.exit_code == 11 and "conflict" in stale.output and "size 8" in stale.output

    def fetch(base: str, path: str, api_key: str | None) -> str:  # the log's HTTP interface, in process
        if path == "/v1/audit/checkpoint":
            return tlog.current_checkpoint(runtime.ctx, max_age=tlog.timedelta(0)).text
        first, second = (int(part.split("=")[1]) for part in path.split("?")[1].split("&"))
        return __import__("json").dumps(tlog.consistency_proof(runtime.ctx, first, second).to_json())

    monkeypatch.setattr(witness_cli, "fetch", fetch)
    add_events(runtime, 8, start=8)
    cosigned = cli.invoke(
        app, ["audit", "witness", "cosign", "--home", str(home), "--url", "https://log.example"]
    )
    assert cosigned.exit_code == 0, cosigned.output
    verifiers = [verifier_from_text(log_key(runtime)), verifier_from_text(cosigner_key)]
    checkpoint, _ = verify_note(cosigned.stdout, verifiers, threshold=2)
    assert checkpoint.size == 16
    kept = tmp_path / "kept.txt"
    kept.write_text(cosigned.stdout)
    verified = cli.invoke(
        app,
        [
            "audit",
            "verify",
            "--checkpoint",
            str(kept),
            "--key",
            log_key(runtime),
            "--key",
            cosigner_key,
            "--min-signatures",
            "1",
        ],
        env={
            "PARCELGUARD_HOME": str(runtime.settings.home),
            "PARCELGUARD_DATABASE_URL": runtime.settings.database_url or "",
        },
    )
    assert verified.exit_code == 0, verified.output
    assert (home / HEADS_FILE).exists()


def test_the_witness_answers_tlog_witness_over_http(runtime: Runtime, tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from parcelguard.web.witness_app import MAX_REQUEST_BYTES, create_witness_app

    witness = WitnessFiles.create(tmp_path / "witness", "w.example/w", [log_key(runtime)])
    client = TestClient(create_witness_app(cosigner=witness.cosigner, book=witness, clock=lambda: NOW))
    add_events(runtime, 6)
    first = request_for(runtime, witness)
    answer = client.post("/add-checkpoint", content=first.text())
    assert answer.status_code == 200 and answer.text.startswith("\u2014 w.example/w ")
    verifiers = [verifier_from_text(log_key(runtime)), verifier_from_text(witness.cosigner.verifier_key)]
    verify_note(first.note + answer.text, verifiers, threshold=2)
    stale = client.post("/add-checkpoint", content=first.text())  # old size 0, the witness holds 6
    assert stale.status_code == 409 and stale.text == "6\n"
    assert stale.headers["content-type"].startswith("text/x.tlog.size")
    add_events(runtime, 6, start=6)
    honest = request_for(runtime, witness)
    bad = AddCheckpoint(honest.old_size, tuple(bytes(32) for _ in honest.proof), honest.note)
    assert client.post("/add-checkpoint", content=bad.text()).status_code == 422
    assert client.post("/add-checkpoint", content="old 6\n\nnot a note").status_code == 400
    assert client.post("/add-checkpoint", content=b"x" * (MAX_REQUEST_BYTES + 1)).status_code == 413
    assert client.get("/add-checkpoint").status_code == 405
    assert client.post("/add-checkpoint", content=honest.text()).status_code == 200
    assert next(iter(witness.heads().values())).size == 12
