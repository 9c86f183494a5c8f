"""The one table from ErrorCode to HTTP status, and the handlers that answer ``{"code", "message", "field"}``.

Every answer that is not a success carries a member of ErrorCode, whoever raised it: the domain, FastAPI's
request validation (``missing_field``, ``unknown_field``, ``invalid_request``), a body that is not JSON
(``malformed_json``, 400, with line and column), Starlette's routing (``not_found``; ``method_not_allowed``
with its ``Allow`` header) and the body limit (``request_too_large``, 413). FastAPI's own validation errors
echo the offending input back; ours never do, because that input is usually a name, a phone or an address.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parcelguard.domain.strict_json import shown_key
from parcelguard.errors import (
    AccountLockedError,
    ErrorCode,
    ParcelGuardError,
    PermissionDeniedError,
    RateLimitedError,
)

log = logging.getLogger("parcelguard.web")

STATUS_BY_CODE: dict[ErrorCode, int] = {
    ErrorCode.INVALID_REQUEST: 422,
    ErrorCode.MALFORMED_JSON: 400,
    ErrorCode.MISSING_FIELD: 422,
    ErrorCode.UNKNOWN_FIELD: 422,
    ErrorCode.DUPLICATE_FIELD: 422,
    ErrorCode.REQUEST_TOO_LARGE: 413,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.ORGANISATION_NOT_FOUND: 404,
    ErrorCode.ORGANISATION_EXISTS: 409,
    ErrorCode.KEY_FILE_MISMATCH: 500,
    ErrorCode.LABEL_GLYPH_MISSING: 422,  # what the order asks to print; a waybill that issues always prints
    ErrorCode.RATE_LIMITER_UNAVAILABLE: 503,
    ErrorCode.DATA_FOLDER_NOT_FOUND: 500,
    ErrorCode.OUTPUT_NOT_WRITABLE: 500,
    ErrorCode.EMPTY_INPUT: 422,
    ErrorCode.INVALID_NAME: 422,
    ErrorCode.INVALID_MOBILE: 422,
    ErrorCode.INVALID_LANDLINE: 422,
    ErrorCode.INVALID_PHONE: 422,
    ErrorCode.INVALID_RESIDENT_ID: 422,
    ErrorCode.INVALID_ID_NUMBER: 422,
    ErrorCode.INVALID_ID_TYPE: 422,
    ErrorCode.INVALID_ADDRESS: 422,
    ErrorCode.INVALID_EMAIL: 422,
    ErrorCode.INVALID_PARCEL: 422,
    ErrorCode.INVALID_TRACKING_NUMBER: 422,
    ErrorCode.INVALID_LABEL_FORMAT: 422,
    ErrorCode.BATCH_TOO_LARGE: 413,
    ErrorCode.WAYBILL_NOT_FOUND: 404,
    ErrorCode.IDEMPOTENCY_CONFLICT: 409,
    ErrorCode.TRACKING_VERIFICATION_FAILED: 403,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INVALID_CREDENTIALS: 401,
    ErrorCode.SECOND_FACTOR_REQUIRED: 403,  # also a reveal refusal: this person lacks a second factor
    ErrorCode.ACCOUNT_LOCKED: 429,
    ErrorCode.USER_DISABLED: 403,
    ErrorCode.OFFBOARDING: 403,
    ErrorCode.USER_NOT_FOUND: 404,
    ErrorCode.USER_EXISTS: 409,
    ErrorCode.STATION_NOT_FOUND: 404,
    ErrorCode.STATION_EXISTS: 409,
    ErrorCode.CSRF_FAILED: 403,
    ErrorCode.NOT_ASSIGNED: 403,
    ErrorCode.OUTSIDE_WINDOW: 403,
    ErrorCode.PURPOSE_REQUIRED: 403,
    ErrorCode.TICKET_REQUIRED: 403,
    ErrorCode.QUOTA_EXCEEDED: 403,
    ErrorCode.APPROVAL_REQUIRED: 403,
    ErrorCode.ROLE_NOT_ALLOWED: 403,
    ErrorCode.FIELD_NOT_ALLOWED: 403,
    ErrorCode.SELF_APPROVAL: 403,
    ErrorCode.GRANT_NOT_FOUND: 404,
    ErrorCode.INVALID_TRANSITION: 409,
    ErrorCode.STATION_MISMATCH: 403,
    ErrorCode.PICKUP_VERIFICATION_FAILED: 403,
    ErrorCode.ACCESS_CODE_INVALID: 401,
    ErrorCode.ACCESS_CODE_EXPIRED: 410,
    ErrorCode.TOKEN_INVALID: 404,
    ErrorCode.TOKEN_REVOKED: 410,
    ErrorCode.LABEL_TOKEN_CONFLICT: 409,  # a first print that kept losing its token to revocations
    ErrorCode.KEY_FILE_MISSING: 500,
    ErrorCode.KEY_FILE_INSECURE: 500,
    ErrorCode.KEY_FILE_CORRUPT: 500,
    ErrorCode.KEY_VERSION_UNKNOWN: 500,
    ErrorCode.DECRYPTION_FAILED: 500,
    ErrorCode.LABEL_NOT_COMPLIANT: 422,  # what the order asks to print; a waybill that issues always prints
    ErrorCode.INSECURE_CONFIGURATION: 500,
    ErrorCode.INVALID_CONFIGURATION: 500,
    ErrorCode.DATABASE_NOT_READY: 503,
    ErrorCode.DATABASE_UNAVAILABLE: 503,
    ErrorCode.DATABASE_CORRUPT: 500,
    ErrorCode.INTERNAL: 500,
    ErrorCode.INVALID_POLICY: 422,
    ErrorCode.INVALID_DATASET: 422,
    ErrorCode.FPE_DOMAIN_TOO_SMALL: 422,
    ErrorCode.K_ANONYMITY_UNREACHABLE: 422,
    ErrorCode.DEPENDENCY_MISSING: 503,  # the server cannot serve this mode now; fast mode still works
    ErrorCode.POOL_EXHAUSTED: 409,
    ErrorCode.BINDING_EXISTS: 409,
    ErrorCode.BINDING_NOT_FOUND: 404,
    ErrorCode.BINDING_CONFLICT: 409,
    ErrorCode.PARTY_PHONE_MISSING: 409,
    ErrorCode.NUMBER_EXISTS: 409,
    ErrorCode.CALL_NOT_FOUND: 404,
    ErrorCode.PROVIDER_FAILED: 502,
}


def status_for(code: ErrorCode) -> int:
    return STATUS_BY_CODE.get(code, 500)


def error_response(
    code: ErrorCode, message: str, *, field: str | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The one error body: ``{"code", "message"}`` plus ``field`` when one field is at fault."""
    body = {"code": code.value, "message": message}
    if field:
        body["field"] = field
    return JSONResponse(body, status_code=status_for(code), headers=dict(headers or {}))


