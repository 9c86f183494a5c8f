"""``parcelguard audit``: read the audit log (who did what to which waybill; never the data), and check it:
checkpoints, RFC 9162 proofs, an auditor's verification from a kept checkpoint, and the database against
the signed log (docs/audit-log.md)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import typer

from parcelguard.adapters.crypto.cosignature import Ed25519CosignatureVerifier, verifier_from_text
from parcelguard.adapters.crypto.note_keys import Ed25519NoteVerifier
from parcelguard.bootstrap import Runtime, witness_endpoints
from parcelguard.cli.audit_http import (
    EXIT_BAD_SIGNATURE,
    EXIT_DB_MISMATCH,
    EXIT_FORK,
    EXIT_ROLLBACK,
    proof_of,
)
from parcelguard.cli.audit_http import fail as _fail
from parcelguard.cli.audit_http import fetch as _fetch
from parcelguard.cli.common import err_console, json_line, open_runtime, operator, reported_errors
from parcelguard.cli.witness import app as witness_app
from parcelguard.domain import merkle
from parcelguard.domain.checkpoint import (
    Checkpoint,
    CheckpointError,
    NoteVerifier,
    parse_note,
    verify_note,
)
from parcelguard.services import transparency_log as tlog
from parcelguard.services.audit_events import list_alerts, list_audit_events
from parcelguard.services.transparency_check import verify_database
from parcelguard.services.witness_submission import submit_latest

app = typer.Typer(help="The audit log.", no_args_is_help=True)


@app.command()
def events(
    subject: str | None = typer.Option(None, "--subject", help="a tracking number"),
    actor: str | None = typer.Option(None, "--actor", help="a username (user:NAME) or an actor as recorded"),
    limit: int = typer.Option(1000, "--limit", help="the newest N (1 to 10,000), printed oldest first"),
    as_json: bool = typer.Option(False, "--json", help="one JSON object a line"),
) -> None:
    """Audit events, oldest first: reveals and refusals (with role, station, fields, purpose, decision,
    reason, device, client address), assignments, parcel steps, approvals, alerts, sign-ins."""
    with reported_errors():
        runtime = open_runtime()
        try:
            found = list_audit_events(
                runtime.ctx, principal=operator(), subject=subject, actor=actor, limit=limit
            )
        finally:
            runtime.close()
    for event in found:
        row = {
            "occurred_at": event.occurred_at.isoformat(),
            "action": event.action,
            "actor": event.actor,
            "subject": event.subject,
            "details": dict(event.details),
        }
        if as_json:
            typer.echo(json_line(row), nl=False)
        else:
            details = " ".join(f"{k}={v}" for k, v in sorted(event.details.items()) if v is not None)
            typer.echo(f"{row['occurred_at']}\t{event.action}\t{event.actor}\t{event.subject}\t{details}")


@app.command()
def alerts(
    limit: int = typer.Option(100, "--limit", help="the newest N (1 to 10,000)"),
    as_json: bool = typer.Option(False, "--json", help="one JSON object a line"),
) -> None:
    """Alerts, newest first: a reveal asked beyond the daily ceiling, a person under notice or gone who
    is busy (one per kind, person and day)."""
    with reported_errors():
        runtime = open_runtime()
        try:
            found = list_alerts(runtime.ctx, principal=operator(), limit=limit)
        finally:
            runtime.close()
    for alert in found:
        row = {
            "raised_at": alert.raised_at.isoformat(),
            "kind": alert.kind,
            "user": alert.username,
            "day": alert.day,
            "subject": alert.subject,
            "details": dict(alert.details),
        }
        if as_json:
            typer.echo(json_line(row), nl=False)
        else:
            typer.echo(f"{row['raised_at']}\t{alert.kind}\t{alert.username}\t{alert.subject}")


# -- the verifiable audit log (issue 11) ------------------------------------------------------------------

prove_app = typer.Typer(help="RFC 9162 proofs from the audit log's tree.", no_args_is_help=True)
app.add_typer(prove_app, name="prove")
app.add_typer(witness_app, name="witness")  # the witness: a party other than the carrier


@app.command()
def checkpoint() -> None:
    """Print the signed checkpoint (C2SP tlog-checkpoint signed note) of the whole log, publishing one
    first if the tree grew since the last."""
    with reported_errors():
        runtime = open_runtime()
        try:
            cp = tlog.current_checkpoint(runtime.ctx, max_age=timedelta(0))
        finally:
            runtime.close()
    typer.echo(cp.text, nl=False)


@app.command()
def integrate(
    every: float = typer.Option(
        0, "--every", help="seconds: keep integrating and publishing at this interval"
    ),
) -> None:
    """Integrate committed audit events into the tree and publish a checkpoint (once, or every N seconds
    until interrupted: the sequencer), then submit it to the witnesses of PARCELGUARD_WITNESSES that have
    a URL and lack its cosignature (as serve's sequencer does)."""
    with reported_errors():
        runtime = open_runtime()
        try:
            witnesses = witness_endpoints(runtime.settings, runtime.ctx.log_keys)
            held: dict[str, int] = {}
            while True:
                added = tlog.integrate_pending(runtime.ctx)
                cp = tlog.publish_checkpoint(runtime.ctx)
                cosigned = ""
                if witnesses and cp.size:
                    done = submit_latest(runtime.ctx, witnesses, held=held, only_missing=True)
                    cosigned = f"; cosigned by {len(done.cosigned)}, {len(done.failed)} failed"
                typer.echo(f"integrated {added}; tree size {cp.size}; root {cp.root_hash.hex()}{cosigned}")
                if every <= 0:
                    break
                time.sleep(every)
        except KeyboardInterrupt:
            pass
        finally:
            runtime.close()


@app.command()
def keys() -> None:
    """Print the verifier keys (public) for auditors to keep: the log's first, then the witnesses' of
    PARCELGUARD_WITNESSES; a retired key (the key file's old witness, which the carrier held) follows on
    stderr, as it checks old checkpoints only."""
    with reported_errors():
        runtime = open_runtime()
        try:
            log_keys = runtime.ctx.log_keys
            if log_keys is None:
                tlog.verify_signed(runtime.ctx, "")  # raises the missing-key error
                return
            for verifier in (log_keys.log.verifier, *log_keys.witness_keys):
                typer.echo(_key_text(verifier))
            for verifier in log_keys.retired:
                err_console.print(
                    f"retired (held by the carrier, signs nothing new): {_key_text(verifier)}",
                    highlight=False,
                    markup=False,
                )
        finally:
            runtime.close()


def _key_text(verifier: NoteVerifier) -> str:
    if isinstance(verifier, Ed25519NoteVerifier | Ed25519CosignatureVerifier):
        return verifier.text
    raise TypeError("a verifier key of an unknown kind")


@prove_app.command("inclusion")
def prove_inclusion(
    index: int = typer.Argument(..., help="leaf index, from 0"),
    size: int = typer.Argument(..., help="tree size (a checkpoint's)"),
    as_json: bool = typer.Option(
        False, "--json", help="JSON: leaf_index, tree_size, leaf_hash, proof, root_hash"
    ),
) -> None:
    """Inclusion proof of leaf INDEX in the tree of SIZE leaves (hashes in hex)."""
    with reported_errors():
        runtime = open_runtime()
        try:
            proof = tlog.inclusion_proof(runtime.ctx, index, size)
        finally:
            runtime.close()
    _print(proof.to_json(), as_json)


@prove_app.command("consistency")
def prove_consistency(
    first: int = typer.Argument(..., help="the older tree size"),
    second: int = typer.Argument(..., help="the newer tree size"),
    as_json: bool = typer.Option(False, "--json", help="JSON: first, second, proof, first_root, second_root"),
) -> None:
    """Consistency proof that the tree of SECOND leaves extends the tree of FIRST leaves."""
    with reported_errors():
        runtime = open_runtime()
        try:
            proof = tlog.consistency_proof(runtime.ctx, first, second)
        finally:
            runtime.close()
    _print(proof.to_json(), as_json)


def _print(row: dict[str, object], as_json: bool) -> None:
    if as_json:
        typer.echo(json_line(row), nl=False)
        return
    for key, value in row.items():
        shown = "\n  ".join(str(v) for v in value) if isinstance(value, list) else value
        typer.echo(f"{key}: {shown}")


@app.command()
def verify(
    checkpoint_file: Path = typer.Option(
        ..., "--checkpoint", help="a checkpoint you kept (signed note text)"
    ),
    url: str | None = typer.Option(None, "--url", help="the server (https://host); default: this database"),
    key: list[str] = typer.Option(
        [],
        "--key",
        help="a verifier key name+hash+key (repeat): the log's first, then witnesses' cosigner keys "
        "(`parcelguard audit witness init` prints one); default: this installation's keys",
    ),
    min_signatures: int | None = typer.Option(
        None,
        "--min-signatures",
        help="valid witness cosignatures the kept checkpoint must carry (default: every witness --key "
        "given; without --key, PARCELGUARD_WITNESS_QUORUM)",
    ),
    api_key: str | None = typer.Option(
        None,
        "--api-key",
        envvar="PARCELGUARD_API_KEY",
        help="an admin API key or auditor bearer token for --url",
    ),
) -> None:
    """Check that the log today extends a checkpoint you kept: both signed by the log's key, the kept one
    cosigned by at least K of the witnesses (a witness's line that does not verify fails either), same
    origin, no smaller, and an RFC 9162 consistency proof between them. Exit 10 on a bad signature or too
    few cosignatures, 11 on a rollback, 12 on a fork."""
    try:
        old_text = checkpoint_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        _fail(2, "invalid_request", "cannot read the checkpoint file")
    runtime = None
    with reported_errors():
        if url is None or not key:
            runtime = open_runtime()
        try:
            policy = _given_policy(key) if key else _local_policy(runtime)
            quorum = policy.quorum if min_signatures is None else min_signatures
            if not 0 <= quorum <= len(policy.witnesses):
                _fail(
                    2,
                    "invalid_request",
                    f"--min-signatures must be between 0 and {len(policy.witnesses)} (the witness keys)",
                )
            old, cosigned = _checked(policy, old_text, quorum, "the kept checkpoint")
            if url is not None:
                new_text = _fetch(url, "/v1/audit/checkpoint", api_key)
            else:
                assert runtime is not None  # noqa: S101 - opened above when there is no URL
                new_text = tlog.current_checkpoint(runtime.ctx, max_age=timedelta(0)).text
            # the log's latest may be younger than its witnesses' answers: its own key suffices there
            new, _ = _checked(policy, new_text, 0, "the log's checkpoint")
            if new.origin != old.origin:
                _fail(EXIT_FORK, "fork", "the checkpoints are of different logs (origin lines differ)")
            if new.size < old.size:
                _fail(
                    EXIT_ROLLBACK,
                    "rollback",
                    f"the log has {new.size} leaves, the kept checkpoint {old.size}",
                )
            if old.size > 0:
                if url is not None:
                    query = f"/v1/audit/proof/consistency?first={old.size}&second={new.size}"
                    proof = proof_of(_fetch(url, query, api_key))
                elif old.size == new.size:
                    proof = []
                else:
                    assert runtime is not None  # noqa: S101
                    proof = tlog.consistency_proof(runtime.ctx, old.size, new.size).proof
                try:
                    merkle.verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof)
                except (merkle.ProofError, ValueError) as error:
                    _fail(EXIT_FORK, "fork", f"the log does not extend the kept checkpoint ({error})")
        finally:
            if runtime is not None:
                runtime.close()
    witnessed = f", cosigned by {', '.join(cosigned)}" if cosigned else ""
    typer.echo(
        f"ok: the log ({new.size} leaves, signed by {policy.log.name}) extends the kept checkpoint "
        f"({old.size} leaves{witnessed})"
    )


