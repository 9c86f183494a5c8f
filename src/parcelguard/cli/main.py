"""The ``parcelguard`` command: the same services as the web, for operators and batch jobs.

Each command's module is imported only when that command runs (issue 9): importing them all loaded every
adapter, Alembic and the services of every command whatever ran, and ``parcelguard --help`` alone took
123 MiB and a second of CPU (24 MiB and a tenth now). ``parcelguard --help`` lists the commands from
:data:`COMMANDS` (their name and the first paragraph of their help) without importing any of them;
tests/functional/test_cli_lazy_commands.py holds that list equal to what the modules say.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from parcelguard.cli.common import OneLineErrors


@dataclass(frozen=True, slots=True)
class CommandEntry:
    """Where a command lives: ``parcelguard.cli.<module>``'s ``attribute``, a Typer app (``app``: a group
    of commands) or a command function; ``summary`` is the first paragraph of its help."""

    module: str
    attribute: str
    summary: str

    @property
    def is_group(self) -> bool:
        return self.attribute == "app"


# In the order `parcelguard --help` lists them.
COMMANDS: dict[str, CommandEntry] = {
    "serve": CommandEntry("serve", "serve", "Serve the HTTP API (OpenAPI at /docs) and the tracking page."),
    "demo": CommandEntry(
        "serve",
        "demo",
        "Set up the embedded default (SQLite + local key file), seed synthetic waybills, print keys, serve.",
    ),
    "label": CommandEntry(
        "label",
        "label",
        "Render privacy e-waybill labels (100 x 150 mm): masked data, Code 128 and an opaque QR token.",
    ),
    "track": CommandEntry(
        "track", "track", "Status history; with --last4, also the destination city and county."
    ),
    "db": CommandEntry("db", "app", "Database schema."),
    "keys": CommandEntry("keys", "app", "Encryption keys and API keys."),
    "org": CommandEntry("org", "app", "Organisations: the carrier, and the platforms that issue through it."),
    "waybill": CommandEntry("waybill", "app", "Issue and inspect waybills."),
    "deid": CommandEntry("deid", "app", "Find and de-identify personal data in text and datasets."),
    "station": CommandEntry("station", "app", "Stations: the carrier's outlets and depots."),
    "user": CommandEntry("user", "app", "People: users, roles, disabling, offboarding and account recovery."),
    "dispatch": CommandEntry(
        "dispatch", "app", "Dispatch: couriers, the parcel's steps, break-glass requests."
    ),
    "audit": CommandEntry("audit", "app", "The audit log."),
    "vnum": CommandEntry("vnum", "app", "Virtual numbers: pools, bindings, call routing."),
}

_SETTINGS: dict[str, Any] = {"pretty_exceptions_enable": False, "add_completion": False}


def load_command(name: str) -> Any:
    """The click command ``name``, as ``app.add_typer`` or ``app.command`` on the root would have built it;
    imports its module. Raises KeyError for a name not in :data:`COMMANDS`."""
    entry = COMMANDS[name]
    target = getattr(importlib.import_module(f"parcelguard.cli.{entry.module}"), entry.attribute)
    holder = typer.Typer(**_SETTINGS)
    if entry.is_group:
        holder.add_typer(target, name=name)
    else:
        holder.command(name=name)(target)
    return typer.main.get_group(holder).commands[name]


class _Commands(MutableMapping[str, Any]):
    """The root's commands by name, in :data:`COMMANDS` order; a command is built (its module imported) the
    first time it is looked up. Iterating gives the names only, so typo suggestions import nothing."""

    def __init__(self, added: MutableMapping[str, Any]) -> None:
        self._added = dict(added)
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name in self._added:
            return self._added[name]
        if name not in self._loaded:
            self._loaded[name] = load_command(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._added[name] = command

    def __delitem__(self, name: str) -> None:
        del self._added[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self._added if name not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(1 for name in self._added if name not in COMMANDS)

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._added


class LazyRoot(OneLineErrors):
    """The root command: :class:`OneLineErrors`, with its subcommands imported on demand. Its own help lists
    them from :data:`COMMANDS` (placeholders holding the name and summary: the list needs nothing else)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(self.commands)
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._listing and cmd_name in COMMANDS:
            entry = COMMANDS[cmd_name]
            kind = TyperGroup if entry.is_group else TyperCommand
            return kind(name=cmd_name, help=entry.summary)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="parcelguard",
    help="ParcelGuard: privacy waybills and personal-data protection for parcel delivery.",
    no_args_is_help=True,
    cls=LazyRoot,
    **_SETTINGS,
)


@app.callback()
def _root() -> None:
    """Nothing to do before a subcommand: Typer builds a group only for an app with a callback or commands,
    and this one's commands are added when they are looked up."""
