"""The route class every API router uses: JSON bodies are decoded once, refusing duplicate keys.

FastAPI decodes a JSON body with ``json.loads``, which keeps the last of two equal keys. Before FastAPI's
own handler runs, this route decodes the body with ``domain.strict_json.loads_strict`` (DUPLICATE_FIELD,
422, with the field path) and hands the decoded value on, so the body is still decoded only once. A body
that is not JSON at all is left to FastAPI, whose error the handlers turn into ``malformed_json`` with line
and column.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from parcelguard.domain.strict_json import loads_strict

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class StrictJsonRoute(APIRoute):
    """An APIRoute whose JSON body may not repeat a key in any object (DUPLICATE_FIELD)."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def strict_handler(request: Request) -> Response:
            body = await request.body()
            if body and _is_json(request.headers.get("content-type")):
                try:
                    decoded = loads_strict(body)
                except (ValueError, RecursionError):
                    pass  # not JSON: FastAPI decodes it again and reports where (malformed_json)
                else:
                    # Starlette's Request.json() answers from this cache: the body is decoded once.
                    request._json = decoded
            return await handler(request)

        return strict_handler
