"""``parcelguard station``: the carrier's outlets and depots, each serving one district."""

from __future__ import annotations

import typer

from parcelguard.cli.common import console, open_runtime, operator, reported_errors
from parcelguard.services.people import add_station, list_stations

app = typer.Typer(help="Stations: the carrier's outlets and depots.", no_args_is_help=True)


@app.command()
def add(
    code: str = typer.Option(..., help="unique code, 2 to 16 letters, digits or '-', e.g. SZ-NS-01"),
    name: str = typer.Option(..., help="display name, e.g. 南山科技园驿站"),
    district: str = typer.Option(..., help="the 6-digit division code it serves (GB/T 2260), e.g. 440305"),
) -> None:
    """Add a station of the carrier; couriers, clerks and managers are then added to it with --station."""
    with reported_errors():
        runtime = open_runtime()
        try:
            station = add_station(
                runtime.ctx, code=code, name=name, district=district, actor=operator().actor
            )
        finally:
            runtime.close()
    console.print(f"station {station.code}: {station.name} ({station.district})", highlight=False)


@app.command("list")
def list_() -> None:
    """Every station: code, district, name (tab-separated)."""
    with reported_errors():
        runtime = open_runtime()
        try:
            stations = list_stations(runtime.ctx)
        finally:
            runtime.close()
    for station in stations:
        typer.echo(f"{station.code}\t{station.district}\t{station.name}")
