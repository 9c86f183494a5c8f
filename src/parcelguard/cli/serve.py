"""``parcelguard serve`` and ``parcelguard demo``: run the product, optionally with synthetic demo data."""

from __future__ import annotations

import os
import sys
from typing import Any

import typer

from parcelguard.adapters.db import migrate
from parcelguard.adapters.db.sequencer_lease import sequencer_lease
from parcelguard.bootstrap import Runtime, require_current_schema, witness_endpoints
from parcelguard.cli.common import console, load_settings, open_runtime, operator, reported_errors
from parcelguard.domain.access import Scope
from parcelguard.domain.organisation import Organisation, OrganisationKind
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.errors import ErrorCode, NotFoundError, ValidationError
from parcelguard.services.api_keys import create_api_key, list_api_keys, revoke_api_key
from parcelguard.services.audit_sequencer import EVERY_S, AuditSequencer
from parcelguard.services.context import ServiceContext
from parcelguard.services.demo import DEMO_STAFF, DEMO_STATION, demo_staff_exist, seed_demo_staff
from parcelguard.services.issuance import MAX_BATCH, IssuedWaybill, issue_batch
from parcelguard.services.labels import render_label
from parcelguard.services.organisations import add_organisation, find_organisation

DEMO_SEED = 20261123


ACCESS_LOG_HELP = (
    "log one line per request (client address, method, path, status); off by default: the lines carry "
    "client addresses and tracking numbers, and cost server CPU on every request"
)


WORKERS_HELP = (
    "server processes: more than one needs PARCELGUARD_REDIS_URL (shared rate limits) and PostgreSQL to "
    "help (SQLite takes one writer at a time); each "
    "issues the single orders arriving meanwhile together, so fewer workers make larger batches"
)


SEQUENCER_HELP = (
    "run the audit log's sequencer in the server: integrate new audit events into the tree every "
    "--sequencer-every seconds and publish a signed checkpoint every 5 minutes while the log grows (one "
    "sequencer leads at a time, across workers and hosts); --no-sequencer leaves it to "
    "`parcelguard audit integrate`"
)


def _sequencer(runtime: Runtime, every: float | None) -> AuditSequencer | None:
    if every is None:
        return None
    return AuditSequencer(
        runtime.ctx,
        every=every,
        lease=sequencer_lease(runtime.engine),
        witnesses=witness_endpoints(runtime.settings, runtime.ctx.log_keys),
    )


def _serve(
    runtime: Runtime,
    host: str,
    port: int,
    *,
    access_log: bool = False,
    workers: int = 1,
    sequencer_every: float | None = EVERY_S,
) -> None:
    # Imported here: every other command (waybill issue above all) starts faster and smaller without the web
    # application and the server (issue 9: about 60 MiB and a second of start-up).
    import uvicorn

    from parcelguard.web.app import create_app

    # proxy_headers=False: uvicorn would otherwise rewrite the client address from X-Forwarded-For for
    # requests from 127.0.0.1, so anyone on the host could pose as any client; ParcelGuard resolves
    # trusted proxies itself (PARCELGUARD_TRUSTED_PROXIES, web/client_address.py).
    # httptools and uvloop (dependencies of ours, named here so that a missing one fails loudly instead of
    # falling back to h11 and asyncio): issue 9 measured the single-order path on both pairs.
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "proxy_headers": False,
        "http": "httptools",
        "loop": "asyncio" if sys.platform == "win32" else "uvloop",  # uvloop has no Windows build
        "access_log": access_log,
    }
    # The audit log's sequencer (None: --no-sequencer): with one worker it runs in the app's lifespan,
    # over the app's runtime; with several, once in this supervising process, over this runtime.
    sequencer = _sequencer(runtime, sequencer_every)
    if workers == 1:
        try:
            uvicorn.run(create_app(runtime=runtime, sequencer=sequencer), **options)
        finally:
            # Disposed when the server stops, so SQLite's last connections (the WAL checkpointer's too)
            # close and the database's -wal and -shm files go with them.
            runtime.close()
        return
    if not runtime.settings.redis_url:
        # Each process would count on its own: the wrong last-4 guesses per tracking number, the one-time
        # codes per parcel and the per-client limits would each allow N times what they promise. An empty
        # PARCELGUARD_REDIS_URL is no Redis either: bootstrap limits in process then.
        raise ValidationError(
            "several workers share their rate limits through Redis: set PARCELGUARD_REDIS_URL",
            code=ErrorCode.INVALID_REQUEST,
            field="--workers",
        )
    # Several processes: each builds its own app (and engine) from the same data folder, named to them
    # through the environment, as uvicorn starts its workers afresh from an import string.
    os.environ["PARCELGUARD_HOME"] = str(runtime.settings.home.resolve())
    if sequencer is None:
        runtime.close()
        uvicorn.run(_APP_FACTORY, factory=True, workers=workers, **options)
        return
    # uvicorn starts its workers by spawning fresh interpreters (no fork), so this thread and the
    # runtime's connections stay in this process alone.
    sequencer.start()
    try:
        uvicorn.run(_APP_FACTORY, factory=True, workers=workers, **options)
    finally:
        sequencer.stop()
        runtime.close()


