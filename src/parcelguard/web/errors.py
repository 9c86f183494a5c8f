"""The one table from ErrorCode to HTTP status, and the handlers that answer ``{"code", "message"}``.

FastAPI's own validation errors echo the offending input back; ours never do, because that input is
usually a name, a phone number or an address.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from parcelguard.errors import ErrorCode, ParcelGuardError, RateLimitedError, ValidationError

log = logging.getLogger("parcelguard.web")

STATUS_BY_CODE: dict[ErrorCode, int] = {
    ErrorCode.INVALID_REQUEST: 422,
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
    ErrorCode.TOKEN_INVALID: 404,
    ErrorCode.TOKEN_REVOKED: 410,
    ErrorCode.KEY_FILE_MISSING: 500,
    ErrorCode.KEY_FILE_INSECURE: 500,
    ErrorCode.KEY_FILE_CORRUPT: 500,
    ErrorCode.KEY_VERSION_UNKNOWN: 500,
    ErrorCode.DECRYPTION_FAILED: 500,
    ErrorCode.LABEL_NOT_COMPLIANT: 500,
    ErrorCode.INSECURE_CONFIGURATION: 500,
    ErrorCode.DATABASE_NOT_READY: 503,
    ErrorCode.INTERNAL: 500,
    ErrorCode.INVALID_POLICY: 422,
    ErrorCode.INVALID_DATASET: 422,
    ErrorCode.FPE_DOMAIN_TOO_SMALL: 422,
    ErrorCode.K_ANONYMITY_UNREACHABLE: 422,
    ErrorCode.DEPENDENCY_MISSING: 500,
}


def status_for(code: ErrorCode) -> int:
    return STATUS_BY_CODE.get(code, 500)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ParcelGuardError)
    async def _domain_error(_request: Request, error: ParcelGuardError) -> JSONResponse:
        headers = {}
        if isinstance(error, RateLimitedError):
            headers["Retry-After"] = str(max(1, math.ceil(error.retry_after_s)))
        if status_for(error.code) >= 500:
            log.error("request failed: %s", error.code.value)
        return JSONResponse(error.to_dict(), status_code=status_for(error.code), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _shape_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        where = sorted(
            {".".join(str(part) for part in e.get("loc", ()) if part != "body") for e in error.errors()}
        )
        fields = ", ".join(w for w in where if w) or "body"
        body = ValidationError(f"malformed request at: {fields}", code=ErrorCode.INVALID_REQUEST).to_dict()
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return JSONResponse({"code": code, "message": str(error.detail)}, status_code=error.status_code)

    @app.middleware("http")
    async def _unexpected(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        try:
            return await call_next(request)
        except Exception as error:
            # Neither the message nor the traceback is logged: either may carry request data.
            log.error("unexpected %s while handling a request", type(error).__name__)
            return JSONResponse(
                {"code": ErrorCode.INTERNAL.value, "message": "internal error"}, status_code=500
            )
