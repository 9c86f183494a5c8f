"""``parcelguard audit events``: read the audit log (who did what to which waybill; never the data)."""

from __future__ import annotations

import typer

from parcelguard.cli.common import json_line, open_runtime, operator, reported_errors
from parcelguard.services.audit_events import list_alerts, list_audit_events

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