_APP_FACTORY = "parcelguard.web.app:create_app"


def serve(
    host: str | None = typer.Option(None, help="default PARCELGUARD_HOST or 127.0.0.1"),
    port: int | None = typer.Option(None, help="default PARCELGUARD_PORT or 8000"),
    access_log: bool = typer.Option(False, "--access-log/--no-access-log", help=ACCESS_LOG_HELP),
    workers: int = typer.Option(1, min=1, max=64, help=WORKERS_HELP),
    sequencer: bool = typer.Option(True, "--sequencer/--no-sequencer", help=SEQUENCER_HELP),
    sequencer_every: float | None = typer.Option(
        None,
        "--sequencer-every",
        min=0.1,
        max=3600,
        help="seconds between the sequencer's ticks (default PARCELGUARD_SEQUENCER_EVERY_S or 10)",
    ),
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) and the tracking page.

    The server also runs the audit log's sequencer (docs/audit-log.md) unless --no-sequencer."""
    with reported_errors():
        runtime = open_runtime(may_create=True)
        host, port = host or runtime.settings.host, port or runtime.settings.port
        every = (sequencer_every or runtime.settings.sequencer_every_s) if sequencer else None
        _serve(runtime, host, port, access_log=access_log, workers=workers, sequencer_every=every)


DEMO_ORGANISATION = "demo platform"
DEMO_KEYS = (
    # (key name, scopes, what the listing says): one key with every scope, one read-only.
    ("demo platform", (Scope.ADMIN,), "every scope"),
    ("demo customer service (read-only)", (Scope.WAYBILL_READ,), "waybill:read"),
)


def demo(
    orders: int = typer.Option(
        200, min=0, max=100_000, help="synthetic orders to seed into an empty database"
    ),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="start the server afterwards"),
    host: str | None = typer.Option(None),
    port: int | None = typer.Option(None),
    new_keys: bool = typer.Option(
        False, "--new-keys", help="revoke the demo's API keys and print new ones (secrets show only once)"
    ),
    access_log: bool = typer.Option(False, "--access-log/--no-access-log", help=ACCESS_LOG_HELP),
) -> None:
    """Set up the embedded default (SQLite + local key file), seed synthetic waybills, print keys, serve.

    The demo organisation (a platform) and its two keys are made on the first run and reused after:
    a key's secret is stored only as a hash, so later runs print the key ids, not the secrets; pass
    ``--new-keys`` to replace both keys with new ones (the old ones stop working).
    """
    with reported_errors():
        settings = load_settings(may_create=True)
        runtime = open_runtime(check_schema=False, may_create=True)
        migrate.upgrade(runtime.engine)
        require_current_schema(runtime)  # and the key file opens what the database holds
        actor = operator().actor
        ctx = runtime.ctx
        organisation = _demo_organisation(ctx, actor)
        first = _seed(runtime, orders, organisation.id)
        keys = _demo_keys(ctx, actor, organisation.id, renew=new_keys)
        labels_dir = settings.home / "demo-labels"
        if first is not None:
            labels_dir.mkdir(parents=True, exist_ok=True)
            for fmt in ("pdf", "png", "zpl"):
                (labels_dir / f"{first}.{fmt}").write_bytes(
                    render_label(ctx, first, fmt, principal=operator())
                )
        url = f"http://{host or settings.host}:{port or settings.port}"
        console.print(f"\n[bold]ParcelGuard demo[/bold] - data in {settings.home.resolve()}")
        serving = f"(API docs: {url}/docs)" if serve_after else "(not serving: `parcelguard serve` starts it)"
        console.print(f"  URL:            {url}/   {serving}")
        console.print(f"  organisation:   {organisation.name} (platform)", highlight=False)
        for (_, _, what), (label, shown) in zip(DEMO_KEYS, keys, strict=True):
            console.print(f"  {label + ':':<15} {shown}   ({what})", highlight=False)
        fresh = all(not shown.endswith("…") for _, shown in keys)
        if not fresh:
            console.print(
                "  (secrets are shown only when a key is made: `parcelguard demo --new-keys` replaces "
                "the demo keys, `parcelguard keys create-api-key --org 'demo platform' ...` adds one)",
                highlight=False,
            )
        if first is not None:
            console.print(f"  sample waybill: {first}   labels in {labels_dir}")
            secret = keys[0][1] if fresh else "<platform key>"
            auth = f"Authorization: Bearer {secret}"
            console.print(f"  try:            curl -H '{auth}' {url}/v1/waybills/{first}", highlight=False)
        _demo_staff(settings.environment, ctx, organisation.id, actor, url)
        if serve_after:
            _serve(runtime, host or settings.host, port or settings.port, access_log=access_log)
        else:
            runtime.close()