def _field_of(loc: Sequence[Any]) -> tuple[str | None, bool]:
    """``("body", "items", 3, "text")`` -> ``items.3.text``; ``("query", "format")`` -> ``format``.

    In a body, the path stops at the first key that is not an identifier (a key can hold anything:
    personal data, a lone surrogate), so such a key is reported by its parent's path (``operators``,
    ``items.0``, None for the body itself); the flag says the path was cut. pydantic's ``[key]`` marker
    is left out.
    """
    parts: list[str] = []
    located = bool(loc) and loc[0] in ("body", "query", "path", "header")
    for part in loc[1:] if located else ():
        if isinstance(part, int) and not isinstance(part, bool):
            parts.append(str(part))
        elif part == "[key]":
            continue
        elif loc[0] != "body" or shown_key(part):  # parameter names are ours; body keys are the caller's
            parts.append(str(part))
        else:
            return ".".join(parts) or None, True
    return ".".join(parts) or None, False


# pydantic error types whose message may quote what was sent (custom validators): replaced by a neutral one.
_UNSAFE_TYPES = ("value_error", "assertion_error")


def _line_and_column(document: object, position: int) -> tuple[int, int]:
    text = document.decode("utf-8", "replace") if isinstance(document, bytes) else str(document or "")
    position = max(0, min(position, len(text)))
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def validation_error_response(error: RequestValidationError) -> JSONResponse:
    """The first problem FastAPI found, as ``malformed_json``, ``missing_field``, ``unknown_field`` or
    ``invalid_request``, with its field path and a message that never quotes the input."""
    problems = error.errors()
    first = problems[0] if problems else {}
    kind = str(first.get("type", ""))
    loc = tuple(first.get("loc", ()))
    if kind == "json_invalid":
        position = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
        line, column = _line_and_column(error.body, position)
        reason = str((first.get("ctx") or {}).get("error", "not JSON"))
        return error_response(
            ErrorCode.MALFORMED_JSON,
            f"the body is not valid JSON: {reason} at line {line}, column {column}",
        )
    field, cut = _field_of(loc)
    where = f"a field of {field or 'the body'}" if cut else field or "the body"
    if kind == "missing":
        return error_response(ErrorCode.MISSING_FIELD, f"{where} is required", field=field)
    if kind == "extra_forbidden":
        return error_response(ErrorCode.UNKNOWN_FIELD, f"{where} is not a known field", field=field)
    if kind == "string_unicode":  # a lone surrogate: in a key, pydantic locates it at the key's object
        where = where if loc[1:] and not cut else f"a field name or value in {field or 'the body'}"
        return error_response(
            ErrorCode.INVALID_REQUEST, f"{where} is not valid Unicode text (a lone surrogate)", field=field
        )
    reason = "is invalid" if kind.startswith(_UNSAFE_TYPES) else f"is invalid: {first.get('msg', '')}"
    return error_response(ErrorCode.INVALID_REQUEST, f"{where} {reason}", field=field)


