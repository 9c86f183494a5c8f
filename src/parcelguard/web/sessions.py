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
``SESSION_IDLE_TIMEOUT`` (15 minutes) without a request (OWASP ASVS 5.0 V7.3.1, an inactivity timeout;
NIST SP 800-63B rev. 3 §4.2.3 allows AAL2 at most 30 minutes and 12 h overall; these people see personal
data, so AAL3's 15 minutes, §4.3.3).
The time of the last request is kept in a second cookie, ``pg_active`` (same attributes, ``Max-Age`` the
idle timeout), as ``<unix seconds>.<HMAC>``: the MAC is the server's blind-index key over the session id
and that time, so the client can neither move it forward nor carry it to another session, and every
answer to a request with a live session sets a fresh one. A session presented with a stamp older than the
timeout, missing or forged is closed on the server (``close_session``, audited as a sign-out) and the
person sent to sign in again. Because the time lives in the cookie, a session nobody presents again stays
a row until its absolute expiry, unusable without a fresh stamp; a ``last_seen_at`` column on the session
row would end it there too (a schema change this module does not own).
"""

from __future__ import annotations

import base64
import hmac
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parcelguard.domain.access import Principal
from parcelguard.errors import AuthenticationError, ErrorCode
from parcelguard.services.auth import PageSession, close_session, principal_for_session
from parcelguard.services.context import ServiceContext
from parcelguard.web.api.deps import get_ctx

SESSION_COOKIE = "pg_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
ACTIVITY_COOKIE = "pg_active"
# Should become a setting (PARCELGUARD_SESSION_IDLE_TIMEOUT_S, 900, beside PARCELGUARD_SESSION_TTL_S).
SESSION_IDLE_TIMEOUT = timedelta(minutes=15)
_ACTIVITY_KIND = "page_session_activity"  # the blind-index kind the stamp's MAC is made under
_STATE_KEY = "pg_activity_stamp"  # where a request leaves the fresh stamp for ActivityCookieMiddleware


class SessionIdleError(AuthenticationError):
    """A page session presented after ``SESSION_IDLE_TIMEOUT`` without a request (or without a valid
    activity stamp): it has been closed. ``unauthenticated`` (401) to the JSON API."""

    def __init__(self) -> None:
        super().__init__(
            "the page session ended after a time without activity", code=ErrorCode.UNAUTHENTICATED
        )


def activity_stamp(ctx: ServiceContext, session_id: str, at: datetime) -> str:
    """``<unix seconds>.<MAC>``: when ``session_id`` was last used, MACed with the blind-index key."""
    seconds = int(at.timestamp())
    return f"{seconds}.{_activity_mac(ctx, session_id, seconds)}"


def _activity_mac(ctx: ServiceContext, session_id: str, seconds: int) -> str:
    digest = ctx.index.digest(_ACTIVITY_KIND, f"{session_id}.{seconds}")
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def active_within(
    ctx: ServiceContext, session_id: str, stamp: str | None, now: datetime, idle: timedelta
) -> bool:
    """Whether ``stamp`` is this session's and no older than ``idle`` at ``now`` (False if missing,
    malformed or forged; a stamp from the future by more than a minute of clock skew is no stamp)."""
    seconds_text, dot, mac = (stamp or "").partition(".")
    if not dot or not seconds_text.isascii() or not seconds_text.isdigit() or len(seconds_text) > 12:
        return False
    seconds = int(seconds_text)
    if not hmac.compare_digest(_activity_mac(ctx, session_id, seconds).encode(), mac.encode()):
        return False
    age = now.timestamp() - seconds
    return -60 <= age <= idle.total_seconds()


def live_page_session(
    request: Request,
    ctx: ServiceContext,
    *,
    client: str | None = None,
    audit_refusal: bool = True,
    idle: timedelta = SESSION_IDLE_TIMEOUT,
) -> tuple[Principal, str]:
    """The person behind the ``pg_session`` cookie and the session's CSRF token, when the session is live
    and was used within ``idle``; the answer then refreshes ``pg_active`` (ActivityCookieMiddleware).

    Raises AuthenticationError ``unauthenticated`` (no or dead session), ``user_disabled``,
    ``offboarding`` (as principal_for_session), or SessionIdleError after closing an idle session.
    """
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        raise AuthenticationError("sign in first", code=ErrorCode.UNAUTHENTICATED)
    principal, csrf_token = principal_for_session(ctx, session_id, client=client, audit_refusal=audit_refusal)
    now = ctx.clock()
    if not active_within(ctx, session_id, request.cookies.get(ACTIVITY_COOKIE), now, idle):
        close_session(ctx, session_id)
        raise SessionIdleError()
    setattr(request.state, _STATE_KEY, activity_stamp(ctx, session_id, now))
    return principal, csrf_token


def set_session_cookie(response: Response, session: PageSession, ctx: ServiceContext) -> None:
    """Put the session in ``pg_session`` (Secure, HttpOnly, SameSite=Strict, Path=/, until it expires) and
    its first activity stamp in ``pg_active``."""
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
    set_activity_cookie(response, activity_stamp(ctx, session.session_id, ctx.clock()))


def set_activity_cookie(response: Response, stamp: str, idle: timedelta = SESSION_IDLE_TIMEOUT) -> None:
    """``pg_active``: the same attributes as ``pg_session``, kept by the browser for the idle timeout."""
    response.set_cookie(
        ACTIVITY_COOKIE,
        stamp,
        max_age=int(idle.total_seconds()),
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response) -> None:
    """Tell the browser to drop the session cookies (same attributes, so they match the ones it holds)."""
    for name in (SESSION_COOKIE, ACTIVITY_COOKIE):
        response.delete_cookie(name, path="/", secure=True, httponly=True, samesite="strict")


class ActivityCookieMiddleware:
    """Sets the fresh ``pg_active`` stamp a request's live page session left (live_page_session) on its
    answer, whatever the route returned (a page, a redirect, a refusal), unless the answer sets or drops
    the cookie itself (sign-out). Pure ASGI, so a route's own Response objects need no help."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_stamp(message: Message) -> None:
            stamp = scope.get("state", {}).get(_STATE_KEY)
            if message["type"] == "http.response.start" and stamp and not _sets_activity(message):
                cookie = Response()
                set_activity_cookie(cookie, stamp)
                added = [(name, value) for name, value in cookie.raw_headers if name == b"set-cookie"]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, with_stamp)


def _sets_activity(start: Message) -> bool:
    """Whether the answer sets or drops ``pg_active`` itself (a sign-in, a sign-out): left as it is."""
    prefix = f"{ACTIVITY_COOKIE}=".encode()
    return any(
        name.lower() == b"set-cookie" and value.startswith(prefix) for name, value in start.get("headers", [])
    )


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
