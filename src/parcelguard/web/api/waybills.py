"""/v1/waybills: issue, view masked, print labels, revoke label tokens.

The two issuing routes read the JSON body themselves (``Any``) and hand it to the domain's one order
contract (``parse_order``), so a batch answers every item on its own; WaybillCreate describes that contract
in the OpenAPI document.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar
from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Send
from starlette.types import Scope as ASGIScope

from parcelguard.adapters.render import CONTENT_TYPES
from parcelguard.domain.access import Scope
from parcelguard.domain.order import refuse_unknown_fields
from parcelguard.domain.strict_json import loads_strict
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.errors import ErrorCode, ParcelGuardError, ValidationError
from parcelguard.services import issuance, labels, waybills
from parcelguard.services.issuance_queue import IssuanceQueue
from parcelguard.services.ports import LabelFormat
from parcelguard.web.api import schemas as s
from parcelguard.web.api.deps import (
    Credentials,
    Ctx,
    IssueCredentials,
    IssuePrincipal,
    PrintPrincipal,
    ReadPrincipal,
    ResolvePrincipal,
    get_runtime,
    presented_credentials,
)
from parcelguard.web.api.views import batch_read, events_read, masked_read
from parcelguard.web.json_body import StrictJsonRoute
from parcelguard.web.openapi import ORDER_CODES, error_responses, json_body

router = APIRouter(prefix="/v1", tags=["waybills"], route_class=StrictJsonRoute)

_IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",  # errors name the header as it is sent (HTTP reads it in any letter case)
        min_length=1,
        max_length=issuance.MAX_IDEMPOTENCY_KEY_CHARS,
        pattern=f"^{issuance.IDEMPOTENCY_KEY_PATTERN}$",  # the one rule, with its reasons, in the service
        description="1-128 printable ASCII characters, neither the first nor the last a blank; a retry with "
        "the same key and body returns the first answer instead of issuing again (the same key with another "
        "body: 409 idempotency_conflict); present but empty or blank, or sent twice: 422 invalid_request",
    ),
]


def _idempotency_key(request: Request, key: _IdempotencyKeyHeader = None) -> str | None:
    """The request's ``Idempotency-Key``, sent once: a header read as one value takes the first of two
    field lines, so a request holding two (a retry whose key a client or proxy appended after another)
    would silently be keyed by the first and issue again. ValidationError ``invalid_request`` (field
    ``Idempotency-Key``), neither value quoted."""
    if key is not None and len(request.headers.getlist("idempotency-key")) > 1:
        raise ValidationError(
            "send the Idempotency-Key header once",
            code=ErrorCode.INVALID_REQUEST,
            field="Idempotency-Key",
        )
    return key


IdempotencyKey = Annotated[str | None, Depends(_idempotency_key)]
SQLITE_ISSUING_THREADS = 4
"""Single orders issued at once per process on SQLite; the others wait on the event loop, not in a thread.

SQLite takes one writer at a time, and each of its pooled connections loses its page cache when another
connection writes: 20 clients in 20 threads paid for that, and for the GIL handed between them, in CPU and
in latency. Measured (issue 9, wrk, 20 clients, 3 interleaved pairs at load 5.5-8): 4 threads against
anyio's 40 gave 1.52 against 1.70 ms of server CPU per request, 630 against 559 requests/s, p99 86 against
151 ms. On PostgreSQL, whose round trips threads overlap, the route keeps anyio's default (one pair there:
40 threads 413/s, 4 threads 345/s).
"""
_sqlite_issuing: RunVar[CapacityLimiter] = RunVar("parcelguard_sqlite_issuing")
_issuing_queues: RunVar[dict[int, IssuanceQueue]] = RunVar("parcelguard_issuing_queues")
LABEL_FORMAT_NAMES = ("pdf", "png", "zpl", "PDF", "PNG", "ZPL")  # any letter case is accepted


def _json(body: Any) -> Any:
    if isinstance(body, bytes):  # FastAPI leaves a body without a JSON Content-Type undecoded
        raise ValidationError(
            "the body must be JSON, sent with Content-Type: application/json", code=ErrorCode.INVALID_REQUEST
        )
    return body


def _orders_of(body: Any) -> list[Any]:
    """The ``orders`` list of a batch body; the orders themselves are validated one by one later."""
    body = _json(body)
    if not isinstance(body, dict):
        raise ValidationError(
            'the body must be a JSON object {"orders": [...]}', code=ErrorCode.INVALID_REQUEST
        )
    refuse_unknown_fields(body, ("orders",), "")
    orders = body.get("orders")
    if orders is None:
        raise ValidationError("orders is required", code=ErrorCode.MISSING_FIELD, field="orders")
    if not isinstance(orders, list):
        raise ValidationError("orders must be an array", code=ErrorCode.INVALID_REQUEST, field="orders")
    return orders


def _issuing_limiter(request: Request) -> CapacityLimiter | None:
    """SQLITE_ISSUING_THREADS on SQLite (one limiter per event loop, as anyio keeps its own), else None:
    anyio's default limiter."""
    if get_runtime(request).engine.dialect.name != "sqlite":
        return None
    try:
        return _sqlite_issuing.get()
    except LookupError:
        limiter = CapacityLimiter(SQLITE_ISSUING_THREADS)
        _sqlite_issuing.set(limiter)
        return limiter


