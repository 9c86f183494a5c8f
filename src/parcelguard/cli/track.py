"""``parcelguard track``: the public tracking answer, as a customer would see it."""

from __future__ import annotations

import typer

from parcelguard.adapters.rate_limit import InMemoryRateLimiter
from parcelguard.cli.common import console, open_runtime, reported_errors
from parcelguard.services.tracking import track_parcel


def track(
    tracking_number: str,
    last4: str | None = typer.Option(None, "--last4", help="last 4 digits of the recipient's mobile"),
) -> None:
    """Status history; with --last4, also the destination city and county."""
    with reported_errors():
        runtime = open_runtime()
        view = track_parcel(
            runtime.ctx,
            InMemoryRateLimiter(per_minute=60, burst=5),
            tracking_number,
            client="cli",
            mobile_last4=last4,
        )
        runtime.close()
    console.print(
        f"{view.tracking_number}: {view.status}" + (f" -> {view.destination}" if view.destination else "")
    )
    for event in view.events:
        where = f"  {event.location}" if event.location else ""
        console.print(f"  {event.occurred_at:%Y-%m-%d %H:%M} UTC  {event.status.value}{where}")
