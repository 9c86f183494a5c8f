"""The web application factory: nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from parcelguard import __version__
from parcelguard.bootstrap import Runtime, bootstrap, require_current_schema
from parcelguard.config import Settings
from parcelguard.web.api import deid, track, waybills
from parcelguard.web.errors import install_error_handlers
from parcelguard.web.pages import tracking as tracking_pages


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """An app over ``runtime`` (or one bootstrapped from ``settings``); refuses an outdated schema."""
    if runtime is None:
        runtime = bootstrap(settings or Settings())
    require_current_schema(runtime)
    owned = runtime

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        owned.close()

    app = FastAPI(
        title="ParcelGuard",
        version=__version__,
        description="Privacy waybills: encrypted personal data, masked labels, opaque QR tokens.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.include_router(waybills.router)
    app.include_router(track.router)
    app.include_router(deid.router)
    app.include_router(tracking_pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not request.url.path.startswith(("/docs", "/redoc")):
            response.headers.setdefault(
                "Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"
            )
        return response

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
