"""The root command imports a command's module only when that command runs (issue 9), and nobody can tell:
its help, its typo suggestions and every command are those of the app that imported them all."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from parcelguard.cli.common import OneLineErrors
from parcelguard.cli.main import COMMANDS, app, load_command

# What the root imported before issue 9, command by command (serve.serve and serve.demo, then the groups).
EAGER_ORDER = ["serve", "demo", "label", "track", "db", "keys", "org", "waybill", "deid", "station", "user"]
EAGER_ORDER += ["dispatch", "audit", "vnum"]


def eager_app() -> typer.Typer:
    """The root as it was built before: every module imported, each command registered on it."""
    import importlib

    eager = typer.Typer(
        name="parcelguard",
        help="ParcelGuard: privacy waybills and personal-data protection for parcel delivery.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        cls=OneLineErrors,
    )
    for name in EAGER_ORDER:
        entry = COMMANDS[name]
        target = getattr(importlib.import_module(f"parcelguard.cli.{entry.module}"), entry.attribute)
        if entry.is_group:
            eager.add_typer(target, name=name)
        else:
            eager.command()(target)
    return eager


def output(application: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(application, list(args), env={"COLUMNS": "100", "NO_COLOR": "1"})
    return result.exit_code, result.output


def test_the_commands_are_listed_in_the_order_they_always_were() -> None:
    assert list(COMMANDS) == EAGER_ORDER


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["wayb"],
        ["nosuch"],
        ["waybill"],
        ["waybill", "--help"],
        ["waybill", "issue", "--help"],
        ["track", "--help"],
        ["db"],
    ],
)
def test_help_usage_errors_and_suggestions_read_as_with_every_module_imported(args: list[str]) -> None:
    assert output(app, *args) == output(eager_app(), *args)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_summary_is_the_first_paragraph_of_its_commands_help(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    first_paragraph = inspect.cleandoc(command.help or "").split("\n\n")[0].replace("\n", " ")
    assert COMMANDS[name].summary == first_paragraph


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_is_built_as_the_eager_root_built_it(name: str) -> None:
    eager = typer.main.get_group(eager_app()).commands[name]
    lazy = load_command(name)
    assert type(lazy) is type(eager)
    assert [p.name for p in lazy.params] == [p.name for p in eager.params]
    assert sorted(getattr(lazy, "commands", {})) == sorted(getattr(eager, "commands", {}))


def test_the_root_help_imports_no_command_settings_or_adapter() -> None:
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from parcelguard.cli.main import app\n"
        "assert CliRunner().invoke(app, ['--help']).exit_code == 0\n"
        "heavy = ('parcelguard.bootstrap', 'parcelguard.config', 'parcelguard.services',"
        " 'parcelguard.adapters', 'parcelguard.web', 'sqlalchemy', 'alembic', 'pydantic')\n"
        "loaded = [m for m in sys.modules if m.startswith(heavy) or m.startswith('parcelguard.cli.')]\n"
        "print(sorted(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['parcelguard.cli.common', 'parcelguard.cli.main']"


def test_running_a_command_imports_its_module_and_not_the_others() -> None:
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from parcelguard.cli.main import app\n"
        "assert CliRunner().invoke(app, ['waybill', 'issue', '--help']).exit_code == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('parcelguard.cli.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == str(
        ["parcelguard.cli.common", "parcelguard.cli.main", "parcelguard.cli.waybill"]
    )