_HTTP_CODES = {
    400: (ErrorCode.MALFORMED_JSON, "the body could not be read as JSON (not UTF-8, too deep or too long)"),
    404: (ErrorCode.NOT_FOUND, "no such path"),
    405: (ErrorCode.METHOD_NOT_ALLOWED, "this path does not take this method (see Allow)"),
}


def install_error_handlers(app: FastAPI, *, max_body_bytes: int | None = None) -> None:
    @app.exception_handler(ParcelGuardError)
    async def _domain_error(_request: Request, error: ParcelGuardError) -> JSONResponse:
        headers = {}
        if isinstance(error, RateLimitedError | AccountLockedError):
            headers["Retry-After"] = str(max(1, math.ceil(error.retry_after_s)))
        if status_for(error.code) >= 500:
            log.error("request failed: %s", error.code.value)
        # A refusal is 403 whatever its reason code (a reveal refused for token_invalid is no 404).
        status = 403 if isinstance(error, PermissionDeniedError) else status_for(error.code)
        return JSONResponse(error.to_dict(), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _shape_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        return validation_error_response(error)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        headers = dict(error.headers or {})
        if error.status_code == 413:
            limit = f" of {max_body_bytes} bytes" if max_body_bytes else ""
            return error_response(
                ErrorCode.REQUEST_TOO_LARGE, f"the body is over the limit{limit}", headers=headers
            )
        default = (ErrorCode.INVALID_REQUEST if error.status_code < 500 else ErrorCode.INTERNAL, "")
        code, message = _HTTP_CODES.get(error.status_code, default)
        response = error_response(code, message or str(error.detail), headers=headers)
        response.status_code = error.status_code
        return response

    app.add_middleware(UnexpectedErrorMiddleware)


class UnexpectedErrorMiddleware:
    """Anything no handler caught becomes 500 ``internal_error``, logged by exception type only.

    A pure ASGI middleware: Starlette's ``BaseHTTPMiddleware`` runs the app in a task group, which wraps
    exceptions raised while the body is read (the body limit's 413) in an ExceptionGroup that FastAPI
    then reports as an unreadable body.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:
            # Neither the message nor the traceback is logged: either may carry request data.
            log.error("unexpected %s while handling a request", type(error).__name__)
            if started:
                raise
            await error_response(ErrorCode.INTERNAL, "internal error")(scope, receive, send)