@dataclass(frozen=True, slots=True)
class _Policy:
    """Who must sign: the log's key; ``witnesses`` whose valid cosignatures count (``quorum`` of them by
    default); ``known``: every key whose lines are checked (the log's, retired ones, the witnesses')."""

    log: NoteVerifier
    witnesses: tuple[NoteVerifier, ...]
    known: tuple[NoteVerifier, ...]
    quorum: int


def _checked(policy: _Policy, text: str, quorum: int, what: str) -> tuple[Checkpoint, list[str]]:
    """The checkpoint of ``text`` and the witnesses that validly cosigned it, or exit 10."""
    try:
        checkpoint, signed = verify_note(text, policy.known, required=[policy.log.name], threshold=1)
    except CheckpointError as error:
        _fail(EXIT_BAD_SIGNATURE, "bad_signature", f"{what}: {error}")
    # A witness counts by its key (name and key hash), never by its name alone: the log's key or the
    # retired key-file witness may share a configured witness's name, and their lines prove nothing of it.
    # Every line of a known key has verified above; duplicate --key entries count once.
    _, lines = parse_note(text)
    present = {(line.name, line.key_hash) for line in lines}
    cosigned = list(
        dict.fromkeys(
            w.name for w in policy.witnesses if (w.name, w.key_hash) in present and w.name in signed
        )
    )
    if len(cosigned) < quorum:
        _fail(
            EXIT_BAD_SIGNATURE,
            "bad_signature",
            f"{what}: {len(cosigned)} valid witness cosignature(s), {quorum} required",
        )
    return checkpoint, cosigned