def _queue(request: Request) -> IssuanceQueue:
    """The event loop's group-commit queue for single orders, one batch in flight at a time.

    One, on PostgreSQL too: while a batch waits on the database the event loop takes in the next orders,
    so batches stay large (about as many orders as clients waiting); two in flight split them in halves,
    each paying the per-batch costs (transaction, commit, model call, credential check) again: at 20
    clients on 2 workers, issue 9 measured 1.69 ms of server CPU per request that way, 0.92 on 1 worker.

    One per service context too: two apps served by one event loop (an ASGI test client, apps mounted in
    one server) each issue into their own database. Keyed by the context's id, which stays unique while
    the queue holding that context lives.
    """
    ctx = get_runtime(request).ctx
    try:
        queues = _issuing_queues.get()
    except LookupError:
        queues = {}
        _issuing_queues.set(queues)
    queue = queues.get(id(ctx))
    if queue is None:
        queue = queues[id(ctx)] = IssuanceQueue(ctx, concurrency=1)
    return queue


@router.post(
    "/waybills",
    status_code=201,
    response_model=s.WaybillIssued,
    openapi_extra=json_body(s.WaybillCreate),
    responses={
        201: {
            "headers": {
                "Idempotent-Replayed": {
                    "description": "`true` when answered from an earlier request with the same key",
                    "schema": {"type": "string", "enum": ["true"]},
                }
            }
        },
        **error_responses(*ORDER_CODES, ErrorCode.IDEMPOTENCY_CONFLICT),
    },
)
async def create_waybill(
    request: Request,
    body: Annotated[Any, Body()],
    ctx: Ctx,
    credentials: IssueCredentials,
    idempotency_key: IdempotencyKey,
) -> Response:
    """Issue one privacy waybill; the answer shows only masked data (remarks included).

    Without an idempotency key the order joins the single orders arriving meanwhile, issued together in one
    transaction (``IssuanceQueue``), each answered on its own; with one (or a body that is not JSON, refused
    after the credentials are checked), it is issued alone.
    """
    if idempotency_key is None and not isinstance(body, bytes):
        issued = await _queue(request).issue(
            body, authenticate=credentials.principal, credential=credentials.shared
        )
    else:

        def issue() -> issuance.IssuedWaybill:
            # Authentication runs here, in the same worker thread as the issuing, not in one of its own.
            principal = credentials.principal()
            return issuance.issue_waybill(
                ctx,
                _json(body),
                actor=principal.actor,
                idempotency_key=idempotency_key,
                organisation_id=principal.organisation_id,
            )

        issued = await anyio.to_thread.run_sync(issue, limiter=_issuing_limiter(request))
    return _issued_response(issued)


def _issued_response(issued: issuance.IssuedWaybill) -> Response:
    """201 with the masked waybill (and ``Idempotent-Replayed: true`` for a replay)."""
    answer = s.WaybillIssued(tracking_number=issued.tracking_number, masked=masked_read(issued.masked))
    # The model is built from our own values: serialised as it is (the bytes FastAPI would send for it),
    # without validating it again against response_model.
    return Response(
        answer.__pydantic_serializer__.to_json(answer),
        status_code=201,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true"} if issued.replayed else None,
    )


