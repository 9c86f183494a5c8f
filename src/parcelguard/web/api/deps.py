"""Request dependencies: the runtime built at start-up and the authenticated principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Principal
from parcelguard.errors import AuthenticationError, ErrorCode
from parcelguard.services.api_keys import authenticate
from parcelguard.services.context import ServiceContext


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_ctx(runtime: Annotated[Runtime, Depends(get_runtime)]) -> ServiceContext:
    return runtime.ctx


def get_principal(
    ctx: Annotated[ServiceContext, Depends(get_ctx)],
    authorization: Annotated[str | None, Header(description="Bearer pgk_<id>_<secret>")] = None,
    x_api_key: Annotated[str | None, Header(description="alternatively, the key itself")] = None,
) -> Principal:
    presented = x_api_key
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer":
            presented = value
    if not presented:
        raise AuthenticationError("an API key is required", code=ErrorCode.UNAUTHENTICATED)
    return authenticate(ctx, presented)


def client_id(request: Request) -> str:
    """What the rate limiter counts by: the peer address (put a trusted proxy's header here if any)."""
    return request.client.host if request.client else "unknown"


Ctx = Annotated[ServiceContext, Depends(get_ctx)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
