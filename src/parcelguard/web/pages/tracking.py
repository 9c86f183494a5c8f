"""Server-rendered pages: the public tracking page, enhanced with htmx.

The tracking fragment answers with the same HTTP status as the JSON API would (429 with ``Retry-After``
when rate-limited, 404, 422), so proxies, monitoring and scripts see what happened; htmx is configured in
base.html to show error fragments too. Times are shown in China Standard Time and statuses in Chinese and
English, as the customers of a Chinese carrier read them.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from parcelguard.bootstrap import Runtime
from parcelguard.errors import ParcelGuardError, RateLimitedError
from parcelguard.services.tracking import china_time, status_names, track_parcel
from parcelguard.web.api.deps import get_runtime
from parcelguard.web.client_address import client_of
from parcelguard.web.errors import status_for
from parcelguard.web.pages.common import PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
templates.env.filters["china_time"] = china_time
templates.env.filters["status_zh"] = lambda status: status_names(str(status))[0]
templates.env.filters["status_en"] = lambda status: status_names(str(status))[1]
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
    """The tracking result fragment; errors are shown in the page, with their code and HTTP status."""
    try:
        view = track_parcel(
            runtime.ctx,
            runtime.track_limiter,
            tracking_number,
            client=client_of(request, runtime),
            mobile_last4=mobile_last4.strip() or None,
        )
    except ParcelGuardError as error:
        headers = {}
        if isinstance(error, RateLimitedError):
            headers["Retry-After"] = str(max(1, math.ceil(error.retry_after_s)))
        return templates.TemplateResponse(
            request, "_tracking.html", {"error": error}, status_code=status_for(error.code), headers=headers
        )
    return templates.TemplateResponse(request, "_tracking.html", {"view": view})
