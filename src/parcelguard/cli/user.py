"""``parcelguard user``: the people who sign in, their roles and stations; disabling and offboarding;
recovery (enable again, a new second factor, a new password).

A password is read from standard input (``--password-stdin``), never from the command line, where other
users of the machine and the shell history would see it. For roles with a second factor the TOTP
provisioning URI (``otpauth://...``) is printed once, to be scanned into the person's authenticator app;
ParcelGuard keeps only the secret's ciphertext and cannot show it again.
"""

from __future__ import annotations

import sys
from datetime import datetime

import typer

from parcelguard.cli.common import console, err_console, open_runtime, operator, reported_errors
from parcelguard.domain.china_time import CHINA_STANDARD_TIME
from parcelguard.domain.organisation import CARRIER_ORGANISATION_ID
from parcelguard.domain.people import User, parse_offboard_from, parse_role
from parcelguard.errors import ErrorCode, ValidationError
from parcelguard.services.organisations import find_organisation
from parcelguard.services.people import (
    add_user,
    disable_user,
    enable_user,
    list_users,
    offboard_user,
    reset_second_factor,
    set_password,
)

app = typer.Typer(
    help="People: users, roles, disabling, offboarding and account recovery.", no_args_is_help=True
)


def _required_password(password_stdin: bool) -> str:
    if not password_stdin:
        raise ValidationError(
            "give the password on standard input with --password-stdin (never as an argument)",
            code=ErrorCode.MISSING_FIELD,
            field="--password-stdin",
        )
    return _password_from_stdin()


def _password_from_stdin() -> str:
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise ValidationError(
            "no password on standard input", code=ErrorCode.MISSING_FIELD, field="--password-stdin"
        )
    return password


@app.command()
def add(
    username: str = typer.Argument(..., help="3 to 32 characters: a letter, then letters, digits, . _ -"),
    role: str = typer.Option(
        ...,
        help="admin, station_manager, courier, outlet_clerk, cs_agent, security_officer or regulator",
    ),
    station: str | None = typer.Option(
        None, help="station code: required for station_manager, courier, outlet_clerk"
    ),
    org: str | None = typer.Option(None, "--org", help="organisation (name or id); default the carrier"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read the password from the first line of standard input"
    ),
) -> None:
    """Add a user; for admin, security_officer, cs_agent and regulator print the TOTP URI once."""
    with reported_errors():
        parsed_role = parse_role(role)
        password = _required_password(password_stdin)
        runtime = open_runtime()
        try:
            organisation_id = find_organisation(runtime.ctx, org).id if org else CARRIER_ORGANISATION_ID
            user, uri = add_user(
                runtime.ctx,
                username=username,
                role=parsed_role,
                password=password,
                station_code=station,
                organisation_id=organisation_id,
                actor=operator().actor,
            )
        finally:
            runtime.close()
    where = f", station {user.station_code}" if user.station_code else ""
    console.print(f"user {user.username} ({user.role.value}{where})", highlight=False)
    if uri is not None:
        _show_uri_once(uri)


def _show_uri_once(uri: str, *, note: str = "") -> None:
    err_console.print(
        f"second factor: scan this URI into the person's authenticator app now; it is not shown again{note}",
        highlight=False,
    )
    typer.echo(uri)


@app.command()
def disable(username: str = typer.Argument(..., help="the user to disable")) -> None:
    """Disable a user: their tokens and page sessions stop working at once, and they cannot sign in."""
    with reported_errors():
        runtime = open_runtime()
        try:
            user = disable_user(runtime.ctx, username, actor=operator().actor)
        finally:
            runtime.close()
    console.print(f"user {user.username} disabled", highlight=False)