@app.command("verify-db")
def verify_db() -> None:
    """Recompute the tree from the stored audit events and hold it against the stored tree and every
    signed checkpoint; exit 13 naming the first bad leaf index when a row was changed, deleted, inserted or
    reordered."""
    with reported_errors():
        runtime = open_runtime()
        try:
            report = verify_database(runtime.ctx)
        finally:
            runtime.close()
    for problem in report.problems:
        err_console.print(problem, highlight=False, markup=False)
    if not report.ok:
        where = f" first bad index {report.first_bad_index}" if report.first_bad_index is not None else ""
        _fail(EXIT_DB_MISMATCH, "audit_log_mismatch", f"the database does not match the log:{where}")
    typer.echo(
        f"ok: {report.events_read} events hash to the {report.tree_size} leaves; "
        f"{report.checkpoints} signed checkpoint(s) match"
    )


def _given_policy(texts: list[str]) -> _Policy:
    """--key: the log's key first, then witnesses (each counted), all of them required by default."""
    try:
        given = tuple(verifier_from_text(text) for text in texts)
    except CheckpointError as error:
        _fail(2, "invalid_request", f"--key: {error}")
    return _Policy(given[0], given[1:], given, len(given) - 1)


def _local_policy(runtime: Runtime | None) -> _Policy:
    """This installation's keys: the log's, PARCELGUARD_WITNESSES (PARCELGUARD_WITNESS_QUORUM of them by
    default) and the retired key-file witness (checked where it signed, never counted)."""
    keys_ = runtime.ctx.log_keys if runtime is not None else None
    if runtime is None or keys_ is None:
        _fail(2, "invalid_request", "no verifier keys: pass --key (see `parcelguard audit keys`)")
    return _Policy(
        keys_.log.verifier,
        keys_.witness_keys,
        tuple(tlog.verifiers_of(keys_)),
        runtime.settings.witness_quorum,
    )
