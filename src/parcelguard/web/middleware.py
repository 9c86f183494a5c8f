"""Headers every answer carries, added at the ASGI level so that no answer escapes them.

A pure ASGI middleware (not ``@app.middleware("http")``) sees every response, including those answered by
Starlette's body limit, by the error handlers and by the static file and documentation mounts.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
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
    """Refuses a request body over ``max_bytes`` before it is parsed: 413 ``request_too_large``.

    A declared ``Content-Length`` over the limit is answered at once, without reading a byte. Otherwise the
    bytes are counted as the application reads them (so a chunked body without ``Content-Length`` is
    stopped too, at most ``max_bytes`` into memory): past the limit the read raises
    an HTTPException 413, which FastAPI's body reader passes through to the error handlers (any other
    exception there becomes a 400). Authenticated or not makes no difference: the body is read, and so
    limited, before the API key is checked.
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
            response = error_response(
                ErrorCode.REQUEST_TOO_LARGE, f"the body is over the limit of {self.max_bytes} bytes"
            )
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, "request body too large")
            return message

        await self.app(scope, counted, send)