@app.command()
def enable(username: str = typer.Argument(..., help="the user disabled by mistake")) -> None:
    """Enable a user disabled by mistake: they sign in again, afresh.

    What they held when disabled stays revoked; offboarding is not undone (error offboarding, exit 1).
    """
    with reported_errors():
        runtime = open_runtime()
        try:
            user = enable_user(runtime.ctx, username, actor=operator().actor)
        finally:
            runtime.close()
    console.print(f"user {user.username} enabled", highlight=False)
    if user.offboard_from is not None:
        err_console.print(
            f"note: offboarding from {_shown(user.offboard_from)} still applies (enabling does not undo it)",
            highlight=False,
        )


@app.command("reset-second-factor")
def reset_second_factor_(username: str = typer.Argument(..., help="the person who lost their phone")) -> None:
    """A lost phone: a new TOTP secret, its URI printed once; the old codes and sessions stop at once.

    The new phone's codes work from the next half-minute. Other roles: error role_not_allowed, exit 2.
    """
    with reported_errors():
        runtime = open_runtime()
        try:
            user, uri = reset_second_factor(runtime.ctx, username, actor=operator().actor)
            note = _state_note(user, runtime.ctx.clock())
        finally:
            runtime.close()
    console.print(f"user {user.username} second factor reset", highlight=False)
    _show_uri_once(uri, note=" (its codes work from the next half-minute)")
    if note:
        err_console.print(note, highlight=False)


@app.command("set-password")
def set_password_(
    username: str = typer.Argument(..., help="the person who forgot their password"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read the new password from the first line of standard input"
    ),
) -> None:
    """A forgotten password: a new one from standard input; their tokens and sessions end at once.

    The password policy of every path applies (12 to 256 printable characters, not the username, not a
    character or two repeated: domain/people.py check_password_rules). The account's failed sign-ins and
    lock are cleared; the second factor stays.
    """
    with reported_errors():
        password = _required_password(password_stdin)
        runtime = open_runtime()
        try:
            user = set_password(runtime.ctx, username, password=password, actor=operator().actor)
            note = _state_note(user, runtime.ctx.clock())
        finally:
            runtime.close()
    console.print(f"user {user.username} password set", highlight=False)
    if note:
        err_console.print(note, highlight=False)


@app.command()
def offboard(
    username: str = typer.Argument(..., help="the person leaving"),
    from_: str = typer.Option(
        ...,
        "--from",
        help="YYYY-MM-DD (from midnight China Standard Time) or an ISO time with offset",
    ),
) -> None:
    """A person leaving: from that date their reveals drop to zero and their sign-ins stop."""
    with reported_errors():
        moment = parse_offboard_from(from_)
        runtime = open_runtime()
        try:
            user = offboard_user(runtime.ctx, username, from_=moment, actor=operator().actor)
        finally:
            runtime.close()
    console.print(f"user {user.username} offboarded from {_shown(moment)}", highlight=False)


@app.command("list")
def list_(
    role: str | None = typer.Option(None, help="only this role"),
    station: str | None = typer.Option(None, help="only this station's users (code)"),
) -> None:
    """Every user: username, role, station, state (tab-separated)."""
    with reported_errors():
        parsed_role = parse_role(role) if role is not None else None
        runtime = open_runtime()
        try:
            users = list_users(runtime.ctx, role=parsed_role, station_code=station)
        finally:
            runtime.close()
    for user in users:
        typer.echo(f"{user.username}\t{user.role.value}\t{user.station_code or '-'}\t{_state(user)}")


def _shown(moment: datetime) -> str:
    return moment.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d %H:%M UTC+8")


def _state_note(user: User, now: datetime) -> str:
    """What still keeps the person from signing in after a new credential, or nothing."""
    if user.offboarded_at(now):
        return f"note: user {user.username} has been offboarded: they cannot sign in"
    if user.disabled_at is not None:
        return f"note: user {user.username} is disabled: they sign in after `parcelguard user enable`"
    return ""


def _state(user: User) -> str:
    if user.disabled_at is not None:
        return "disabled"
    if user.offboard_from is not None:
        return f"offboarding from {_shown(user.offboard_from)}"
    return "active"
