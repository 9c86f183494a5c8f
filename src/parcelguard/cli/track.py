"""``parcelguard track``: the public tracking answer, as a customer would see it."""

from __future__ import annotations

import typer

from parcelguard.cli.common import console, open_runtime, reported_errors
from parcelguard.services.tracking import china_time, status_names, track_parcel


def track(
    tracking_number: str,
    last4: str | None = typer.Option(
        None,
        "--last4",
        help="last 4 digits of the recipient's mobile; wrong ones are counted in the database with the "
        "server's (exit code 4)",
    ),
) -> None:
    """Status history; with --last4, also the destination city and county.

    Wrong digits count against the tracking number's cap (PARCELGUARD_TRACK_VERIFY_*) in the database, the
    same count as the server's workers (this process is the client ``cli``); wrong digits and a locked
    number give exit code 4.
    """
    with reported_errors():
        runtime = open_runtime()
        try:
            view = track_parcel(
                runtime.ctx, runtime.track_limiter, tracking_number, client="cli", mobile_last4=last4
            )
        finally:
            runtime.close()
    zh, en = status_names(view.status)
    console.print(
        f"{view.tracking_number}: {zh} {en}" + (f" -> {view.destination}" if view.destination else ""),
        highlight=False,
    )
    for event in view.events:
        where = f"  {event.location}" if event.location else ""
        zh, en = status_names(event.status.value)
        console.print(
            f"  {china_time(event.occurred_at):%Y-%m-%d %H:%M} UTC+8  {zh} {en}{where}", highlight=False
        )