def _demo_staff(environment: str, ctx: ServiceContext, organisation_id: int, actor: str, url: str) -> None:
    """Seed the demo station, one person per role and parcels on their way, and print each person's
    password (and TOTP set-up) this once; never in production settings, where people are added with
    ``parcelguard user add`` and choose their own passwords."""
    if environment == "prod":
        console.print(
            "  staff:          none seeded (PARCELGUARD_ENVIRONMENT=prod): add people with "
            "`parcelguard user add`",
            highlight=False,
        )
        return
    if demo_staff_exist(ctx):
        names = ", ".join(username for username, _ in DEMO_STAFF)
        console.print(
            f"  staff:          {names} at station {DEMO_STATION} (their passwords were shown on the first "
            "run only)",
            highlight=False,
        )
        return
    staff = seed_demo_staff(ctx, organisation_id=organisation_id, actor=actor)
    console.print(
        f"\n[bold]Demo staff[/bold] (station {staff.station}; sign in at {url}/signin). Passwords and "
        "TOTP set-ups are shown now and never again:",
    )
    for person in staff.people:
        console.print(f"  {person.username:<15} {person.role.value:<17} {person.password}", highlight=False)
        if person.totp_uri is not None:
            console.print(f"  {'':<15} TOTP: {person.totp_uri}", highlight=False)
    console.print(
        "  one-time codes: scan a TOTP URI into an authenticator app, or "
        "`.venv/bin/python -c \"import pyotp; print(pyotp.parse_uri('otpauth://...').now())\"`",
        highlight=False,
    )
    out = ", ".join(staff.out_for_delivery)
    console.print(f"  out for delivery with demo.courier: {out}", highlight=False)
    console.print(
        f"  at the counter of {staff.station}: {staff.at_counter}, pickup code {staff.pickup_code} "
        "(the last 4 digits of the recipient's mobile: ask demo.agent to reveal it against a ticket)",
        highlight=False,
    )


def _demo_organisation(ctx: ServiceContext, actor: str) -> Organisation:
    try:
        return find_organisation(ctx, DEMO_ORGANISATION)
    except NotFoundError:
        return add_organisation(ctx, actor=actor, name=DEMO_ORGANISATION, kind=OrganisationKind.PLATFORM)


def _demo_keys(
    ctx: ServiceContext, actor: str, organisation_id: int, *, renew: bool
) -> list[tuple[str, str]]:
    """(label, what to print) per demo key: a new key's secret, or an existing key's id only.

    Never more than the two demo keys are active: existing ones are reused, or revoked when renewed.
    """
    active = {
        key.name: key
        for key in list_api_keys(ctx, organisation_id=organisation_id)
        if key.revoked_at is None and key.name in {name for name, _, _ in DEMO_KEYS}
    }
    shown: list[tuple[str, str]] = []
    for (name, scopes, _), label in zip(DEMO_KEYS, ("platform key", "read-only key"), strict=True):
        existing = active.get(name)
        if existing is not None and not renew:
            shown.append((label, f"pgk_{existing.key_id}_…"))
            continue
        if existing is not None:
            revoke_api_key(ctx, existing.key_id, actor=actor)
        key = create_api_key(ctx, actor=actor, name=name, scopes=scopes, organisation_id=organisation_id)
        shown.append((label, key.presented))
    return shown


def _seed(runtime: Runtime, count: int, organisation_id: int) -> str | None:
    """Issue ``count`` synthetic orders for the demo organisation when it has none; returns one number."""
    people = SyntheticPeople(DEMO_SEED)
    with runtime.ctx.uow() as uow:
        existing = uow.waybills.any_tracking_number(organisation_id)
    if existing is not None or count == 0:
        return existing
    first: str | None = None
    for start in range(0, count, MAX_BATCH):
        batch = [people.order() for _ in range(min(MAX_BATCH, count - start))]
        result = issue_batch(runtime.ctx, batch, actor="system:demo", organisation_id=organisation_id)
        for item in result.items:
            if isinstance(item, IssuedWaybill) and first is None:
                first = item.tracking_number
    console.print(f"seeded {count} synthetic waybills")
    return first
