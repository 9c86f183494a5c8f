"""``parcelguard org``: the organisations (tenants) API keys and waybills belong to."""

from __future__ import annotations

import typer

from parcelguard.cli.common import console, open_runtime, operator, reported_errors
from parcelguard.domain.organisation import parse_organisation_kind
from parcelguard.services.organisations import add_organisation, list_organisations

app = typer.Typer(
    help="Organisations: the carrier, and the platforms that issue through it.", no_args_is_help=True
)


@app.command()
def add(
    name: str = typer.Option(..., help="unique display name, e.g. the shop's name"),
    kind: str = typer.Option(..., help="platform (a shop or merchant: sees its own waybills) or carrier"),
) -> None:
    """Add an organisation; then give it keys with `parcelguard keys create-api-key --org NAME`."""
    with reported_errors():
        parsed_kind = parse_organisation_kind(kind)
        runtime = open_runtime()
        try:
            organisation = add_organisation(runtime.ctx, actor=operator().actor, name=name, kind=parsed_kind)
        finally:
            runtime.close()
    console.print(
        f"organisation {organisation.id}: {organisation.name} ({organisation.kind.value})", highlight=False
    )


@app.command("list")
def list_() -> None:
    """Every organisation: id, kind, name (tab-separated)."""
    with reported_errors():
        runtime = open_runtime()
        try:
            organisations = list_organisations(runtime.ctx)
        finally:
            runtime.close()
    for organisation in organisations:
        typer.echo(f"{organisation.id}\t{organisation.kind.value}\t{organisation.name}")  # tabs kept as is
