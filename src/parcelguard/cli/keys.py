"""``parcelguard keys``: key-encryption key rotation and platform API keys."""

from __future__ import annotations

import typer

from parcelguard.adapters.db import migrate
from parcelguard.cli.common import console, open_runtime, operator, reported_errors
from parcelguard.domain.access import parse_scopes
from parcelguard.errors import ErrorCode, NotFoundError
from parcelguard.services.api_keys import create_api_key, list_api_keys, revoke_api_key
from parcelguard.services.keys import rotate_keys, waybills_under_older_versions
from parcelguard.services.organisations import find_organisation

app = typer.Typer(help="Encryption keys and API keys.", no_args_is_help=True)


@app.command()
def rotate(
    resume: bool = typer.Option(False, help="finish an interrupted rotation without adding a version"),
) -> None:
    """Add a key-encryption key version and rewrap every data key (field ciphertexts are untouched)."""
    with reported_errors():
        runtime = open_runtime()
        try:
            report = rotate_keys(runtime.ctx, actor=operator().actor, add_version=not resume)
        finally:
            runtime.close()
    console.print(f"key version {report.new_version} is current; {report.rewrapped} data keys rewrapped")


@app.command()
def status() -> None:
    """Key versions in the key file (never the keys), and data keys still under an older version."""
    with reported_errors():
        runtime = open_runtime(check_schema=False)  # still works when the key file is what is wrong
        try:
            versions = ", ".join(str(v) for v in runtime.keyfile.kek_versions)
            migrated = migrate.current_revision(runtime.engine) == migrate.head_revision(runtime.engine)
            behind = waybills_under_older_versions(runtime.ctx) if migrated else 0
        finally:
            runtime.close()
        console.print(f"key file: {runtime.settings.resolved_key_file}")
        console.print(
            f"key-encryption key versions: {versions}; current {runtime.keyfile.current_kek_version}"
        )
        hint = " (finish with `parcelguard keys rotate --resume`)" if behind else ""
        console.print(f"waybills under an older version: {behind}{hint}")


@app.command("create-api-key")
def create_key(
    org: str = typer.Option(
        ..., "--org", help="the organisation the key acts for (name or id; see `org list`)"
    ),
    name: str = typer.Option(..., help="who the key is for, e.g. the shop's system"),
    scopes: str = typer.Option("waybill:issue,waybill:read,label:print", help="comma-separated scopes"),
) -> None:
    """Create an API key of one organisation; the secret is printed once and stored only as a hash.

    A platform's key sees only its own organisation's waybills; a carrier key with `admin` sees all.
    """
    with reported_errors():
        scope_set = parse_scopes(scopes)
        runtime = open_runtime()
        try:
            organisation = find_organisation(runtime.ctx, org)
            key = create_api_key(
                runtime.ctx,
                actor=operator().actor,
                name=name,
                scopes=scope_set,
                organisation_id=organisation.id,
            )
        finally:
            runtime.close()
    console.print(key.presented, highlight=False)


@app.command("list")
def list_keys(
    org: str | None = typer.Option(None, "--org", help="only this organisation's keys (name or id)"),
) -> None:
    """Every API key (tab-separated: id, state, organisation, name, scopes, created); never a secret."""
    with reported_errors():
        runtime = open_runtime()
        try:
            organisation_id = find_organisation(runtime.ctx, org).id if org is not None else None
            keys = list_api_keys(runtime.ctx, organisation_id=organisation_id)
        finally:
            runtime.close()
    for key in keys:
        state = "revoked" if key.revoked_at is not None else "active"
        scopes = ",".join(sorted(s.value for s in key.scopes))
        created = key.created_at.isoformat(timespec="seconds")
        typer.echo(f"{key.key_id}\t{state}\t{key.organisation_name}\t{key.name}\t{scopes}\t{created}")


@app.command("revoke-api-key")
def revoke_key(key_id: str = typer.Argument(..., help="the id part of pgk_<id>_<secret>")) -> None:
    """Revoke an API key at once: its next request is refused (401). Exit code 3 when no active key
    has this id (never created, or already revoked: see `keys list`)."""
    with reported_errors():
        runtime = open_runtime()
        try:
            revoked = revoke_api_key(runtime.ctx, key_id, actor=operator().actor)
        finally:
            runtime.close()
        if not revoked:
            raise NotFoundError(
                "no active API key with this id (see `parcelguard keys list`)",
                code=ErrorCode.NOT_FOUND,
                field="key_id",
            )
    console.print("revoked")
