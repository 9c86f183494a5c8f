"""`parcelguard dispatch` and `parcelguard audit events` as an operator uses them."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parcelguard.adapters.db import migrate
from parcelguard.bootstrap import bootstrap
from parcelguard.cli.main import app
from parcelguard.config import Settings
from parcelguard.errors import PermissionDeniedError
from parcelguard.services.break_glass import approve_break_glass, request_break_glass
from parcelguard.services.reveal import reveal
from tests.reveal_world import World, build_world


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    return {"PARCELGUARD_HOME": str(tmp_path / "home"), "PARCELGUARD_DATABASE_URL": None}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    runtime = bootstrap(Settings(environment="test", home=tmp_path / "home"))
    migrate.upgrade(runtime.engine)
    only = ("manager.ns", "courier.ns", "agent.one", "officer.one")
    yield build_world(runtime.ctx, only=only)
    runtime.close()


def run(env: dict[str, str | None], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def events(env: dict[str, str | None], *args: str) -> list[dict[str, object]]:
    code, out, err = run(env, "audit", "events", "--json", *args)
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_dispatch_assign_then_the_audit_log_shows_who_assigned(
    env: dict[str, str | None], world: World
) -> None:
    number = world.issue()
    code, out, err = run(env, "dispatch", "assign", number, "--courier", "courier.ns")
    assert code == 0, err
    assert out.strip() == "assigned to courier.ns"
    (assigned,) = [e for e in events(env, "--subject", number) if e["action"] == "dispatch:waybill:assigned"]
    assert assigned["actor"] == f"cli:{getpass.getuser()}"
    assert assigned["details"] == {
        "client": None,
        "courier": "user:courier.ns",
        "device": None,
        "organisation": 1,
        "role": None,
        "station": None,
    }


def test_dispatch_assign_refusals_are_one_line_with_their_code(
    env: dict[str, str | None], world: World
) -> None:
    number = world.issue()
    code, _, err = run(env, "dispatch", "assign", number, "--courier", "agent.one")
    assert (
        code == 2 and err.strip() == "error [invalid_request] (courier): courier must name an active courier"
    )
    code, _, err = run(env, "dispatch", "assign", number, "--courier", "nobody.here")
    assert code != 0 and "[user_not_found] (courier)" in err
    code, _, err = run(env, "dispatch", "assign", "PG123", "--courier", "courier.ns")
    assert code == 2 and "[invalid_tracking_number]" in err
    assert run(env, "dispatch", "event", number, "--status", "picked_up")[0] == 0
    assert run(env, "dispatch", "event", number, "--status", "at_station", "--station", "SZ-NS")[0] == 0
    assert run(env, "dispatch", "event", number, "--status", "delivered")[0] == 0
    code, _, err = run(env, "dispatch", "assign", number, "--courier", "courier.ns")
    assert code == 2 and "[invalid_transition]" in err


def test_dispatch_event_prints_the_pickup_code_once_and_names_a_missing_station(
    env: dict[str, str | None], world: World
) -> None:
    number = world.issue()
    run(env, "dispatch", "event", number, "--status", "picked_up")
    code, _, err = run(env, "dispatch", "event", number, "--status", "at_station")
    assert code == 2 and "[missing_field] (station)" in err
    code, out, err = run(env, "dispatch", "event", number, "--status", "at_station", "--station", "SZ-NS")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"{number}\tat_station\tSZ-NS"
    assert lines[1].startswith("pickup code: ") and len(lines[1].split(": ")[1]) == 6
    code, _, err = run(env, "dispatch", "event", number, "--status", "created")
    assert code == 2 and "(status)" in err


def test_audit_events_by_actor_list_reveals_and_refusals_without_values(
    env: dict[str, str | None], world: World
) -> None:
    number = world.issue()
    agent = world.principal("agent.one")
    ask = {"fields": ["recipient.name"], "purpose": "complaint"}
    with pytest.raises(PermissionDeniedError):
        reveal(world.ctx, agent, tracking_number=number, **ask)
    revealed = reveal(world.ctx, agent, tracking_number=number, ticket="CS-9", **ask)
    rows = events(env, "--actor", "agent.one")
    assert [(r["action"], r["details"]["reason"]) for r in rows] == [  # type: ignore[index]
        ("reveal:waybill:refused", "ticket_required"),
        ("reveal:waybill:revealed", "within_quota"),
    ]
    assert rows[1]["details"]["fields"] == "recipient.name"  # type: ignore[index]
    assert revealed.fields["recipient.name"] not in json.dumps(rows, ensure_ascii=False)
    assert events(env, "--actor", "user:agent.one") == rows
    code, out, _ = run(env, "audit", "events", "--subject", number)
    assert code == 0 and "reveal:waybill:refused" in out and "reason=ticket_required" in out


def test_audit_events_refuses_bad_filters(env: dict[str, str | None], world: World) -> None:
    code, _, err = run(env, "audit", "events", "--subject", "not-a-number")
    assert code == 2 and "[invalid_tracking_number]" in err
    code, _, err = run(env, "audit", "events", "--actor", "Not A Name")
    assert code == 2 and "[invalid_request] (actor)" in err
    code, _, err = run(env, "audit", "events", "--limit", "0")
    assert code == 2 and "(limit)" in err


def test_dispatch_break_glass_lists_pending_requests(env: dict[str, str | None], world: World) -> None:
    number = world.issue()
    grant = request_break_glass(
        world.ctx,
        world.principal("agent.one"),
        tracking_numbers=[number],
        fields=["recipient.mobile"],
        purpose="claim",
        ticket="CS-3",
        minutes=15,
    )
    code, out, err = run(env, "dispatch", "break-glass", "--json")
    assert code == 0, err
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["id"] == grant.id and row["requester"] == "agent.one" and row["tracking_numbers"] == [number]


def test_audit_alerts_lists_a_ceiling_reached(env: dict[str, str | None], world: World) -> None:
    numbers = [world.issue(seed) for seed in range(1, 6)]
    agent = world.principal("agent.one")
    grant = request_break_glass(
        world.ctx,
        agent,
        tracking_numbers=numbers,
        fields=["recipient.name"],
        purpose="claim",
        ticket="CS-4",
        minutes=60,
    )
    approve_break_glass(world.ctx, world.principal("officer.one"), grant.id)
    outcomes = []
    for number in numbers:
        try:
            reveal(
                world.ctx,
                agent,
                tracking_number=number,
                fields=["recipient.name"],
                purpose="claim",
                ticket="CS-4",
            )
            outcomes.append("allowed")
        except PermissionDeniedError as error:
            outcomes.append(error.code.value)
    assert outcomes == ["allowed"] * 4 + ["quota_exceeded"]
    code, out, err = run(env, "audit", "alerts", "--json")
    assert code == 0, err
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert (row["kind"], row["user"], row["subject"]) == ("reveal_ceiling_reached", "agent.one", numbers[4])
    assert row["details"] == {"reason": "quota_exceeded", "role": "cs_agent"}
