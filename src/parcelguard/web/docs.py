"""``/docs`` (Swagger UI) and ``/redoc`` with no internet access, under the same CSP as every other page.

FastAPI's defaults load both from a CDN and start them with an inline script, which neither an offline
installation nor ``default-src 'self'`` allows. The assets come from the ``fastapi-offline`` package (it
ships swagger-ui and redoc builds) and are served by ParcelGuard at ``/docs-assets``; Swagger UI starts from
``/static/swagger-init.js`` and Redoc from its ``<redoc spec-url>`` element, so no inline script is needed.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_PATH = "/docs-assets"


def install_docs(app: FastAPI) -> None:
    """Mount the assets and add the two pages; ``app`` was built with ``docs_url=redoc_url=None``."""
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS), name="docs-assets")
    title = escape(app.title)

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = escape(request.scope.get("root_path", ""))
        return HTMLResponse(
            f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} API</title>
<link rel="icon" href="{root}{ASSETS_PATH}/favicon.png">
<link rel="stylesheet" href="{root}{ASSETS_PATH}/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi-url="{root}/openapi.json"></div>
<script src="{root}{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{root}/static/swagger-init.js"></script></body></html>
"""
        )

    @app.get("/redoc", include_in_schema=False, response_class=HTMLResponse)
    def redoc(request: Request) -> HTMLResponse:
        root = escape(request.scope.get("root_path", ""))
        return HTMLResponse(
            f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} API</title>
<link rel="icon" href="{root}{ASSETS_PATH}/favicon.png"></head>
<body><redoc spec-url="{root}/openapi.json"></redoc>
<script src="{root}{ASSETS_PATH}/redoc.standalone.js"></script></body></html>
"""
        )
