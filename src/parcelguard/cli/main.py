"""The ``parcelguard`` command: the same services as the web, for operators and batch jobs."""

from __future__ import annotations

import typer

from parcelguard.cli import (
    audit,
    db,
    deid,
    dispatch,
    keys,
    label,
    org,
    serve,
    station,
    track,
    user,
    vnum,
    waybill,
)
from parcelguard.cli.common import OneLineErrors

app = typer.Typer(
    name="parcelguard",
    help="ParcelGuard: privacy waybills and personal-data protection for parcel delivery.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=OneLineErrors,
)
app.command()(serve.serve)
app.command()(serve.demo)
app.command()(label.label)
app.command()(track.track)
app.add_typer(db.app, name="db")
app.add_typer(keys.app, name="keys")
app.add_typer(org.app, name="org")
app.add_typer(waybill.app, name="waybill")
app.add_typer(deid.app, name="deid")
app.add_typer(station.app, name="station")
app.add_typer(user.app, name="user")
app.add_typer(dispatch.app, name="dispatch")
app.add_typer(audit.app, name="audit")
app.add_typer(vnum.app, name="vnum")
