"""Notification sinks behind the ``Notifier`` port: the console (the embedded default, for the demo) and an
in-memory sink (tests read the codes it holds). A production SMS gateway is another adapter of the port."""

from parcelguard.adapters.notify.console import ConsoleNotifier, mask_destination
from parcelguard.adapters.notify.memory import InMemoryNotifier

__all__ = ["ConsoleNotifier", "InMemoryNotifier", "mask_destination"]
