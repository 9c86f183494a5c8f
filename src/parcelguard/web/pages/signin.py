"""Sign-in and sign-out of the staff pages: username, password and (for the roles that need it) TOTP.

The sign-in form itself is protected against login CSRF (a forged form signing a victim into the attacker's
account) with a double-submit token: GET /signin sets a random ``pg_signin`` cookie (Secure, HttpOnly,
SameSite=Strict) and puts the same value in the form; POST /signin refuses a form whose field does not match
the cookie. A successful sign-in opens a page session (services/auth.py: throttling, lockout, second
factor) and sets ``pg_session``; wrong credentials, a missing code and a locked account are shown in words
with the status the API answers (401, 401, 423) and the username kept, never the password.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parcelguard.errors import AccountLockedError, AuthenticationError, ErrorCode, ParcelGuardError
from parcelguard.services.auth import close_session, open_session
from parcelguard.web.client_address import client_of
from parcelguard.web.errors import status_for
from parcelguard.web.pages.common import (
    SESSION_IDLE_REASON,
    SIGN_IN_PATH,
    CurrentStaff,
    PageRoute,
    RuntimeDep,
    home_for,
    page_role,
    render,
    safe_next,
)
from parcelguard.web.pages.reasons import problem_for
from parcelguard.web.sessions import (
    CSRF_FIELD,
    SESSION_COOKIE,
    clear_session_cookie,
    csrf_token_matches,
    live_page_session,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)

SIGNIN_COOKIE = "pg_signin"
SIGNIN_COOKIE_MAX_AGE_S = 3600
PAGE_DEVICE = "web"  # what the audit log records as the device of a page session
# Why a page sent someone back here (``?reason=``): the only codes the sign-in page repeats.
SESSION_END_REASONS = {
    code.value: code for code in (ErrorCode.UNAUTHENTICATED, ErrorCode.USER_DISABLED, ErrorCode.OFFBOARDING)
}


def _signin_page(
    request: Request,
    runtime: RuntimeDep,
    *,
    token: str,
    error: ParcelGuardError | None = None,
    status_code: int | None = None,
    username: str | None = None,
    next_path: str | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    """The form with a refusal in words (answered with the API's status for it unless ``status_code``)."""
    context = {"signin_csrf": token, "username": username, "next_path": next_path}
    problem = problem_for(error) if error is not None else None
    if problem is not None and isinstance(error, AccountLockedError):
        minutes = max(1, math.ceil(error.retry_after_s / 60))
        wait = f" 约 {minutes} 分钟后再试 · Try again in about {minutes} minutes."
        problem = replace(problem, explanation=problem.explanation + wait)
    status = status_code or (status_for(error.code) if error is not None else 200)
    response = render(
        request, "signin.html", None, runtime, context, status_code=status, problem=problem, notice=notice
    )
    if isinstance(error, AccountLockedError):
        response.headers["Retry-After"] = str(max(1, math.ceil(error.retry_after_s)))
    response.set_cookie(
        SIGNIN_COOKIE,
        token,
        max_age=SIGNIN_COOKIE_MAX_AGE_S,
        path=SIGN_IN_PATH,
        secure=True,
        httponly=True,
        samesite="strict",
    )
    return response


def _signed_in(request: Request, runtime: RuntimeDep) -> bool:
    try:
        live_page_session(request, runtime.ctx, audit_refusal=False)  # an idle one is closed here too
    except AuthenticationError:
        return False
    return True


@router.get("/signin", response_class=HTMLResponse)
def signin_form(
    request: Request, runtime: RuntimeDep, reason: str | None = None, next: str | None = None
) -> Response:
    """The form; someone already signed in goes straight to their pages."""
    if _signed_in(request, runtime):
        return RedirectResponse(safe_next(next) or "/home", status_code=303)
    token = request.cookies.get(SIGNIN_COOKIE) or secrets.token_urlsafe(32)
    if reason == "signed_out":
        return _signin_page(request, runtime, token=token, notice="已退出 · You are signed out.")
    if reason == SESSION_IDLE_REASON:
        minutes = int(runtime.ctx.login_policy.session_idle.total_seconds() // 60)
        notice = f"{minutes} 分钟未操作，已自动退出 · Signed out after {minutes} minutes without activity."
        return _signin_page(request, runtime, token=token, notice=notice, next_path=safe_next(next))
    code = SESSION_END_REASONS.get(reason or "")
    # Why the last session ended (expired, disabled, offboarded), in words; the form itself is not refused.
    error = AuthenticationError("sign in again", code=code) if code is not None else None
    return _signin_page(
        request, runtime, token=token, error=error, status_code=200, next_path=safe_next(next)
    )


@router.post("/signin", response_class=HTMLResponse)
def signin(
    request: Request,
    runtime: RuntimeDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    otp: Annotated[str, Form(max_length=16)] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=128)] = "",
    next: Annotated[str, Form(max_length=512)] = "",
) -> Response:
    """Opens a page session and sends the person to ``next`` or to their first page."""
    expected = request.cookies.get(SIGNIN_COOKIE, "")
    fresh = secrets.token_urlsafe(32)
    shown_name = username.strip()[:32]
    if not expected or not csrf_token_matches(expected, csrf_token):
        error = AuthenticationError("the sign-in form expired", code=ErrorCode.CSRF_FAILED)
        return _signin_page(request, runtime, token=fresh, error=error, username=shown_name)
    try:
        session = open_session(
            runtime.ctx,
            username=username,
            password=password,
            otp=otp.strip() or None,
            client=client_of(request, runtime),
            device=PAGE_DEVICE,
        )
    except ParcelGuardError as error:
        return _signin_page(
            request, runtime, token=expected, error=error, username=shown_name, next_path=safe_next(next)
        )
    response = RedirectResponse(safe_next(next) or "/home", status_code=303)
    set_session_cookie(response, session)
    response.delete_cookie(SIGNIN_COOKIE, path=SIGN_IN_PATH, secure=True, httponly=True, samesite="strict")
    return response


@router.post("/signout")
def signout(request: Request, runtime: RuntimeDep, staff: CurrentStaff) -> Response:
    """Ends the session in the database (the cookie alone would not), then shows the sign-in page."""
    session_id = request.cookies.get(SESSION_COOKIE, "")
    close_session(runtime.ctx, session_id)
    response = RedirectResponse(f"{SIGN_IN_PATH}?reason=signed_out", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/home")
def home(staff: CurrentStaff) -> Response:
    """Each role's first page."""
    return RedirectResponse(home_for(page_role(staff.principal)), status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, runtime: RuntimeDep, staff: CurrentStaff) -> HTMLResponse:
    """Who is signed in, with which role, station and factors (the regulator's first page)."""
    return render(request, "account.html", staff, runtime)
