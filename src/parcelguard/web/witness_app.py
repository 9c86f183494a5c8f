"""The witness's HTTP interface (C2SP tlog-witness): ``POST /add-checkpoint``, for logs to submit their
checkpoints and get the witness's cosignature back. Served by ``parcelguard audit witness serve`` on the
witness's own machine; it shares nothing with the carrier's application but the checking code.

Answers as the spec says: 200 with the cosignature lines (``text/plain``); 409 with the size the witness
holds in ``text/x.tlog.size``; 400, 403, 404, 422 with one line saying why. Bodies over 128 KiB are 413
(a request is an old size, at most 63 hashes and a note of at most 64 KiB).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from parcelguard.domain.witness import WitnessRefusal
from parcelguard.services.witness import Cosigner, WitnessBook, add_checkpoint

MAX_REQUEST_BYTES = 128 * 1024


def create_witness_app(*, cosigner: Cosigner, book: WitnessBook, clock: Callable[[], datetime]) -> Starlette:
    """The witness's ASGI app over its key and records (built by the CLI from the witness's folder)."""

    async def add(request: Request) -> Response:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_REQUEST_BYTES:
                return PlainTextResponse("the request is too large\n", status_code=413)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return PlainTextResponse("the request is not UTF-8\n", status_code=400)
        try:
            # the heads file is written under a file lock: off the event loop
            line = await run_in_threadpool(add_checkpoint, text, cosigner=cosigner, book=book, now=clock())
        except WitnessRefusal as refusal:
            if refusal.status == 409 and refusal.latest_size is not None:
                return Response(f"{refusal.latest_size}\n", 409, media_type="text/x.tlog.size")
            return PlainTextResponse(f"{refusal}\n", status_code=refusal.status)
        return PlainTextResponse(line)

    return Starlette(routes=[Route("/add-checkpoint", add, methods=["POST"])])
