"""``parcelguard serve`` and ``parcelguard demo``: run the product, optionally with synthetic demo data."""

from __future__ import annotations

import typer
import uvicorn

from parcelguard.adapters.db import migrate
from parcelguard.bootstrap import Runtime
from parcelguard.cli.common import console, load_settings, open_runtime, operator, reported_errors
from parcelguard.domain.access import Scope
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.api_keys import create_api_key
from parcelguard.services.issuance import MAX_BATCH, IssuedWaybill, issue_batch
from parcelguard.services.labels import render_label
from parcelguard.web.app import create_app

DEMO_SEED = 20261123


def _serve(runtime: Runtime, host: str, port: int) -> None:
    # proxy_headers=False: uvicorn would otherwise rewrite the client address from X-Forwarded-For for
    # requests from 127.0.0.1, so anyone on the host could pose as any client; ParcelGuard resolves
    # trusted proxies itself (PARCELGUARD_TRUSTED_PROXIES, web/client_address.py).
    uvicorn.run(create_app(runtime=runtime), host=host, port=port, log_level="info", proxy_headers=False)


def serve(
    host: str | None = typer.Option(None, help="default PARCELGUARD_HOST or 127.0.0.1"),
    port: int | None = typer.Option(None, help="default PARCELGUARD_PORT or 8000"),
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) and the tracking page."""
    with reported_errors():
        runtime = open_runtime()
        _serve(runtime, host or runtime.settings.host, port or runtime.settings.port)


def demo(
    orders: int = typer.Option(
        200, min=0, max=100_000, help="synthetic orders to seed into an empty database"
    ),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="start the server afterwards"),
    host: str | None = typer.Option(None),
    port: int | None = typer.Option(None),
) -> None:
    """Set up the embedded default (SQLite + local key file), seed synthetic waybills, print logins, serve."""
    with reported_errors():
        settings = load_settings()
        runtime = open_runtime(check_schema=False)
        migrate.upgrade(runtime.engine)
        actor = operator().actor
        ctx = runtime.ctx
        first = _seed(runtime, orders)
        platform = create_api_key(ctx, actor=actor, name="demo platform", scopes=[Scope.ADMIN])
        reader = create_api_key(
            ctx, actor=actor, name="demo customer service (read-only)", scopes=[Scope.WAYBILL_READ]
        )
        labels_dir = settings.home / "demo-labels"
        if first is not None:
            labels_dir.mkdir(parents=True, exist_ok=True)
            for fmt in ("pdf", "png", "zpl"):
                (labels_dir / f"{first}.{fmt}").write_bytes(
                    render_label(ctx, first, fmt, principal=operator())
                )
        url = f"http://{host or settings.host}:{port or settings.port}"
        console.print(f"\n[bold]ParcelGuard demo[/bold] - data in {settings.home.resolve()}")
        console.print(f"  URL:            {url}/   (API docs: {url}/docs)")
        console.print(f"  platform key:   {platform.presented}   (all scopes)", highlight=False)
        console.print(f"  read-only key:  {reader.presented}   (waybill:read)", highlight=False)
        if first is not None:
            console.print(f"  sample waybill: {first}   labels in {labels_dir}")
            auth = f"Authorization: Bearer {platform.presented}"
            console.print(f"  try:            curl -H '{auth}' {url}/v1/waybills/{first}", highlight=False)
        if serve_after:
            _serve(runtime, host or settings.host, port or settings.port)
        else:
            runtime.close()


def _seed(runtime: Runtime, count: int) -> str | None:
    """Issue ``count`` synthetic orders when the database has none; returns one tracking number."""
    people = SyntheticPeople(DEMO_SEED)
    with runtime.ctx.uow() as uow:
        existing = uow.waybills.any_tracking_number()
    if existing is not None or count == 0:
        return existing
    first: str | None = None
    for start in range(0, count, MAX_BATCH):
        batch = [people.order() for _ in range(min(MAX_BATCH, count - start))]
        result = issue_batch(runtime.ctx, batch, actor="system:demo")
        for item in result.items:
            if isinstance(item, IssuedWaybill) and first is None:
                first = item.tracking_number
    console.print(f"seeded {count} synthetic waybills")
    return first
