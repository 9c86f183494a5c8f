"""Request dependencies: the runtime built at start-up and the authenticated principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Principal, Scope
from parcelguard.errors import AuthenticationError, ErrorCode, PermissionDeniedError
from parcelguard.services.api_keys import authenticate
from parcelguard.services.auth import TOKEN_PREFIX, principal_for_access_token
from parcelguard.services.context import ServiceContext
from parcelguard.web.client_address import client_of


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_ctx(runtime: Annotated[Runtime, Depends(get_runtime)]) -> ServiceContext:
    return runtime.ctx


# The two OpenAPI security schemes (either one will do); the scopes an operation needs are listed in its
# security requirement (OpenAPI 3.1 allows role names for non-OAuth schemes).
bearer_scheme = HTTPBearer(
    scheme_name="ApiKeyBearer",
    description=(
        "`Authorization: Bearer pgk_<id>_<secret>` (an API key), or a person's short-lived "
        "`Bearer pgt_...` from `POST /v1/auth/token` (scopes from the role)"
    ),
    auto_error=False,
)
_header = APIKeyHeader(
    name="X-API-Key",
    scheme_name="ApiKeyHeader",
    description="the same key, `pgk_<id>_<secret>`",
    auto_error=False,
)


def get_principal(
    request: Request,
    ctx: Annotated[ServiceContext, Depends(get_ctx)],
    security_scopes: SecurityScopes,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    x_api_key: Annotated[str | None, Depends(_header)],
) -> Principal:
    """The principal of an API key, or of a person's bearer token (``pgt_...``, checked against the
    person's current state on every request: ``user_disabled``, ``offboarding``), holding every scope the
    route names (FORBIDDEN otherwise). UNAUTHENTICATED without valid credentials."""
    presented = bearer.credentials if bearer is not None else x_api_key
    if not presented:
        raise AuthenticationError("an API key is required", code=ErrorCode.UNAUTHENTICATED)
    if bearer is not None and presented.startswith(TOKEN_PREFIX):
        client = client_of(request, get_runtime(request))
        principal = principal_for_access_token(ctx, presented, client=client)
    else:
        principal = authenticate(ctx, presented)
    for scope in security_scopes.scopes:
        principal.require(Scope(scope))
    return principal


def get_user_principal(principal: Annotated[Principal, Security(get_principal)]) -> Principal:
    """A person signed in with a bearer token; an API key is FORBIDDEN here (people act as themselves)."""
    if not principal.is_user:
        raise PermissionDeniedError(
            "this needs a person's bearer token (POST /v1/auth/token), not an API key",
            code=ErrorCode.FORBIDDEN,
        )
    return principal


def client_id(request: Request) -> str:
    """What the rate limiter counts by: the peer address (put a trusted proxy's header here if any)."""
    return request.client.host if request.client else "unknown"


Ctx = Annotated[ServiceContext, Depends(get_ctx)]
CurrentPrincipal = Annotated[Principal, Security(get_principal)]
IssuePrincipal = Annotated[Principal, Security(get_principal, scopes=[Scope.WAYBILL_ISSUE.value])]
ReadPrincipal = Annotated[Principal, Security(get_principal, scopes=[Scope.WAYBILL_READ.value])]
PrintPrincipal = Annotated[Principal, Security(get_principal, scopes=[Scope.LABEL_PRINT.value])]
ResolvePrincipal = Annotated[Principal, Security(get_principal, scopes=[Scope.LABEL_TOKEN_RESOLVE.value])]
DeidPrincipal = Annotated[Principal, Security(get_principal, scopes=[Scope.DEID_USE.value])]
UserPrincipal = Annotated[Principal, Security(get_user_principal)]
