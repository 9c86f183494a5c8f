"""A witness cosignature counts toward `audit verify`'s quorum by the witness's key, never by its name:
a witness configured under the log key's name (or the retired key-file witness's) must not be counted
from the log's own line (R2 review, 2026-11-30)."""

from __future__ import annotations

import secrets
from pathlib import Path

from typer.testing import CliRunner

from parcelguard.adapters.crypto.cosignature import Ed25519Cosigner
from parcelguard.bootstrap import Runtime
from parcelguard.domain.checkpoint import parse_note
from parcelguard.services import transparency_log as tlog
from tests.integration.test_transparency_log import add_events
from tests.integration.test_witness import log_key


def _verify(runtime: Runtime, kept: Path, *keys: str) -> tuple[int, str]:
    from parcelguard.cli.main import app

    args = ["audit", "verify", "--checkpoint", str(kept)]
    for key in keys:
        args += ["--key", key]
    result = CliRunner().invoke(
        app,
        args,
        env={
            "PARCELGUARD_HOME": str(runtime.settings.home),
            "PARCELGUARD_DATABASE_URL": runtime.settings.database_url or "",
        },
    )
    return result.exit_code, result.output


def test_a_witness_named_as_the_log_key_is_not_counted_from_the_logs_line(
    runtime: Runtime, tmp_path: Path
) -> None:
    add_events(runtime, 8)
    assert runtime.ctx.log_keys is not None
    log_name = runtime.ctx.log_keys.log.name
    namesake = Ed25519Cosigner(log_name, secrets.token_bytes(32))  # another key under the log's name
    kept = tmp_path / "kept.txt"
    note = tlog.current_checkpoint(runtime.ctx, max_age=tlog.timedelta(0)).text
    kept.write_text(note)  # signed by the log only: no witness cosigned it

    code, output = _verify(runtime, kept, log_key(runtime), namesake.verifier_key)
    assert code == 10 and "0 valid witness cosignature(s), 1 required" in output, output

    # the namesake's own, valid cosignature does count
    body, _ = parse_note(note)
    kept.write_text(note + namesake.cosign(body, 1_780_000_000).line())
    code, output = _verify(runtime, kept, log_key(runtime), namesake.verifier_key)
    assert code == 0, output


def test_a_witness_key_given_twice_counts_once(runtime: Runtime, tmp_path: Path) -> None:
    add_events(runtime, 8)
    witness = Ed25519Cosigner("w.example/w", secrets.token_bytes(32))
    note = tlog.current_checkpoint(runtime.ctx, max_age=tlog.timedelta(0)).text
    kept = tmp_path / "kept.txt"
    kept.write_text(note + witness.cosign(parse_note(note)[0], 1_780_000_000).line())
    code, output = _verify(runtime, kept, log_key(runtime), witness.verifier_key, witness.verifier_key)
    assert code == 10 and "1 valid witness cosignature(s), 2 required" in output, output
