"""The customers' access page: prove control of a parcel, then see who accessed its personal data.

Three steps, each a POST (nothing a customer types ever travels in a URL or lands in an access log):
``/access`` asks for the tracking number and the last 4 digits of the sender's or recipient's mobile; the
answer is always the code form (whether anything matched is never said); ``/access/verify`` exchanges the
6-digit code for a view pass held in the ``pg_access`` cookie (Secure, HttpOnly, SameSite=Strict,
``Path=/access``, 15 minutes) and sends the browser to ``/access/events``, the list. Each access there can be
downloaded as JSON with its inclusion proof (``/access/proof``), or all at once (``/access/proofs``).

CSRF: before a pass exists the forms carry a double-submit token (the ``pg_access_form`` cookie, like the
staff sign-in's ``pg_signin``); with a pass, every form carries the pass's own CSRF token, kept server-side.
Forms work without JavaScript; htmx, when loaded, swaps the main part of the page in place.
"""

from __future__ import annotations

import json
import math
import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parcelguard.errors import AuthenticationError, ErrorCode, ParcelGuardError, RateLimitedError
from parcelguard.services.access_transparency import (
    AccessPass,
    end_view_pass,
    list_accesses,
    prove_access,
    prove_accesses,
    request_access_code,
    verify_access_code,
    view_pass,
)
from parcelguard.web.access_views import proof_document, proofs_document
from parcelguard.web.client_address import client_of
from parcelguard.web.errors import status_for
from parcelguard.web.pages.common import PageRoute, RuntimeDep, render
from parcelguard.web.pages.reasons import problem_for
from parcelguard.web.pages.support import PURPOSE_LABELS
from parcelguard.web.sessions import CSRF_FIELD, csrf_token_matches

router = APIRouter(include_in_schema=False, route_class=PageRoute)

ACCESS_PATH = "/access"
FORM_COOKIE = "pg_access_form"
PASS_COOKIE = "pg_access"  # noqa: S105 - a cookie name, not a secret
FORM_COOKIE_MAX_AGE_S = 3600
ROLE_WORDS = {
    "admin": "管理员 · Administrator",
    "station_manager": "站长 · Station manager",
    "courier": "快递员 · Courier",
    "outlet_clerk": "驿站店员 · Outlet clerk",
    "cs_agent": "客服 · Customer service",
    "security_officer": "安全员 · Security officer",
    "regulator": "监管 · Regulator",
    "api_key": "系统接口 · API key",
    "operator": "运维 · Operator",
    "system": "系统 · System",
    "customer": "客户 · Customer",
}
DECISION_WORDS = {
    "allowed": "允许 · Allowed",
    "refused": "拒绝 · Refused",
    "pending": "待审批 · Pending",
}
PARTY_WORDS = {"recipient": "收件人 · Recipient", "sender": "寄件人 · Sender"}


def _cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path=ACCESS_PATH, secure=True, httponly=True, samesite="strict"
    )


def _form_page(
    request: Request,
    runtime: RuntimeDep,
    template: str,
    *,
    token: str,
    error: ParcelGuardError | None = None,
    context: dict[str, Any] | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    """A step before the pass: the form, its double-submit token, and a refusal in words if any."""
    values = {"form_csrf": token, **(context or {})}
    problem = problem_for(error) if error is not None else None
    status = status_for(error.code) if error is not None else 200
    response = render(
        request, template, None, runtime, values, status_code=status, problem=problem, notice=notice
    )
    if isinstance(error, RateLimitedError):
        response.headers["Retry-After"] = str(max(1, math.ceil(error.retry_after_s)))
    _cookie(response, FORM_COOKIE, token, FORM_COOKIE_MAX_AGE_S)
    return response


def _form_token(request: Request) -> str:
    return request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(32)


def _form_csrf_failed(request: Request, presented: str) -> bool:
    expected = request.cookies.get(FORM_COOKIE, "")
    return not expected or not csrf_token_matches(expected, presented)


def _expired_form() -> AuthenticationError:
    return AuthenticationError("the form expired", code=ErrorCode.CSRF_FAILED)


@router.get("/access", response_class=HTMLResponse)
def access_form(request: Request, runtime: RuntimeDep, ended: str | None = None) -> HTMLResponse:
    """Step 1: tracking number and the last 4 digits of your own mobile."""
    notice = None
    if ended == "1":
        notice = "查看已结束 · The view has ended. Ask for a new code to see it again."
    return _form_page(request, runtime, "access.html", token=_form_token(request), notice=notice)


@router.post("/access/challenge", response_class=HTMLResponse)
def access_challenge(
    request: Request,
    runtime: RuntimeDep,
    tracking_number: Annotated[str, Form(max_length=64)],
    mobile_last4: Annotated[str, Form(max_length=16)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=128)] = "",
) -> HTMLResponse:
    """Step 2: the code form, the same whatever matched (a code went out only if something did)."""
    token = _form_token(request)
    if _form_csrf_failed(request, csrf_token):
        return _form_page(request, runtime, "access.html", token=token, error=_expired_form())
    try:
        challenge = request_access_code(
            runtime.ctx,
            runtime.access,
            tracking_number.strip(),
            mobile_last4,
            client=client_of(request, runtime),
        )
    except ParcelGuardError as error:
        return _form_page(request, runtime, "access.html", token=token, error=error)
    return _form_page(
        request, runtime, "access_code.html", token=token, context={"challenge_id": challenge.challenge_id}
    )


