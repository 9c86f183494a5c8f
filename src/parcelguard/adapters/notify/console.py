"""The console notification sink: prints each one-time code on the server's console, for the demo.

The destination is printed masked the way GB/T 41833 masks a phone on a label (``138******34``: at least 6
digits hidden), so the console, and any log it is captured into, never holds a customer's full mobile. The
message itself holds the code and no personal data (the service writes it). It is no delivery at all: a
deployment whose customers must really receive codes plugs an SMS gateway into the ``Notifier`` port.
"""

from __future__ import annotations

import sys
import threading
from typing import TextIO

HIDDEN_AT_LEAST = 6


def mask_destination(destination: str) -> str:
    """``13800138000`` -> ``138******00``; anything shorter than 11 characters is hidden whole."""
    if len(destination) < 5 + HIDDEN_AT_LEAST:
        return "*" * len(destination)
    return destination[:3] + "*" * (len(destination) - 5) + destination[-2:]


class ConsoleNotifier:
    """Writes ``[notify sms 138******00] <message>`` lines to ``stream`` (standard output by default)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send_code(self, channel: str, destination: str, message: str) -> None:
        """Print the message for the person at ``destination`` (shown masked)."""
        stream = self._stream if self._stream is not None else sys.stdout
        line = f"[notify {channel} {mask_destination(destination)}] {message}\n"
        with self._lock:
            stream.write(line)
            stream.flush()
