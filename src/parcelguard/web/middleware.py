"""Headers every answer carries, added at the ASGI level so that no answer escapes them.

A pure ASGI middleware (not ``@app.middleware("http")``) sees every response, including those answered by
Starlette's body limit, by the error handlers and by the static file and documentation mounts.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parcelguard.errors import ErrorCode
from parcelguard.web.errors import error_response

# One policy for the API, the pages and /docs alike (its assets are served from this origin, and it starts
# from an external script, never an inline one). ``data:`` images: Swagger UI's icons are data URLs.
CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"

# Redoc's styled-components writes <style> elements at run time and offers no nonce hook from outside its
# bundle: on /redoc alone, inline *styles* are allowed (scripts stay 'self'-only, as everywhere).
REDOC_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
)
REDOC_PATH = "/redoc"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}

# Public, personal-data-free assets that may be cached; every other answer may carry personal data (masked
# or not: a masked view still narrows down a person) and is marked ``no-store``.
CACHEABLE_PREFIXES = ("/static/", "/docs-assets/")


class SecurityHeadersMiddleware:
    """Adds SECURITY_HEADERS to every HTTP answer, and ``Cache-Control: no-store`` where data may be personal.

    Headers a route set itself are kept (``setdefault``).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        cacheable = path.startswith(CACHEABLE_PREFIXES)
        policy = REDOC_CONTENT_SECURITY_POLICY if path == REDOC_PATH else CONTENT_SECURITY_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                headers["Content-Security-Policy"] = policy
                if not cacheable:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Refuses a request body over ``max_bytes`` before any route sees it: 413 ``request_too_large``.

    The limit holds for every request, whatever its method or route, authenticated or not (a 20 MB
    chunked body sent with ``GET /v1/track/...`` is refused like one sent to ``POST /v1/waybills``). A
    declared ``Content-Length`` over the limit is answered at once, without reading a byte. Otherwise the
    body is read here, counted as it arrives (so a chunked body without ``Content-Length`` is stopped at
    most ``max_bytes`` into memory), and handed to the application in one message once complete: a route
    that never reads its body cannot let an oversized one through. (A request without a body costs one
    empty message.)
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], None, receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            ErrorCode.REQUEST_TOO_LARGE, f"the body is over the limit of {self.max_bytes} bytes"
        )
        await response(scope, receive, send)


def _replay(messages: list[Message], last: Message | None, receive: Receive) -> Receive:
    """A ``receive`` that answers ``messages`` (then ``last``, if any) before the server's own."""
    pending = [*messages, *([last] if last is not None else [])]

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
