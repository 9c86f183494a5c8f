"""What every CLI command shares: settings and the data folder, the runtime, input lines, error reporting.

Every failure is one line on stderr (``error [code] (field): message``) and an exit code, never a
traceback; the codes are documented in README's CLI section:

====  =====================================================================================================
0     success
1     anything else: configuration, the data folder or key file, the database, an unexpected error
2     bad input or usage: an unknown option, an unreadable or empty input, an unusable ``--out``
3     not found
4     not allowed (authentication, permission, rate limit)
5     the run finished but some lines failed: each has a coded error line in the output file
130   interrupted (Ctrl-C)
====  =====================================================================================================
"""

from __future__ import annotations

import codecs
import getpass
import importlib
import json
import math
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from parcelguard.domain.strict_json import loads_strict
from parcelguard.errors import (
    AuthenticationError,
    ConfigurationError,
    ErrorCode,
    KeyStoreError,
    NotFoundError,
    ParcelGuardError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationError,
)

if TYPE_CHECKING:
    # Imported where used: the settings, the adapters and the services weigh about 100 MiB, which
    # `parcelguard --help` and a command's own --help need none of (issue 9).
    from parcelguard.bootstrap import Runtime
    from parcelguard.config import Settings
    from parcelguard.domain.access import Principal

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_DENIED = 4
EXIT_PARTIAL = 5
EXIT_INTERRUPTED = 130

DATA_FOLDER = "var"
# What makes a folder named var/ a ParcelGuard data folder: the files `bootstrap` creates in it.
DATA_FOLDER_MARKERS = ("keys.json", "parcelguard.db")


def _click_exceptions() -> Any:
    """Click's exception classes: recent typer releases vendor click as ``typer._click``."""
    try:
        return importlib.import_module("typer._click.exceptions")
    except ImportError:
        return importlib.import_module("click.exceptions")


_CLICK = _click_exceptions()


def exit_code_for(error: ParcelGuardError) -> int:
    if isinstance(error, ValidationError):
        return EXIT_USAGE
    if isinstance(error, NotFoundError):
        return EXIT_NOT_FOUND
    if isinstance(error, AuthenticationError | PermissionDeniedError | RateLimitedError):
        return EXIT_DENIED
    return EXIT_FAILURE


def report(code: str, message: str, field: str | None = None) -> None:
    """One line on stderr: ``error [code] (field): message``."""
    where = f" ({field})" if field else ""
    line = escape(f"[{code}]{where}: {' '.join(message.split())}")
    err_console.print(f"[red]error[/red] {line}", highlight=False)


