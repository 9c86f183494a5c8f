"""The OpenAPI document as the contract: every status an operation can answer, with its error codes.

FastAPI documents the happy path and a 422 shaped like its own validation errors. ParcelGuard answers
``{"code", "message", "field"}`` for every error, so the document is post-processed once: each operation
lists every status it can answer, each with the ErrorRead schema and the codes it can carry. What an
operation can answer is inferred from what it has (a body: 400, 413, 422; parameters: 422; a security
requirement: 401, 403; a tracking number in the path: 404; public tracking: 429; always 500) plus the
codes a route declares with ``error_responses``. The order schemas, which the routes do not validate with
pydantic (the domain does, item by item), are added as components.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from parcelguard.domain.access import Scope
from parcelguard.errors import ErrorCode
from parcelguard.web.api import schemas as s
from parcelguard.web.errors import STATUS_BY_CODE, status_for

_CODES_KEY = "x-error-codes"
_ERROR_REF = {"$ref": "#/components/schemas/ErrorRead"}
_BODY_CODES = (
    ErrorCode.MALFORMED_JSON,
    ErrorCode.REQUEST_TOO_LARGE,
    ErrorCode.INVALID_REQUEST,
    ErrorCode.MISSING_FIELD,
    ErrorCode.UNKNOWN_FIELD,
    ErrorCode.DUPLICATE_FIELD,
)
ORDER_CODES = (
    ErrorCode.MISSING_FIELD,
    ErrorCode.UNKNOWN_FIELD,
    ErrorCode.INVALID_REQUEST,
    ErrorCode.INVALID_NAME,
    ErrorCode.INVALID_MOBILE,
    ErrorCode.INVALID_ADDRESS,
    ErrorCode.INVALID_ID_TYPE,
    ErrorCode.INVALID_RESIDENT_ID,
    ErrorCode.INVALID_ID_NUMBER,
    ErrorCode.INVALID_PARCEL,
    ErrorCode.LABEL_NOT_COMPLIANT,
    ErrorCode.LABEL_GLYPH_MISSING,
)
_DESCRIPTIONS = {
    400: "the body is not JSON",
    401: "no API key, or not a valid one",
    403: "the key lacks the scope",
    404: "not found",
    405: "method not allowed",
    409: "conflict",
    410: "gone",
    413: "the body or the batch is too large",
    422: "the input is invalid",
    429: "rate-limited; retry after Retry-After seconds",
    500: "internal error",
    503: "a service ParcelGuard depends on is unavailable",
}


def error_responses(*codes: ErrorCode, refusals: Iterable[ErrorCode] = ()) -> dict[int | str, dict[str, Any]]:
    """A route's ``responses=``: the statuses of ``codes``, listing them (merged with the inferred ones);
    ``refusals`` are listed under 403 whatever their own status (a PermissionDeniedError is always 403)."""
    by_status: dict[int, list[str]] = defaultdict(list)
    for code in codes:
        by_status[status_for(code)].append(code.value)
    for code in refusals:
        by_status[403].append(code.value)
    return {status: {"model": s.ErrorRead, _CODES_KEY: values} for status, values in by_status.items()}


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads a JSON body itself but is described by ``model``."""
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": ref}}}}


def install_openapi(app: FastAPI, *, extra_models: Iterable[type[BaseModel]]) -> None:
    """Replace ``app.openapi`` with the post-processed document (built once, then cached)."""
    models = tuple(extra_models)

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=_description(app.description),
                routes=app.routes,
            )
            _add_models(document, (*models, s.ErrorRead))
            for path, item in document.get("paths", {}).items():
                for method, operation in item.items():
                    _document_errors(path, method, operation)
            schemas = document.get("components", {}).get("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422 shape, never answered
                schemas.pop(unused, None)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]


def _description(intro: str) -> str:
    rows = "\n".join(
        f"| `{code.value}` | {status_for(code)} |" for code in ErrorCode if code in STATUS_BY_CODE
    )
    scopes = ", ".join(f"`{scope.value}`" for scope in Scope)
    return (
        f"{intro}\n\nAuthenticate with `Authorization: Bearer pgk_<id>_<secret>` or `X-API-Key`; people "
        "send `Authorization: Bearer pgt_...` from `POST /v1/auth/token`, with the scopes of their role. "
        "Scopes: "
        f"{scopes} (`admin` holds them all); each operation's security requirement names the scope it "
        'needs.\n\nEvery error is `{"code", "message", "field"}` (`field` when one field is at '
        "fault, as a dotted path); messages never repeat the input. Codes and their HTTP status:\n\n"
        f"| code | status |\n|---|---|\n{rows}\n"
    )


def _add_models(document: dict[str, Any], models: Iterable[type[BaseModel]]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema


def _document_errors(path: str, method: str, operation: dict[str, Any]) -> None:
    if method not in {"get", "post", "put", "patch", "delete"}:
        return
    codes: dict[int, set[str]] = defaultdict(set)
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for declared_status, declared_response in list(responses.items()):
        declared = declared_response.pop(_CODES_KEY, None)
        if declared:
            codes[int(declared_status)].update(declared)
    if "requestBody" in operation:
        for code in _BODY_CODES:
            codes[status_for(code)].add(code.value)
        schema = operation["requestBody"]["content"].get("application/json", {}).get("schema", {})
        if "$ref" in schema:
            schema.pop("title", None)
    if operation.get("parameters"):
        codes[422].add(ErrorCode.INVALID_REQUEST.value)
        if any(p.get("required") for p in operation["parameters"]):
            codes[422].add(ErrorCode.MISSING_FIELD.value)
    if operation.get("security"):
        codes[401].add(ErrorCode.UNAUTHENTICATED.value)
        codes[403].add(ErrorCode.FORBIDDEN.value)
    if "{tracking_number}" in path:
        codes[404].add(ErrorCode.WAYBILL_NOT_FOUND.value)
        codes[422].add(ErrorCode.INVALID_TRACKING_NUMBER.value)
    if path.startswith("/v1/track/"):
        codes[429].add(ErrorCode.RATE_LIMITED.value)
        codes[503].add(ErrorCode.RATE_LIMITER_UNAVAILABLE.value)  # the shared (Redis) limiter is down
    codes[500].add(ErrorCode.INTERNAL.value)
    for status, values in sorted(codes.items()):
        listed = ", ".join(f"`{v}`" for v in sorted(values))
        response = {
            "description": f"{_DESCRIPTIONS.get(status, 'error')}: {listed}",
            "content": {"application/json": {"schema": _ERROR_REF}},
        }
        if status == 429:
            response["headers"] = {
                "Retry-After": {"description": "seconds", "schema": {"type": "integer", "minimum": 1}}
            }
        responses[str(status)] = response
    operation["responses"] = dict(sorted(responses.items()))
