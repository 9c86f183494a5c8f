"""A witness's tlog-witness ``add-checkpoint`` over HTTP (services.witness_submission.WitnessEndpoint),
with the standard library's HTTP client: one POST a submission, no redirects followed (a witness's URL is
configured exactly; a redirect could hand the checkpoint elsewhere), 10 s timeout, answers read up to
64 KiB. C2SP tlog-witness: 200 with cosignature lines, 409 with the held size as ``text/x.tlog.size``.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from typing import NoReturn

from parcelguard.domain.checkpoint import NoteVerifier
from parcelguard.domain.witness import WitnessRefusal
from parcelguard.services.witness_submission import WitnessUnreachable

TIMEOUT_S = 10.0
MAX_ANSWER_BYTES = 64 * 1024


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 3xx is then raised as an HTTPError


class HttpWitness:
    """The witness at ``url`` (its full add-checkpoint URL, http or https: checked by the settings), whose
    cosignatures must verify with ``verifier``."""

    __slots__ = ("_opener", "_timeout", "_url", "verifier")

    def __init__(self, url: str, verifier: NoteVerifier, *, timeout: float = TIMEOUT_S) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError("a witness URL is http or https")
        self._url = url
        self.verifier = verifier
        self._opener = urllib.request.build_opener(_NoRedirects())
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"HttpWitness({self.verifier.name!r})"  # never the URL: it may carry a path token

    def add_checkpoint(self, request_text: str) -> str:
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked in __init__
            self._url,
            data=request_text.encode("utf-8"),
            method="POST",
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as answer:
                return _text(answer.read(MAX_ANSWER_BYTES + 1))
        except urllib.error.HTTPError as error:
            _refused(error)
        except (urllib.error.URLError, http.client.HTTPException, OSError):
            raise WitnessUnreachable("no answer") from None


def _refused(error: urllib.error.HTTPError) -> NoReturn:
    """The witness's refusal as WitnessRefusal (its status; on 409 the size it holds when the answer
    gives one), WitnessUnreachable for a redirect or a server error."""
    with error:
        body = error.read(MAX_ANSWER_BYTES + 1)
    status = error.code
    if not 400 <= status < 500:
        raise WitnessUnreachable(f"HTTP {status}")
    latest: int | None = None
    kind = (error.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if status == 409 and kind == "text/x.tlog.size":
        text = body[:21].decode("ascii", "replace").strip()
        if text.isascii() and text.isdigit() and len(body) <= 22:
            latest = int(text)
    raise WitnessRefusal(status, f"the witness answered HTTP {status}", latest_size=latest)


def _text(raw: bytes) -> str:
    if len(raw) > MAX_ANSWER_BYTES:
        raise WitnessUnreachable("answer too large")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise WitnessUnreachable("answer not UTF-8") from None