class SingleOrderFastPath:
    """ASGI middleware: ``POST /v1/waybills`` answered without FastAPI's routing and dependency solving,
    when the request is the common one (issue 9: those were about a third of the event loop's CPU per
    request): a JSON object body that decodes strictly, credentials presented, no ``Idempotency-Key``.

    It answers exactly as ``create_waybill`` would: the same credentials read the same way and checked in
    the issuing thread with the route's scope, the same queue, the same 201 body, and a domain error through
    the application's own handler for ``ParcelGuardError``. Every other request (another path or method,
    no credentials, an idempotency key, a body that is not a JSON object, not JSON or not sent as JSON)
    goes on to the route unchanged, which answers it, errors and their order included. Install it inside
    the error middleware (an unexpected exception here is a 500 ``internal_error`` like anywhere else).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: ASGIScope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != "/v1/waybills"
            or scope["method"] != "POST"
            or scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        headers = request.headers
        if "idempotency-key" in headers or not _sent_as_json(headers.get("content-type")):
            await self.app(scope, receive, send)
            return
        body = await request.body()
        try:
            order = loads_strict(body)
        except (ValueError, RecursionError, ParcelGuardError):
            order = None  # the route answers it (malformed_json, duplicate_field, ...)
        presented = await presented_credentials(request) if isinstance(order, dict) else None
        if presented is None:
            await self.app(scope, _replayed(body, receive), send)
            return
        runtime = get_runtime(request)
        credentials = Credentials(request, runtime.ctx, *presented, (Scope.WAYBILL_ISSUE.value,))
        try:
            issued = await _queue(request).issue(
                order, authenticate=credentials.principal, credential=credentials.shared
            )
        except ParcelGuardError as error:
            # The application's handler for this error, found as Starlette's ExceptionMiddleware finds it.
            handlers = scope["app"].exception_handlers
            handler = next(handlers[kind] for kind in type(error).__mro__ if kind in handlers)
            response = await handler(request, error)
        else:
            response = _issued_response(issued)
        await response(scope, receive, send)


def _sent_as_json(content_type: str | None) -> bool:
    """Whether StrictJsonRoute decodes this body as JSON (the same test as its own)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _replayed(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body already read, then the server's own messages."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


@router.post(
    "/waybills/batch",
    response_model=s.WaybillBatchRead,
    openapi_extra=json_body(s.WaybillBatchCreate),
    responses=error_responses(ErrorCode.BATCH_TOO_LARGE, ErrorCode.IDEMPOTENCY_CONFLICT),
)
def create_waybill_batch(
    body: Annotated[Any, Body()],
    ctx: Ctx,
    principal: IssuePrincipal,
    idempotency_key: IdempotencyKey,
) -> s.WaybillBatchRead:
    """Issue up to 1,000 orders; each succeeds or fails on its own, answered at its index with a coded
    error (the order's codes, e.g. ``missing_field`` with its field path)."""
    result = issuance.issue_batch(
        ctx,
        _orders_of(body),
        actor=principal.actor,
        idempotency_key=idempotency_key,
        organisation_id=principal.organisation_id,
    )
    return batch_read(result)


@router.get("/waybills/{tracking_number}", response_model=s.WaybillRead)
def get_waybill(tracking_number: str, ctx: Ctx, principal: ReadPrincipal) -> s.WaybillRead:
    """The masked view of a waybill."""
    view = waybills.view_waybill(ctx, tracking_number, principal=principal)
    return s.WaybillRead(
        tracking_number=view.tracking_number,
        status=view.status,
        created_at=view.created_at,
        routing_code=view.routing_code,
        masked=masked_read(view.masked),
        events=events_read(view.events),
    )


def _label_format(request: Request, raw: str) -> LabelFormat:
    """The one ``format`` parameter, in any letter case; given twice (``?format=pdf&format=zpl``) is
    DUPLICATE_FIELD rather than the last one silently winning, anything else INVALID_LABEL_FORMAT."""
    if len(request.query_params.getlist("format")) > 1:
        raise ValidationError(
            "format is given more than once", code=ErrorCode.DUPLICATE_FIELD, field="format"
        )
    return labels.parse_label_format(raw)


@router.get(
    "/waybills/{tracking_number}/label",
    responses={
        200: {"content": {v: {} for v in CONTENT_TYPES.values()}},
        **error_responses(
            ErrorCode.INVALID_LABEL_FORMAT,
            ErrorCode.DUPLICATE_FIELD,
            ErrorCode.LABEL_NOT_COMPLIANT,
            ErrorCode.LABEL_GLYPH_MISSING,
            ErrorCode.LABEL_TOKEN_CONFLICT,
        ),
    },
    response_class=Response,
)
async def get_label(
    tracking_number: str,
    request: Request,
    ctx: Ctx,
    principal: PrintPrincipal,
    format: Annotated[
        str,
        Query(
            description="label format, in any letter case",
            json_schema_extra={"enum": list(LABEL_FORMAT_NAMES)},
        ),
    ] = "pdf",
) -> Response:
    """A 100 x 150 mm privacy e-waybill: masked data, Code 128, and a QR holding an opaque token."""
    fmt = _label_format(request, format)
    number = TrackingNumber.parse(tracking_number).value
    content = await run_in_threadpool(labels.render_label, ctx, number, fmt, principal=principal)
    filename = f"{number}.{fmt}"
    return Response(
        content,
        media_type=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"},
    )


_LIMIT = f"{labels.MAX_LABEL_BATCH:,}"
_LABEL_BATCH = (
    f"Up to {_LIMIT} labels in one transaction (each audited, each waybill its own QR token): one "
    'multi-page PDF, or with `"format": "zpl"` their ZPL II one after another, as a thermal printer '
    "takes them. The format in any letter case, as a single label's; PNG labels have no container "
    f"(invalid_label_format). No tracking numbers, or more than {_LIMIT}: 413 batch_too_large, the "
    "service's code, as the CLI answers."
)
"""POST /v1/labels/batch's OpenAPI description, its limit the service's (one constant, one place)."""


@router.post(
    "/labels/batch",
    description=_LABEL_BATCH,
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}, CONTENT_TYPES["zpl"]: {}}},
        **error_responses(
            ErrorCode.BATCH_TOO_LARGE,
            ErrorCode.INVALID_LABEL_FORMAT,
            ErrorCode.INVALID_TRACKING_NUMBER,
            ErrorCode.WAYBILL_NOT_FOUND,
            ErrorCode.LABEL_NOT_COMPLIANT,
            ErrorCode.LABEL_GLYPH_MISSING,
            ErrorCode.LABEL_TOKEN_CONFLICT,
        ),
    },
)
async def print_label_batch(body: s.LabelBatchRequest, ctx: Ctx, principal: PrintPrincipal) -> Response:
    """Print a batch of labels, as :data:`_LABEL_BATCH` (the route's OpenAPI description) says."""
    fmt = labels.parse_label_format(body.format)
    if fmt == "png":
        raise ValidationError(
            "a label batch is one multi-page PDF or one ZPL stream: format must be pdf or zpl",
            code=ErrorCode.INVALID_LABEL_FORMAT,
            field="format",
        )
    if fmt == "zpl":
        printed = await run_in_threadpool(
            labels.render_labels, ctx, body.tracking_numbers, "zpl", principal=principal
        )
        return Response(
            b"".join(printed), media_type=CONTENT_TYPES["zpl"], headers={"Cache-Control": "no-store"}
        )
    content = await run_in_threadpool(
        labels.render_label_batch, ctx, body.tracking_numbers, principal=principal
    )
    return Response(content, media_type="application/pdf", headers={"Cache-Control": "no-store"})


@router.post("/waybills/{tracking_number}/label/revoke", response_model=s.RevokedRead)
def revoke_label(tracking_number: str, ctx: Ctx, principal: PrintPrincipal) -> s.RevokedRead:
    """Invalidate the QR tokens printed so far (a label was lost or photographed)."""
    return s.RevokedRead(revoked=labels.revoke_label_tokens(ctx, tracking_number, principal=principal))


@router.post(
    "/labels/resolve",
    response_model=s.TokenResolved,
    responses=error_responses(ErrorCode.TOKEN_INVALID, ErrorCode.TOKEN_REVOKED, ErrorCode.WAYBILL_NOT_FOUND),
)
def resolve_token(body: s.TokenResolve, ctx: Ctx, principal: ResolvePrincipal) -> s.TokenResolved:
    """What a scanned QR code refers to, for an authorised session; masked data only."""
    resolved = labels.resolve_label_token(ctx, body.token, principal=principal)
    return s.TokenResolved(
        tracking_number=resolved.tracking_number, status=resolved.status, masked=masked_read(resolved.masked)
    )
