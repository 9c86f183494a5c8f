"""``parcelguard db``: schema migrations."""

from __future__ import annotations

import typer

from parcelguard.adapters.db import migrate
from parcelguard.cli.common import console, open_runtime, reported_errors

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Create or migrate the schema (SQLite or PostgreSQL, from PARCELGUARD_DATABASE_URL).

    In a folder with no data folder yet this sets up a new one (``./var``, a new key file), and says so.
    """
    with reported_errors():
        runtime = open_runtime(check_schema=False, may_create=True)
        migrate.upgrade(runtime.engine, revision)
        console.print(f"schema at revision {migrate.current_revision(runtime.engine)}")
        runtime.close()


@app.command()
def check() -> None:
    """Fail if the models and the migrated schema disagree (a missing migration)."""
    with reported_errors():
        runtime = open_runtime(check_schema=False)
        differences = migrate.schema_differences(runtime.engine)
        runtime.close()
    if differences:
        for difference in differences:
            console.print(f"[red]differs[/red] {difference}")
        raise typer.Exit(1)
    console.print("models and migrations agree")
