"""What every CLI command shares: settings from the environment, the runtime, and error reporting."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from parcelguard.bootstrap import Runtime, bootstrap, require_current_schema
from parcelguard.config import Settings
from parcelguard.domain.access import ALL_SCOPES, Principal
from parcelguard.errors import (
    AuthenticationError,
    ErrorCode,
    NotFoundError,
    ParcelGuardError,
    PermissionDeniedError,
    ValidationError,
)

console = Console(soft_wrap=True)
err_console = Console(stderr=True)

EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_DENIED = 4
EXIT_FAILURE = 1


def exit_code_for(error: ParcelGuardError) -> int:
    if isinstance(error, ValidationError):
        return EXIT_USAGE
    if isinstance(error, NotFoundError):
        return EXIT_NOT_FOUND
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return EXIT_DENIED
    return EXIT_FAILURE


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a ParcelGuardError into one line on stderr and an exit code; never a traceback."""
    try:
        yield
    except ParcelGuardError as error:
        where = f" ({error.field})" if error.field else ""
        detail = escape(f"[{error.code.value}]{where}: {error.message}")
        err_console.print(f"[red]error[/red] {detail}", highlight=False, soft_wrap=True)
        raise typer.Exit(exit_code_for(error)) from None


def load_settings() -> Settings:
    try:
        return Settings()
    except ParcelGuardError:
        raise
    except ValueError as error:
        # pydantic's message names the setting and the rule; settings hold no personal data.
        raise ValidationError(f"invalid settings: {error}", code=ErrorCode.INSECURE_CONFIGURATION) from None


def open_runtime(*, check_schema: bool = True) -> Runtime:
    runtime = bootstrap(load_settings())
    if check_schema:
        require_current_schema(runtime)
    return runtime


def operator() -> Principal:
    """A local operator: whoever can run the CLI can already read the key file."""
    return Principal(actor=f"cli:{getpass.getuser()}", scopes=ALL_SCOPES)