def finish_lines(summary: str, done: int, failed: int) -> None:
    """Print the run's summary; when some lines failed, say so on stderr and exit with code 5."""
    console.print(summary, highlight=False)
    if failed:
        report(
            "lines_failed", f"{failed} of {done + failed} lines failed: see their error lines in the output"
        )
        raise typer.Exit(EXIT_PARTIAL)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a ParcelGuardError into one line on stderr and an exit code; never a traceback."""
    try:
        yield
    except ParcelGuardError as error:
        report(error.code.value, error.message, error.field)
        raise typer.Exit(exit_code_for(error)) from None


class OneLineErrors(TyperGroup):
    """The root command: whatever escapes a command (a usage error, an unexpected exception) is one line.

    Click's own usage errors keep click's exit code (2); anything unexpected is ``internal_error`` with
    exit code 1, naming only the exception's type (its message or traceback may hold input data).
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(
                args=args,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
            code = result if isinstance(result, int) else 0
        except _CLICK.NoArgsIsHelpError as error:
            sys.stderr.write(error.format_message() + "\n")
            code = EXIT_USAGE
        except _CLICK.ClickException as error:
            field = getattr(error, "param_hint", None)
            report(
                ErrorCode.INVALID_REQUEST.value,
                error.format_message(),
                field if isinstance(field, str) else None,
            )
            code = error.exit_code
        except typer.Abort:
            report("interrupted", "stopped before the end")
            code = EXIT_INTERRUPTED
        except ParcelGuardError as error:
            report(error.code.value, error.message, error.field)
            code = exit_code_for(error)
        except Exception as error:  # the last line of defence: one line, never a traceback
            report(ErrorCode.INTERNAL.value, f"unexpected {type(error).__name__} (a bug: please report it)")
            code = EXIT_FAILURE
        if standalone_mode:
            sys.exit(code)
        return code


# -- settings and the data folder ---------------------------------------------------------------------------


def find_data_folder(start: Path) -> Path | None:
    """The nearest ``var/`` at or above ``start`` that holds a key file or an embedded database."""
    for folder in (start, *start.parents):
        candidate = folder / DATA_FOLDER
        if any((candidate / marker).is_file() for marker in DATA_FOLDER_MARKERS):
            return candidate
    return None


def load_settings(*, may_create: bool = False) -> Settings:
    """Settings from the environment, with the data folder found as README's "Data folder" says.

    PARCELGUARD_HOME when set; else the nearest ``var/`` holding a key file or database at or above the
    current folder; else, only for commands that set ParcelGuard up (``may_create``: demo, serve,
    db upgrade), a new ``./var`` (open_runtime announces it on stderr). Every other command refuses with
    ``data_folder_not_found`` rather than creating an empty store with new keys.
    """
    from parcelguard.config import Settings

    explicit = "PARCELGUARD_HOME" in os.environ
    found = None if explicit else find_data_folder(Path.cwd())
    try:
        settings = Settings(home=found) if found is not None else Settings()
    except ParcelGuardError:
        raise
    except ValueError as error:
        raise settings_error(error) from None
    key_file = settings.resolved_key_file
    if key_file.exists():
        return settings
    if not may_create:
        refuse_missing_key_file(settings)
    return settings


def settings_error(error: ValueError) -> ConfigurationError:
    """pydantic's refusal of the settings as ConfigurationError ``invalid_configuration`` naming the first
    variable at fault and its rule (field: the variable), never the value (a value may be a secret), nor
    pydantic's error page."""
    from pydantic import ValidationError as PydanticValidationError

    problems = error.errors() if isinstance(error, PydanticValidationError) else []
    if not problems:
        return ConfigurationError("the settings are invalid", code=ErrorCode.INVALID_CONFIGURATION)
    first = problems[0]
    name = str(first["loc"][0]) if first["loc"] else ""
    variable = f"PARCELGUARD_{name.upper()}" if name else None
    rule = str(first["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    more = f" (and {len(problems) - 1} more setting(s))" if len(problems) > 1 else ""
    return ConfigurationError(
        f"{variable or 'a setting'} is invalid: {rule}{more}",
        code=ErrorCode.INVALID_CONFIGURATION,
        field=variable,
    )


def refuse_missing_key_file(settings: Settings) -> NoReturn:
    """Why a command that never creates keys cannot run without the key file.

    Beside a database that holds data sealed with it: KeyStoreError ``key_file_missing``, restore it from
    backup (a new key file would leave every sealed field unreadable). Beside an embedded database that
    holds nothing sealed: ``key_file_missing`` too, naming `db upgrade`. With no database at all:
    ``data_folder_not_found``, saying how to point at the right folder or set up a new one."""
    if _holds_sealed_data(settings):
        raise KeyStoreError(
            "the key file is missing but the database holds waybills or keys sealed with it: restore it from "
            "backup (PARCELGUARD_KEY_FILE; a new key file would leave them unreadable)",
            code=ErrorCode.KEY_FILE_MISSING,
        )
    if settings.database_url is None and (settings.home / "parcelguard.db").is_file():
        raise KeyStoreError(
            "the key file is missing; the database beside it holds nothing sealed yet: restore the key file "
            "from backup, or run `parcelguard db upgrade` to create a new one",
            code=ErrorCode.KEY_FILE_MISSING,
        )
    if "PARCELGUARD_HOME" in os.environ or "PARCELGUARD_KEY_FILE" in os.environ:
        where = "there is no key file in the configured folder"
    else:
        where = f"no {DATA_FOLDER}/ holding a key file or database in {Path.cwd()} or any folder above it"
    raise ConfigurationError(
        f"no ParcelGuard data folder: {where}. Run from the folder that holds var/, or set "
        "PARCELGUARD_HOME=/path/to/var (or PARCELGUARD_KEY_FILE); `parcelguard demo` or "
        "`parcelguard db upgrade` sets up a new one",
        code=ErrorCode.DATA_FOLDER_NOT_FOUND,
    )


def _holds_sealed_data(settings: Settings) -> bool:
    """Whether the configured database exists and holds data sealed with a key file; an SQLite file that is
    not there is not created to find out. Raises ConfigurationError when the database is unusable."""
    from parcelguard.adapters.db.access_repositories import database_holds_sealed_data
    from parcelguard.adapters.db.engine import make_engine, parse_database_url

    url = parse_database_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite" and not Path(str(url.database or "")).is_file():
        return False
    engine = make_engine(settings.resolved_database_url)
    try:
        return database_holds_sealed_data(engine)
    finally:
        engine.dispose()


def open_runtime(*, check_schema: bool = True, may_create: bool = False) -> Runtime:
    """The runtime on the configured data folder; see :func:`load_settings` for ``may_create``."""
    from parcelguard.bootstrap import bootstrap, require_current_schema

    settings = load_settings(may_create=may_create)
    new_key_file = not settings.resolved_key_file.exists()
    runtime = bootstrap(settings, create_keys=may_create)
    if new_key_file:
        # Said only once bootstrap has accepted the folder: over a used database it refuses instead
        # (key_file_missing), and announcing a new key file first would mislead the operator.
        err_console.print(
            f"note: set up a new data folder in {settings.home.resolve()} (a new key file: keep it safe)",
            highlight=False,
        )
    if check_schema:
        try:
            require_current_schema(runtime)
        except BaseException:
            runtime.close()
            raise
    return runtime


def operator() -> Principal:
    """A local operator: whoever can run the CLI can already read the key file."""
    from parcelguard.domain.access import ALL_SCOPES, Principal

    return Principal(actor=f"cli:{getpass.getuser()}", scopes=ALL_SCOPES)


# -- input files --------------------------------------------------------------------------------------------

ENCODING_HELP = "the input's text encoding: utf-8 (a BOM is accepted) or e.g. gb18030 for Chinese Excel files"
MAX_JSON_DEPTH = 32
MAX_NUMBER_CHARS = 64


def text_encoding(name: str) -> str:
    """The codec for ``--encoding``: a text encoding in which a newline is the byte 0x0A (so lines can be
    split before decoding, one line at a time); UTF-8 also accepts a BOM. Raises ValidationError."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ValidationError(
            "unknown text encoding", code=ErrorCode.INVALID_REQUEST, field="--encoding"
        ) from None
    if not getattr(info, "_is_text_encoding", True) or "\n".encode(info.name, errors="ignore") != b"\n":
        raise ValidationError(
            "use an ASCII-compatible text encoding such as utf-8 or gb18030",
            code=ErrorCode.INVALID_REQUEST,
            field="--encoding",
        )
    return "utf-8-sig" if info.name == "utf-8" else info.name


def refuse_overwriting_input(in_path: Path, out_path: Path) -> None:
    """``--out`` must not be the ``--in`` file: results would replace the orders they came from."""
    try:
        same = out_path.exists() and out_path.samefile(in_path)
    except OSError:
        same = False
    if same:
        raise ValidationError(
            "--out must not be the input file", code=ErrorCode.OUTPUT_NOT_WRITABLE, field="--out"
        )


def open_input(path: Path) -> BinaryIO:
    """``path`` opened for reading bytes; ValidationError (field ``--in``) when it cannot be."""
    try:
        return path.open("rb")
    except OSError:
        raise ValidationError(
            "cannot read the input file", code=ErrorCode.INVALID_REQUEST, field="--in"
        ) from None


def input_lines(path: Path, encoding: str) -> Iterator[tuple[int, str | ValidationError]]:
    """(line number, text) for every non-blank line of ``path``, streamed; a line that does not decode in
    ``encoding`` comes as a ValidationError instead, so one bad line does not stop the others."""
    codec = text_encoding(encoding)
    with open_input(path) as source:
        for number, raw in enumerate(source, start=1):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError:
                yield (
                    number,
                    ValidationError(
                        f"line is not valid {encoding} text (files from Chinese Excel: --encoding gb18030)",
                        code=ErrorCode.INVALID_REQUEST,
                    ),
                )
                continue
            if number == 1:
                text = text.removeprefix("\ufeff")
            if text.strip():
                yield number, text


# Codecs in which a line whose first byte past ASCII whitespace is printable ASCII (0x21-0x7E) starts with
# that very character: a lead byte of theirs is never ASCII, and no byte shifts into another mode (unlike
# utf-7's "+" or hz's "~{"). is_input_line decides such lines without decoding them.
_ASCII_FIRST_CODECS = frozenset(
    {"utf-8-sig", "gb18030", "gbk", "gb2312", "big5", "ascii", "iso8859-1", "cp1252"}
)


def is_input_line(number: int, raw: bytes, codec: str) -> bool:
    """Whether :func:`input_lines` yields line ``number`` of the file, given as its ``raw`` bytes, in
    ``codec`` (from :func:`text_encoding`): True for a line that holds text or does not decode, False for a
    blank one.

    Why: ``waybill issue`` counts the lines in the pass that hashes the file; most lines are decided from
    their first byte, without decoding them."""
    if codec in _ASCII_FIRST_CODECS:
        first = raw.lstrip()[:1]
        if not first:
            return False  # ASCII whitespace only: the same characters once decoded
        if b"!" <= first <= b"~":
            return True
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        return True
    if number == 1:
        text = text.removeprefix("\ufeff")
    return bool(text.strip())


class _BadNumber(ValueError):
    pass


def _bounded_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _BadNumber(f"a number longer than {MAX_NUMBER_CHARS} characters")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text) if len(text) <= MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value):
        raise _BadNumber(f"a number longer than {MAX_NUMBER_CHARS} characters or out of range")
    return value


def _no_constant(_name: str) -> object:
    raise _BadNumber("NaN or Infinity, which JSON does not have")


def decode_json_line(text: str) -> object:
    """One JSON value, or ValidationError saying why not: not JSON, nested more than 32 deep, a number of
    more than 64 characters or out of range, NaN/Infinity, a lone UTF-16 surrogate (``"\\ud800"``), or a key
    given twice in one object (DUPLICATE_FIELD with the field's path, as the API answers)."""
    try:
        value = loads_strict(
            text, parse_int=_bounded_int, parse_float=_finite_float, parse_constant=_no_constant
        )
    except RecursionError:
        raise _line_error(f"line is nested more than {MAX_JSON_DEPTH} levels deep") from None
    except _BadNumber as error:
        raise _line_error(f"line holds {error}") from None
    except ValueError:
        raise _line_error("line is not valid JSON") from None
    check_strings = "\\u" in text
    # Each level of nesting opens with a bracket of its own in the text: with no more brackets than the limit
    # and no \u escape (strings are checked only then), the walk would find nothing.
    if check_strings or text.count("{") + text.count("[") > MAX_JSON_DEPTH:
        _check_shape(value, check_strings=check_strings)
    return value


def _line_error(message: str) -> ValidationError:
    return ValidationError(message, code=ErrorCode.INVALID_REQUEST)


def _check_shape(value: object, *, check_strings: bool) -> None:
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise _line_error(f"line is nested more than {MAX_JSON_DEPTH} levels deep")
            children = list(item.items()) if isinstance(item, dict) else [(None, v) for v in item]
            for key, child in children:
                if check_strings and isinstance(key, str) and not _encodable(key):
                    raise _line_error("line holds a lone surrogate (\\ud800-\\udfff) in a name")
                stack.append((child, depth + 1))
        elif check_strings and isinstance(item, str) and not _encodable(item):
            raise _line_error("line holds a lone surrogate (\\ud800-\\udfff): not text")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # one, not one a line


def json_line(row: object) -> str:
    """One output line: compact JSON, UTF-8 characters as they are."""
    return _LINE_ENCODER.encode(row) + "\n"
