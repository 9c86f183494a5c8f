"""``parcelguard vnum``: the virtual-number pool, bindings and the routing decision (docs/telephony.md).

The operator acts as the carrier's administrator (``cli:<login>`` in the audit log). Real numbers never
appear in arguments: a courier's phone is read from stdin, and ``route`` takes the caller as the SIP server
would send it; its answer shows the target masked (only the SIP server's own key reads it whole, over HTTP).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import timedelta
from pathlib import Path

import typer

from parcelguard.cli.common import console, open_runtime, operator, reported_errors
from parcelguard.domain.pii.fold import fold_text
from parcelguard.domain.pii.mobile import Mobile
from parcelguard.domain.virtual_number import parse_model
from parcelguard.errors import ErrorCode, ValidationError
from parcelguard.services import call_routing, virtual_numbers
from parcelguard.services.virtual_numbers import BoundNumber

MAX_TTL_SECONDS = 30 * 86400
app = typer.Typer(help="Virtual numbers: pools, bindings, call routing.", no_args_is_help=True)


def _masked_target(number: str) -> str:
    """A route target as the label shows a mobile (GB/T 41833: segment and last two digits, 6 hidden)."""
    try:
        return Mobile.parse(number).masked()
    except ValidationError:
        return "*" * len(number)


def _rows(path: Path) -> tuple[list[tuple[str, str]], list[int]]:
    """The (number, pool) rows of an import file and the line each is on (for errors naming it).

    A line blank once folded (spaces, tabs, the ideographic space, and the invisible zero-width spaces and
    BOMs that editors and spreadsheets leave) is skipped, as are ``#`` comments and a ``number`` header.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise ValidationError("cannot read the input file as UTF-8", field="FILE") from None
    rows: list[tuple[str, str]] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text))
    for fields in reader:
        cells = [cell.strip() for cell in fields]
        first = fold_text(cells[0]).strip() if cells else ""
        if not first or first.startswith("#") or first.lower() == "number":
            continue
        rows.append((cells[0], cells[1] if len(cells) > 1 else ""))
        lines.append(reader.line_num)
    return rows, lines


