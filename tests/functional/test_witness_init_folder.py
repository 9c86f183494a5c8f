"""`audit witness init` refuses the carrier's data folder: a witness whose key sits beside the carrier's
proves nothing (docs/audit-log.md), and HOME_HELP promises "never the carrier's data folder"."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from parcelguard.adapters.crypto.note_keys import Ed25519NoteSigner
from parcelguard.cli.main import app

LOG_KEY = Ed25519NoteSigner("log.example/parcelguard", bytes(32)).verifier_key


def _init(home: Path) -> tuple[int, str]:
    args = ["audit", "witness", "init", "--home", str(home), "--name", "w.example/w", "--log-key", LOG_KEY]
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


@pytest.mark.parametrize("carrier_file", ["keys.json", "parcelguard.db"])
def test_a_folder_holding_the_carriers_key_file_or_database_is_refused(
    tmp_path: Path, carrier_file: str
) -> None:
    (tmp_path / carrier_file).write_bytes(b"{}")
    code, output = _init(tmp_path)
    assert code == 2 and "invalid_request" in output
    assert not (tmp_path / "witness-key.json").exists()


def test_a_folder_of_its_own_is_taken(tmp_path: Path) -> None:
    code, output = _init(tmp_path / "witness")
    assert code == 0, output
    assert (tmp_path / "witness" / "witness-key.json").exists()