@router.post("/access/verify", response_class=HTMLResponse)
def access_verify(
    request: Request,
    runtime: RuntimeDep,
    challenge_id: Annotated[str, Form(max_length=64)],
    code: Annotated[str, Form(max_length=32)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=128)] = "",
) -> Response:
    """Step 3: the right code opens the list (303 to /access/events, or ``HX-Redirect`` for htmx)."""
    token = _form_token(request)
    context = {"challenge_id": challenge_id}
    if _form_csrf_failed(request, csrf_token):
        return _form_page(
            request, runtime, "access_code.html", token=token, error=_expired_form(), context=context
        )
    try:
        granted = verify_access_code(
            runtime.ctx, runtime.access, challenge_id, code, client=client_of(request, runtime)
        )
    except ParcelGuardError as error:
        template = "access.html" if error.code is ErrorCode.ACCESS_CODE_EXPIRED else "access_code.html"
        return _form_page(request, runtime, template, token=token, error=error, context=context)
    return _to_events(request, granted)


def _to_events(request: Request, granted: AccessPass) -> Response:
    target = f"{ACCESS_PATH}/events"
    response: Response
    if request.headers.get("HX-Request") == "true":
        response = Response(status_code=204, headers={"HX-Redirect": target})
    else:
        response = RedirectResponse(target, status_code=303)
    max_age = max(1, int((granted.expires_at - datetime.now(UTC)).total_seconds()))
    _cookie(response, PASS_COOKIE, granted.token, max_age)
    response.delete_cookie(FORM_COOKIE, path=ACCESS_PATH, secure=True, httponly=True, samesite="strict")
    return response


def _back_to_start() -> Response:
    return RedirectResponse(f"{ACCESS_PATH}?ended=1", status_code=303)


@router.get("/access/events", response_class=HTMLResponse)
def access_events(request: Request, runtime: RuntimeDep) -> Response:
    """The list: every access to the parcel's personal data, with its leaf index in the audit log."""
    try:
        report = list_accesses(
            runtime.ctx, request.cookies.get(PASS_COOKIE), client=client_of(request, runtime)
        )
        granted = view_pass(runtime.ctx, request.cookies.get(PASS_COOKIE))
    except AuthenticationError:
        return _back_to_start()
    context = {
        "report": report,
        "pass_csrf": granted.csrf,
        "role_words": ROLE_WORDS,
        "decision_words": DECISION_WORDS,
        "purpose_words": PURPOSE_LABELS,
        "party_words": PARTY_WORDS,
    }
    return render(request, "access_events.html", None, runtime, context)


def _checked_pass(request: Request, runtime: RuntimeDep, presented: str) -> str | None:
    """The pass token when it is live and the form carries its CSRF token; None otherwise."""
    token = request.cookies.get(PASS_COOKIE)
    try:
        granted = view_pass(runtime.ctx, token)
    except AuthenticationError:
        return None
    if not csrf_token_matches(granted.csrf, presented):
        return None
    return token


def _download(document: dict[str, Any], filename: str) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/access/proof")
def access_proof(
    request: Request,
    runtime: RuntimeDep,
    seq: Annotated[int, Form(ge=1, le=2**62)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=128)] = "",
) -> Response:
    """One access and its inclusion proof against the signed checkpoint, as a JSON download."""
    token = _checked_pass(request, runtime, csrf_token)
    if token is None:
        return _back_to_start()
    try:
        proof = prove_access(runtime.ctx, token, seq)
    except AuthenticationError:
        return _back_to_start()
    document = proof_document(proof)
    return _download(document, f"access-proof-{proof.proof.leaf_index}.json")


@router.post("/access/proofs")
def access_proofs(
    request: Request,
    runtime: RuntimeDep,
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=128)] = "",
) -> Response:
    """Every access with its inclusion proof, against one checkpoint, as one JSON download."""
    token = _checked_pass(request, runtime, csrf_token)
    if token is None:
        return _back_to_start()
    try:
        proofs = prove_accesses(runtime.ctx, token, client=client_of(request, runtime))
    except AuthenticationError:
        return _back_to_start()
    return _download(proofs_document(proofs), "access-proofs.json")


@router.post("/access/end")
def access_end(
    request: Request,
    runtime: RuntimeDep,
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=128)] = "",
) -> Response:
    """End the view now: the pass stops working and its cookie is dropped."""
    token = _checked_pass(request, runtime, csrf_token)
    if token is not None:
        end_view_pass(runtime.ctx, token)
    response = _back_to_start()
    response.delete_cookie(PASS_COOKIE, path=ACCESS_PATH, secure=True, httponly=True, samesite="strict")
    return response
