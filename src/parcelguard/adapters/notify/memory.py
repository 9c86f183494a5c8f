"""The in-memory notification sink (``PARCELGUARD_NOTIFIER=memory``, refused in production): it keeps what
it was asked to send so that tests, including the browser tests' server, can read the one-time codes."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

MAX_KEPT = 1000


@dataclass(frozen=True, slots=True)
class SentMessage:
    channel: str
    destination: str
    message: str


class InMemoryNotifier:
    """Holds the last :data:`MAX_KEPT` messages, oldest first."""

    def __init__(self) -> None:
        self._sent: deque[SentMessage] = deque(maxlen=MAX_KEPT)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"InMemoryNotifier(<{len(self._sent)} messages>)"

    def send_code(self, channel: str, destination: str, message: str) -> None:
        with self._lock:
            self._sent.append(SentMessage(channel, destination, message))

    def messages_to(self, destination: str) -> list[str]:
        """The messages sent to ``destination``, oldest first."""
        with self._lock:
            return [m.message for m in self._sent if m.destination == destination]
