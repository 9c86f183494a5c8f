"""Page sessions in a cookie, and CSRF protection for the pages that use them.

The cookie ``pg_session`` holds the session id (256 random bits; the database keeps only its SHA-256). It is
``Secure`` (never sent over plain HTTP; browsers treat http://localhost and 127.0.0.1 as secure for this),
``HttpOnly`` (no script can read it, so an injected script cannot steal it), ``SameSite=Strict`` (never sent
on a request another site starts) and ``Path=/``, and lives as long as the session (``Max-Age``).

CSRF: SameSite=Strict already keeps the cookie off cross-site requests; as a second, independent defence
every unsafe request (POST, PUT, PATCH, DELETE) of a page must also carry the session's CSRF token, in the
form field ``csrf_token`` or the ``X-CSRF-Token`` header (OWASP's synchronizer token pattern: the token is
random per session, kept server-side, and compared in constant time).

Every request re-reads the session and its user from the database (services.auth.principal_for_session),
so a person disabled or offboarded is signed out of every page at once.

Idle timeout: besides its absolute lifetime (``PARCELGUARD_SESSION_TTL_S``, 8 h), a page session ends after
``LoginPolicy.session_idle`` (15 minutes) without a request (OWASP ASVS 5.0 V7.3.1; NIST SP 800-63B rev. 3
§4.3.3). The database keeps it: the session's row records its last request (``last_seen_at``, written at most
once a minute, services.auth.principal_for_session), so an idle session is refused there (closed, audited
with reason ``idle``) whether or not anyone presents it again. Nothing about activity travels in a cookie
(an earlier signed ``pg_active`` stamp added nothing the row does not know; sign-out still drops it).
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request, Response

from parcelguard.domain.access import Principal
from parcelguard.errors import AuthenticationError, ErrorCode
from parcelguard.services.auth import PageSession, SessionIdleError, principal_for_session
from parcelguard.services.context import ServiceContext
from parcelguard.web.api.deps import get_ctx

SESSION_COOKIE = "pg_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
LEGACY_ACTIVITY_COOKIE = "pg_active"  # an activity stamp earlier versions set: dropped with the session

__all__ = ["SessionIdleError"]  # raised by principal_for_session for an idle session; pages import it here


def live_page_session(
    request: Request,
    ctx: ServiceContext,
    *,
    client: str | None = None,
    audit_refusal: bool = True,
) -> tuple[Principal, str]:
    """The person behind the ``pg_session`` cookie and the session's CSRF token, when the session is live
    (the request counts as its activity: services.auth.principal_for_session).

    Raises AuthenticationError ``unauthenticated`` (no or dead session), ``user_disabled``,
    ``offboarding``, or SessionIdleError after closing a session idle past its timeout.
    """
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        raise AuthenticationError("sign in first", code=ErrorCode.UNAUTHENTICATED)
    return principal_for_session(ctx, session_id, client=client, audit_refusal=audit_refusal)


def set_session_cookie(response: Response, session: PageSession) -> None:
    """Put the session in ``pg_session`` (Secure, HttpOnly, SameSite=Strict, Path=/, until it expires)."""
    max_age = session.max_age_s
    if max_age is None:
        max_age = max(0, int((session.expires_at - datetime.now(UTC)).total_seconds()))
    response.set_cookie(
        SESSION_COOKIE,
        session.session_id,
        max_age=max_age,
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response) -> None:
    """Tell the browser to drop the session cookie (same attributes, so it matches the one it holds), and
    the activity stamp of earlier versions."""
    for name in (SESSION_COOKIE, LEGACY_ACTIVITY_COOKIE):
        response.delete_cookie(name, path="/", secure=True, httponly=True, samesite="strict")


def csrf_token_matches(expected: str, presented: str | None) -> bool:
    """Whether ``presented`` is the session's CSRF token, compared in constant time."""
    if not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())


async def presented_csrf_token(request: Request) -> str | None:
    """The CSRF token a request carries: the ``X-CSRF-Token`` header, else the form field ``csrf_token``."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def check_csrf(request: Request, expected: str) -> None:
    """AuthenticationError ``csrf_failed`` (403) when an unsafe request lacks the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    if not csrf_token_matches(expected, await presented_csrf_token(request)):
        raise AuthenticationError(
            "this request did not carry the page's CSRF token", code=ErrorCode.CSRF_FAILED
        )


async def get_page_principal(request: Request, ctx: Annotated[ServiceContext, Depends(get_ctx)]) -> Principal:
    """The person behind the ``pg_session`` cookie, CSRF checked on unsafe methods.

    Raises AuthenticationError ``unauthenticated`` (no or dead session, or idle: live_page_session),
    ``user_disabled``, ``offboarding`` or ``csrf_failed``.
    """
    principal, csrf_token = live_page_session(request, ctx)
    await check_csrf(request, csrf_token)
    return principal


PagePrincipal = Annotated[Principal, Depends(get_page_principal)]