def _show(bound: BoundNumber, as_json: bool) -> None:
    if as_json:
        expires = bound.expires_at.isoformat() if bound.expires_at else None
        payload = {
            "tracking_number": bound.tracking_number,
            "number": bound.number,
            "extension": bound.extension,
            "display": bound.display,
            "model": bound.model.value,
            "expires_at": expires,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    until = f" until {bound.expires_at:%Y-%m-%d %H:%M:%S} UTC" if bound.expires_at else ""
    console.print(f"{bound.tracking_number}\t{bound.model.value}\t{bound.display}{until}", highlight=False)


@app.command("import")
def import_(file: Path = typer.Argument(..., help="CSV lines NUMBER[,POOL]; pool default 'default'")) -> None:
    """Add numbers to the pools as free numbers (a pool: a station code, a city code or 'default'); only
    numbers of the masking ranges (170, 171, 162, 165, 167 and the carrier's configured prefixes)."""
    with reported_errors():
        rows, lines = _rows(file)
        runtime = open_runtime()
        try:
            result = virtual_numbers.import_numbers(runtime.ctx, rows, actor=operator().actor, lines=lines)
        finally:
            runtime.close()
    console.print(f"added {result.added}, already present {result.already_present}", highlight=False)


@app.command()
def phone(
    username: str = typer.Argument(
        ..., help="the courier (only couriers take calls: role_not_allowed otherwise)"
    ),
) -> None:
    """Set the phone a courier is reached on through bindings: read from stdin (one line), stored
    encrypted; never an argument, so it stays out of shell history and the process list."""
    with reported_errors():
        line = sys.stdin.readline().strip()
        if not line:
            raise ValidationError("give the mobile on stdin", code=ErrorCode.MISSING_FIELD, field="mobile")
        runtime = open_runtime()
        try:
            virtual_numbers.set_party_phone(runtime.ctx, username, line, actor=operator().actor)
        finally:
            runtime.close()
    console.print("phone set", highlight=False)


@app.command()
def bind(
    tracking_number: str = typer.Argument(...),
    model: str = typer.Option("axb", "--model", help="axb, axe or axn"),
    pool: str | None = typer.Option(
        None, "--pool", help="default: the courier's station, routing code, 'default'"
    ),
    ttl_seconds: int | None = typer.Option(None, "--ttl-seconds", help="end the binding this long from now"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Bind the waybill's recipient (and courier) to a virtual number; prints what labels show."""
    with reported_errors():
        if ttl_seconds is not None and not 0 < ttl_seconds <= MAX_TTL_SECONDS:  # timedelta overflows first
            raise ValidationError(
                f"ttl is more than 0 s and at most {MAX_TTL_SECONDS} s (30 days)", field="ttl_seconds"
            )
        ttl = timedelta(seconds=ttl_seconds) if ttl_seconds is not None else None
        runtime = open_runtime()
        try:
            bound = virtual_numbers.bind_waybill(
                runtime.ctx,
                tracking_number,
                model=parse_model(model),
                pool=pool,
                ttl=ttl,
                principal=operator(),
            )
        finally:
            runtime.close()
    _show(bound, as_json)


@app.command()
def unbind(tracking_number: str = typer.Argument(...), as_json: bool = typer.Option(False, "--json")) -> None:
    """End the waybill's binding now (its number rests before reuse)."""
    with reported_errors():
        runtime = open_runtime()
        try:
            bound = virtual_numbers.unbind_waybill(runtime.ctx, tracking_number, principal=operator())
        finally:
            runtime.close()
    _show(bound, as_json)


@app.command()
def extend(
    tracking_number: str = typer.Argument(...),
    hours: float = typer.Option(..., "--hours", help="how much longer (at most 720)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Push the end of the waybill's binding further; one with no end yet (the parcel still moving) is
    refused with invalid_transition, as it lasts until delivery or return plus the grace period anyway."""
    with reported_errors():
        runtime = open_runtime()
        try:
            bound = virtual_numbers.extend_binding(
                runtime.ctx, tracking_number, hours=hours, principal=operator()
            )
        finally:
            runtime.close()
    _show(bound, as_json)


@app.command()
def show(tracking_number: str = typer.Argument(...), as_json: bool = typer.Option(False, "--json")) -> None:
    """The waybill's live binding: the number (or X-extension) labels and the courier's screen show."""
    with reported_errors():
        runtime = open_runtime()
        try:
            bound = virtual_numbers.current_binding(runtime.ctx, tracking_number, principal=operator())
        finally:
            runtime.close()
    _show(bound, as_json)


@app.command()
def release() -> None:
    """End the bindings whose time is over (run it from cron); their numbers rest before reuse."""
    with reported_errors():
        runtime = open_runtime()
        try:
            count = virtual_numbers.release_due(runtime.ctx, actor=operator().actor)
        finally:
            runtime.close()
    console.print(f"ended {count}", highlight=False)


@app.command()
def route(
    caller: str = typer.Option(..., "--caller", help="the calling number"),
    called: str = typer.Option(..., "--called", help="the virtual number dialled (or X-EEEE)"),
    extension: str | None = typer.Option(None, "--extension"),
    sms: bool = typer.Option(False, "--sms", help="an SMS instead of a call"),
    as_json: bool = typer.Option(False, "--json", help="the HTTP answer's JSON"),
) -> None:
    """The routing decision for a call: connect to a target, or reject with a reason (exit code 0 both)."""
    with reported_errors():
        runtime = open_runtime()
        try:
            answer = call_routing.route_call(
                runtime.ctx,
                caller=caller,
                called=called,
                extension=extension,
                kind="sms" if sms else "call",
                actor=operator().actor,
            )
        finally:
            runtime.close()
    body = answer.as_json()
    if "target" in body:
        # The decision is what an operator debugging routing needs; the real number it connects to would be a
        # reveal outside the policy (docs/telephony.md): only the SIP server's own key reads it, over HTTP.
        body["target"] = _masked_target(body["target"])
    if as_json:
        typer.echo(json.dumps(body))
    elif answer.reason is None:
        typer.echo(f"connect\t{body['target']}\t{body['caller_id']}")
    else:
        typer.echo(f"reject\t{body['reason']}")
