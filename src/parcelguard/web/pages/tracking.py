"""Server-rendered pages: the public tracking page, enhanced with htmx."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from parcelguard.bootstrap import Runtime
from parcelguard.errors import ParcelGuardError
from parcelguard.services.tracking import track_parcel
from parcelguard.web.api.deps import client_id, get_runtime

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


@router.get("/", response_class=HTMLResponse)
def index(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "index.html", {"carrier_name": runtime.settings.carrier_name})


@router.post("/track", response_class=HTMLResponse)
def track_page(
    request: Request,
    runtime: RuntimeDep,
    tracking_number: Annotated[str, Form()],
    mobile_last4: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """The tracking result fragment; errors are shown in the page, with their code."""
    try:
        view = track_parcel(
            runtime.ctx,
            runtime.track_limiter,
            tracking_number,
            client=client_id(request),
            mobile_last4=mobile_last4.strip() or None,
        )
    except ParcelGuardError as error:
        return templates.TemplateResponse(request, "_tracking.html", {"error": error}, status_code=200)
    return templates.TemplateResponse(request, "_tracking.html", {"view": view})
