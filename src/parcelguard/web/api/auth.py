"""/v1/auth: short-lived bearer tokens for people's devices and scripts.

``POST /v1/auth/token`` signs a person in (password, and the one-time code for roles with a second factor)
and answers an opaque token to send as ``Authorization: Bearer pgt_...``. The token is checked against the
person's current state on every request, so disabling or offboarding them stops it at once. Credentials
travel only in the body, never in the URL, and are never logged.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, Security
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field

from parcelguard.bootstrap import Runtime
from parcelguard.errors import ErrorCode
from parcelguard.services.auth import issue_access_token, revoke_credential
from parcelguard.web.api.deps import UserPrincipal, bearer_scheme, get_runtime
from parcelguard.web.client_address import client_of
from parcelguard.web.json_body import StrictJsonRoute
from parcelguard.web.openapi import error_responses

router = APIRouter(prefix="/v1/auth", tags=["sign-in"], route_class=StrictJsonRoute)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    username: str = Field(min_length=1, max_length=64, description="the person's username")
    password: str = Field(min_length=1, max_length=1024, description="never logged, never stored")
    otp: str | None = Field(
        default=None,
        max_length=16,
        description="the 6-digit code of the authenticator app: required for admin, security_officer, "
        "cs_agent and regulator; each code works once",
    )
    device: str | None = Field(
        default=None, max_length=64, description="a name for the device, recorded in the audit log"
    )


class TokenRead(BaseModel):
    access_token: str = Field(description="send as `Authorization: Bearer <access_token>`")
    expires_in: int = Field(description="seconds until the token expires")
    token_type: str = "Bearer"  # noqa: S105 - the OAuth 2.0 token type name (RFC 6750)


@router.post(
    "/token",
    response_model=TokenRead,
    responses=error_responses(
        ErrorCode.INVALID_CREDENTIALS,
        ErrorCode.SECOND_FACTOR_REQUIRED,
        ErrorCode.USER_DISABLED,
        ErrorCode.OFFBOARDING,
        ErrorCode.ACCOUNT_LOCKED,
    ),
)
def create_token(body: TokenRequest, request: Request, runtime: RuntimeDep) -> TokenRead:
    """Sign in; answers a bearer token (PARCELGUARD_ACCESS_TOKEN_TTL_S, 15 minutes by default).

    A wrong username, password or code answers 401 ``invalid_credentials`` alike; a role with a second
    factor asked without ``otp`` answers 403 ``second_factor_required``; repeated failures lock the account
    (and a client address trying many) with 429 ``account_locked`` and ``Retry-After``.
    """
    token = issue_access_token(
        runtime.ctx,
        username=body.username,
        password=body.password,
        otp=body.otp,
        client=client_of(request, runtime),
        device=body.device,
    )
    return TokenRead(access_token=token.access_token, expires_in=token.expires_in)


@router.post("/token/revoke", status_code=204, response_class=Response)
def revoke_token(
    principal: UserPrincipal,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    runtime: RuntimeDep,
) -> Response:
    """Sign out: the bearer token that authenticates this request stops working."""
    if credentials is not None:
        revoke_credential(runtime.ctx, credentials.credentials)
    return Response(status_code=204)
