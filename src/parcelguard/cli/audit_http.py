"""What ``parcelguard audit`` and ``parcelguard audit witness`` share: their exit codes, reading the log's
HTTP interface, and failing with one line."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import NoReturn

import typer

from parcelguard.cli.common import report

# Distinct from the shared exit codes (cli/common.py: 1 failure, 2 usage, 3 not found, 4 denied, 5 partial)
EXIT_BAD_SIGNATURE = 10
EXIT_ROLLBACK = 11
EXIT_FORK = 12
EXIT_DB_MISMATCH = 13


def fetch(base: str, path: str, api_key: str | None) -> str:
    """GET ``path`` of the server at ``base`` (http or https, 30 s, at most 1 MiB) as text, with the
    bearer ``api_key``; exit 2 with one line when it answers an error or cannot be reached."""
    if not base.startswith(("https://", "http://")):
        fail(2, "invalid_request", "--url must start with https:// or http://")
    request = urllib.request.Request(base.rstrip("/") + path)  # noqa: S310 - the scheme is checked above
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - http(s) only
            return str(answer.read(1 << 20).decode("utf-8"))
    except urllib.error.HTTPError as error:
        fail(2, "http_error", f"{path.split('?')[0]} answered HTTP {error.code}")
    except (urllib.error.URLError, OSError, UnicodeDecodeError):
        fail(2, "unreachable", "the server could not be reached")


def fail(code: int, what: str, message: str) -> NoReturn:
    """Report ``what`` (a machine-readable code) and ``message`` on one line and exit with ``code``."""
    report(what, message, None)
    raise typer.Exit(code)


def proof_of(answer: str) -> list[bytes]:
    """The hashes of a consistency proof answer (``{"proof": [hex, ...]}``); one the log's server garbled
    proves nothing: a fork (exit EXIT_FORK). `audit verify` and `audit witness cosign` read it alike."""
    try:
        hashes = json.loads(answer)["proof"]
        if not isinstance(hashes, list) or not all(isinstance(h, str) for h in hashes):
            raise TypeError
        return [bytes.fromhex(h) for h in hashes]
    except (ValueError, KeyError, TypeError):
        fail(EXIT_FORK, "fork", "the log's consistency proof is malformed")
