"""``parcelguard dispatch``: assign waybills to couriers, record a parcel's steps, list break-glass
requests. The operator acts as the carrier's administrator (``cli:<login>`` in the audit log)."""

from __future__ import annotations

import typer

from parcelguard.cli.common import console, json_line, open_runtime, operator, reported_errors
from parcelguard.services.break_glass import list_pending
from parcelguard.services.dispatch import assign_courier
from parcelguard.services.parcel_events import record_parcel_event

app = typer.Typer(help="Dispatch: couriers, the parcel's steps, break-glass requests.", no_args_is_help=True)


@app.command()
def assign(
    tracking_number: str = typer.Argument(..., help="the waybill to deliver"),
    courier: str = typer.Option(..., "--courier", help="the courier's username"),
) -> None:
    """Assign a waybill to a courier (replacing any earlier assignment): only then may they see its
    recipient's address, while it is out for delivery."""
    with reported_errors():
        runtime = open_runtime()
        try:
            assignment = assign_courier(runtime.ctx, tracking_number, courier, principal=operator())
        finally:
            runtime.close()
    console.print(f"assigned to {assignment.courier_username}", highlight=False)


@app.command()
def event(
    tracking_number: str = typer.Argument(..., help="the waybill"),
    status: str = typer.Option(
        ..., "--status", help="picked_up, in_transit, at_station, out_for_delivery..."
    ),
    station: str | None = typer.Option(None, "--station", help="station code (required for at_station)"),
) -> None:
    """Record a step of the parcel's life; at_station prints the new pickup code once."""
    with reported_errors():
        runtime = open_runtime()
        try:
            recorded = record_parcel_event(
                runtime.ctx, tracking_number, status, station_code=station, principal=operator()
            )
        finally:
            runtime.close()
    typer.echo(f"{recorded.tracking_number}\t{recorded.status}\t{recorded.station or ''}")  # tabs kept as is
    if recorded.pickup_code is not None:
        typer.echo(f"pickup code: {recorded.pickup_code}")


@app.command("break-glass")
def break_glass(
    as_json: bool = typer.Option(False, "--json", help="one JSON object a line"),
) -> None:
    """Break-glass requests waiting for a security officer (approve them in the pages or the API, signed
    in as the officer: the operator never approves)."""
    with reported_errors():
        runtime = open_runtime()
        try:
            pending = list_pending(runtime.ctx, operator())
        finally:
            runtime.close()
    for grant in pending:
        row = {
            "id": grant.id,
            "requester": grant.requester,
            "tracking_numbers": list(grant.tracking_numbers),
            "fields": list(grant.fields),
            "purpose": grant.purpose,
            "ticket": grant.ticket,
            "minutes": grant.minutes,
            "requested_at": grant.requested_at.isoformat(),
        }
        typer.echo(json_line(row) if as_json else "\t".join(str(v) for v in row.values()) + "\n", nl=False)
