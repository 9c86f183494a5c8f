"""``parcelguard audit witness``: the audit log's witness, for a party other than the carrier (its compliance
office, a regulator) to run on a machine of its own. It needs neither the carrier's database nor its key
file: only its own folder (``--home``), the log's public key, and the log's HTTP interface or requests
handed to it (C2SP tlog-witness add-checkpoint bodies).

Exit codes: 0 cosigned; 2 a malformed request or usage; 3 the witness follows no log of that origin;
10 no trusted signature of the log; 11 the log's old size is not the witness's (a rollback, or a
request built from a stale head); 12 the consistency proof fails or the root differs at the same size
(a fork)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import typer

from parcelguard.adapters.crypto.witness_files import WitnessFiles
from parcelguard.cli.audit_http import EXIT_BAD_SIGNATURE, EXIT_FORK, EXIT_ROLLBACK, fail, fetch, proof_of
from parcelguard.cli.common import reported_errors
from parcelguard.domain.checkpoint import Checkpoint, CheckpointError, parse_note
from parcelguard.domain.witness import AddCheckpoint, WitnessRefusal
from parcelguard.services.witness import add_checkpoint

app = typer.Typer(help="The audit log's witness: a key and a record of its own.", no_args_is_help=True)

_CARRIER_FILES = ("keys.json", "parcelguard.db")
"""What a carrier's data folder holds (config.Settings' default key file and SQLite database names)."""
HOME_HELP = "the witness's own folder (its key and the heads it cosigned); never the carrier's data folder"
_EXIT_BY_STATUS = {400: 2, 403: EXIT_BAD_SIGNATURE, 404: 3, 409: EXIT_ROLLBACK, 422: EXIT_FORK}
_WHAT_BY_STATUS = {
    400: "invalid_request",
    403: "bad_signature",
    404: "unknown_log",
    409: "conflict",
    422: "fork",
}


@app.command()
def init(
    home: Path = typer.Option(..., "--home", help=HOME_HELP),
    name: str = typer.Option(..., "--name", help="the witness's key name, e.g. compliance.example/witness"),
    log_key: list[str] = typer.Option(
        ..., "--log-key", help="the log's verifier key (`parcelguard audit keys`, first line); repeatable"
    ),
) -> None:
    """Create the witness: a fresh Ed25519 key in HOME (mode 0600; refused when HOME has one) following
    the logs of the keys given; print its cosigner verifier key, for the log and auditors to trust."""
    if any((home / carrier_file).exists() for carrier_file in _CARRIER_FILES):
        fail(
            2,
            "invalid_request",
            "--home holds the carrier's key file or database: a witness keeps its key in a folder of its own",
        )
    with reported_errors():
        try:
            witness = WitnessFiles.create(home, name, log_key)
        except (CheckpointError, ValueError) as error:
            fail(2, "invalid_request", f"--name or --log-key: {error}")
    typer.echo(witness.cosigner.verifier_key)


@app.command("add-checkpoint")
def add_checkpoint_command(
    home: Path = typer.Option(..., "--home", help=HOME_HELP),
    request: Path | None = typer.Argument(None, help="a tlog-witness add-checkpoint body (default stdin)"),
) -> None:
    """Answer a tlog-witness add-checkpoint request: print the witness's cosignature line when the log's
    signature verifies and the checkpoint extends the last one it cosigned, after recording it."""
    text = _read_request(request)
    with reported_errors():
        witness = WitnessFiles.open(home)
        typer.echo(_answer(witness, text), nl=False)


@app.command()
def cosign(
    home: Path = typer.Option(..., "--home", help=HOME_HELP),
    url: str = typer.Option(..., "--url", help="the log's server (https://host)"),
    api_key: str | None = typer.Option(
        None, "--api-key", envvar="PARCELGUARD_API_KEY", help="an auditor's bearer token or admin API key"
    ),
) -> None:
    """Fetch the log's latest checkpoint and a consistency proof from the last head this witness
    cosigned, check both, record the new head and print the checkpoint with the cosignature added."""
    with reported_errors():
        witness = WitnessFiles.open(home)
        note = fetch(url, "/v1/audit/checkpoint", api_key)
        try:
            checkpoint = Checkpoint.parse(parse_note(note)[0])
        except CheckpointError as error:
            fail(EXIT_BAD_SIGNATURE, "bad_signature", f"the log's checkpoint: {error}")
        held = witness.heads().get(checkpoint.origin)
        old = held.size if held is not None else 0
        proof: list[bytes] = []
        if 0 < old < checkpoint.size:
            answer = fetch(url, f"/v1/audit/proof/consistency?first={old}&second={checkpoint.size}", api_key)
            proof = proof_of(answer)
        line = _answer(witness, AddCheckpoint(old, tuple(proof), note).text())
    typer.echo(note + line, nl=False)


@app.command()
def serve(
    home: Path = typer.Option(..., "--home", help=HOME_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="the address to listen on (put TLS in front)"),
    port: int = typer.Option(8080, "--port", min=1, max=65535),
) -> None:
    """Serve tlog-witness ``POST /add-checkpoint`` for logs to submit checkpoints to (one process: the
    heads file is locked for each cosignature)."""
    import uvicorn  # here: the other witness commands start without the server

    from parcelguard.web.witness_app import create_witness_app

    with reported_errors():
        witness = WitnessFiles.open(home)
    app_ = create_witness_app(cosigner=witness.cosigner, book=witness, clock=lambda: datetime.now(UTC))
    uvicorn.run(app_, host=host, port=port, log_level="info", proxy_headers=False)


def _answer(witness: WitnessFiles, text: str) -> str:
    try:
        return add_checkpoint(text, cosigner=witness.cosigner, book=witness, now=datetime.now(UTC))
    except WitnessRefusal as refusal:
        fail(
            _EXIT_BY_STATUS.get(refusal.status, 1),
            _WHAT_BY_STATUS.get(refusal.status, "refused"),
            str(refusal),
        )


def _read_request(path: Path | None) -> str:
    try:
        raw = sys.stdin.buffer.read(1 << 17) if path is None else path.read_bytes()[: 1 << 17]
        return raw.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        fail(2, "invalid_request", "cannot read the request")
