"""Request dependencies: the runtime built at start-up and the authenticated principal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Principal, Scope
from parcelguard.errors import AuthenticationError, ErrorCode, PermissionDeniedError
from parcelguard.services import transparency_log
from parcelguard.services.api_keys import authenticate
from parcelguard.services.auth import TOKEN_PREFIX, principal_for_access_token
from parcelguard.services.context import ServiceContext
from parcelguard.web.client_address import client_of


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_ctx(request: Request) -> ServiceContext:
    """The runtime's service context. ``async`` only so that FastAPI calls it on the event loop: a plain
    ``def`` dependency costs a hop to a worker thread and back on every request (issue 9: four such hops,
    each a thread wake-up under the GIL, were a sixth of the server's CPU on ``POST /v1/waybills``)."""
    return get_runtime(request).ctx


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


@dataclass(frozen=True, slots=True)
class Credentials:
    """Credentials a request presented, not yet checked: ``principal()`` checks them (against the database).

    A route that runs in a worker thread anyway takes these instead of a ``Principal`` and checks them first
    thing in that thread, so that authentication costs no hop of its own to a worker thread and back
    (issue 9). The checks, their order and their errors are those of ``get_principal``: missing credentials
    are refused at once, on the event loop; the API key or the person's bearer token is looked up on every
    request (a revoked key, a disabled or offboarded person is refused at once).
    """

    request: Request
    ctx: ServiceContext
    presented: str
    is_bearer: bool
    scopes: tuple[str, ...]

    @property
    def shared(self) -> tuple[str, tuple[str, ...]] | None:
        """What requests checked together may share one check by (an API key and the scopes asked for), or
        None for a person's token, checked on its own each time (its client address counts)."""
        if self.is_bearer and self.presented.startswith(TOKEN_PREFIX):
            return None
        return (self.presented, self.scopes)

    def principal(self) -> Principal:
        """The principal of an API key, or of a person's bearer token (``pgt_...``, checked against the
        person's current state: ``user_disabled``, ``offboarding``), holding every scope the route names
        (FORBIDDEN otherwise). UNAUTHENTICATED for a key or token that is not valid. Blocking: call it from
        a worker thread."""
        if self.is_bearer and self.presented.startswith(TOKEN_PREFIX):
            client = client_of(self.request, get_runtime(self.request))
            principal = principal_for_access_token(self.ctx, self.presented, client=client)
        else:
            principal = authenticate(self.ctx, self.presented)
        for scope in self.scopes:
            principal.require(Scope(scope))
        return principal


async def presented_credentials(request: Request) -> tuple[str, bool] | None:
    """The credentials a request presents, read as ``get_credentials`` reads them (a bearer token first,
    else ``X-API-Key``), with whether it was a bearer token; None when there are none."""
    bearer = await bearer_scheme(request)
    presented = bearer.credentials if bearer is not None else await _header(request)
    return (presented, bearer is not None) if presented else None


async def get_credentials(
    request: Request,
    ctx: Annotated[ServiceContext, Depends(get_ctx)],
    security_scopes: SecurityScopes,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    x_api_key: Annotated[str | None, Depends(_header)],
) -> Credentials:
    """The credentials presented (a bearer token first, else ``X-API-Key``), checked later by
    ``Credentials.principal``; UNAUTHENTICATED at once when there are none."""
    presented = bearer.credentials if bearer is not None else x_api_key
    if not presented:
        raise AuthenticationError("an API key is required", code=ErrorCode.UNAUTHENTICATED)
    return Credentials(request, ctx, presented, bearer is not None, tuple(security_scopes.scopes))


def get_principal(credentials: Annotated[Credentials, Security(get_credentials)]) -> Principal:
    """The principal of an API key, or of a person's bearer token (``pgt_...``, checked against the
    person's current state on every request: ``user_disabled``, ``offboarding``), holding every scope the
    route names (FORBIDDEN otherwise). UNAUTHENTICATED without valid credentials."""
    return credentials.principal()


def get_user_principal(principal: Annotated[Principal, Security(get_principal)]) -> Principal:
    """A person signed in with a bearer token; an API key is FORBIDDEN here (people act as themselves)."""
    if not principal.is_user:
        raise PermissionDeniedError(
            "this needs a person's bearer token (POST /v1/auth/token), not an API key",
            code=ErrorCode.FORBIDDEN,
        )
    return principal


def get_audit_reader(principal: Annotated[Principal, Security(get_principal)]) -> Principal:
    """A reader of the verifiable audit log (every ``/v1/audit`` route depends on this, and only this).

    The log's entries are the carrier's record of every organisation's events (staff usernames, client
    addresses, tickets, tracking numbers), and its checkpoints and proofs describe that same log: it is read
    by the carrier's auditors alone, a security officer, a regulator or an administrator of the carrier
    organisation signed in, or a carrier API key with ``admin`` (``transparency_log.require_auditor``). A
    platform's keys and people are FORBIDDEN whatever their scopes or role, as with telephony; customers see
    their own parcel's accesses and proofs through ``/v1/access`` instead (docs/audit-log.md).
    """
    transparency_log.require_auditor(principal)  # the carrier's auditors only (platforms refused there)
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
IssueCredentials = Annotated[Credentials, Security(get_credentials, scopes=[Scope.WAYBILL_ISSUE.value])]
"""Like IssuePrincipal, checked by the route itself in its worker thread (``Credentials.principal``)."""
DeidPrincipal = Annotated[Principal, Security(get_principal, scopes=[Scope.DEID_USE.value])]
UserPrincipal = Annotated[Principal, Security(get_user_principal)]
