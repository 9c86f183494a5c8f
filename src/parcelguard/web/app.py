"""The web application factory: nothing is built at import time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from parcelguard import __version__
from parcelguard.bootstrap import Runtime, bootstrap, require_current_schema
from parcelguard.config import Settings
from parcelguard.services.audit_sequencer import AuditSequencer
from parcelguard.web.api import access as access_api
from parcelguard.web.api import audit_log, auth, deid, parcel_events, reveal, track, waybills
from parcelguard.web.api import schemas as s
from parcelguard.web.api import telephony as telephony_api
from parcelguard.web.docs import install_docs
from parcelguard.web.errors import install_error_handlers
from parcelguard.web.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from parcelguard.web.openapi import install_openapi
from parcelguard.web.pages import access as access_pages
from parcelguard.web.pages import tracking as tracking_pages
from parcelguard.web.pages.staff import install_staff_pages


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    sequencer: AuditSequencer | None = None,
) -> FastAPI:
    """An app over ``runtime`` (or one bootstrapped from ``settings``); refuses an outdated schema.

    ``sequencer``: the audit log's sequencer (cli/serve.py builds it over the same runtime), started when
    the server starts and stopped when it stops, before the runtime closes."""
    if runtime is None:
        runtime = bootstrap(settings or Settings())
    require_current_schema(runtime)
    owned = runtime

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if sequencer is not None:
            sequencer.start()
        try:
            yield
        finally:
            if sequencer is not None:
                await asyncio.to_thread(sequencer.stop)  # up to one batch; the loop stays free
            owned.close()

    app = FastAPI(
        title="ParcelGuard",
        version=__version__,
        description="Privacy waybills: encrypted personal data, masked labels, opaque QR tokens.",
        lifespan=lifespan,
        docs_url=None,  # served offline by install_docs, under the same CSP as everything else
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.sequencer = sequencer
    # Added first, so innermost of the middleware: inside the error handling and the body limit.
    app.add_middleware(waybills.SingleOrderFastPath)
    install_error_handlers(app, max_body_bytes=runtime.settings.max_body_bytes)
    app.include_router(waybills.router)
    app.include_router(track.router)
    app.include_router(deid.router)
    app.include_router(auth.router)
    app.include_router(reveal.router)
    app.include_router(parcel_events.router)
    app.include_router(audit_log.router)  # the verifiable audit log (issue 11)
    app.include_router(tracking_pages.router)
    app.include_router(telephony_api.router)  # virtual numbers (issue 12)
    app.include_router(access_api.router)  # access transparency for customers (issue 11)
    app.include_router(access_pages.router)
    install_staff_pages(app)  # sign-in, courier, outlet, customer service, security, admin
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    install_docs(app)
    install_openapi(app, extra_models=(s.WaybillCreate, s.WaybillBatchCreate))
    # Bodies are counted as they arrive (chunked ones too) and refused past the limit: 413.
    app.add_middleware(BodyLimitMiddleware, max_bytes=runtime.settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost of ours: every answer gets the headers

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
