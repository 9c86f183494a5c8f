"""`parcelguard org`, `keys create-api-key --org`, `keys list` and `demo` as an operator uses them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parcelguard.cli.main import app

PRESENTED = re.compile(r"pgk_([a-z0-9]{12})_[A-Za-z0-9_-]{43}")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    return {"PARCELGUARD_HOME": str(tmp_path / "home"), "PARCELGUARD_DATABASE_URL": None}


def run(env: dict[str, str | None], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def migrated(env: dict[str, str | None]) -> dict[str, str | None]:
    assert run(env, "db", "upgrade")[0] == 0
    return env


def test_organisations_are_added_listed_and_unique(migrated: dict[str, str | None]) -> None:
    code, stdout, _ = run(migrated, "org", "add", "--name", "Shop 甲", "--kind", "platform")
    assert code == 0 and "Shop 甲 (platform)" in stdout
    listed = run(migrated, "org", "list")[1].splitlines()
    assert listed == ["1\tcarrier\tcarrier", "2\tplatform\tShop 甲"]
    code, _, stderr = run(migrated, "org", "add", "--name", "Shop 甲", "--kind", "platform")
    assert code != 0 and "[organisation_exists]" in stderr and "Traceback" not in stderr
    code, _, stderr = run(migrated, "org", "add", "--name", "Shop 乙", "--kind", "shop")
    assert code == 2 and "[invalid_request] (kind)" in stderr


def test_an_api_key_belongs_to_the_organisation_named_and_key_listings_show_no_secret(
    migrated: dict[str, str | None],
) -> None:
    run(migrated, "org", "add", "--name", "shop", "--kind", "platform")
    code, stdout, _ = run(migrated, "keys", "create-api-key", "--org", "shop", "--name", "shop system")
    match = PRESENTED.search(stdout)
    assert code == 0 and match is not None
    secret = match.group(0).split("_", 2)[2]
    code, listing, _ = run(migrated, "keys", "list")
    assert code == 0
    assert f"{match.group(1)}\tactive\tshop\tshop system\t" in listing
    assert secret not in listing
    assert run(migrated, "keys", "list", "--org", "carrier")[1] == ""
    code, _, stderr = run(migrated, "keys", "create-api-key", "--org", "nobody", "--name", "x")
    assert code == 3 and "[organisation_not_found]" in stderr


def test_an_api_key_cannot_be_created_without_naming_its_organisation(
    migrated: dict[str, str | None],
) -> None:
    code, _, stderr = run(migrated, "keys", "create-api-key", "--name", "x")
    assert code == 2 and "--org" in stderr


def test_demo_reuses_its_organisation_and_keys_and_renews_them_on_request(env: dict[str, str | None]) -> None:
    code, first, stderr = run(env, "demo", "--orders", "0", "--no-serve")
    assert code == 0, stderr
    first_keys = PRESENTED.findall(first)
    assert len(first_keys) == 2

    code, second, _ = run(env, "demo", "--orders", "0", "--no-serve")
    assert code == 0
    assert PRESENTED.search(second) is None  # an old secret cannot be shown again
    assert all(f"pgk_{key_id}_…" in second for key_id in first_keys)
    assert "--new-keys" in second
    listing = run(env, "keys", "list")[1].splitlines()
    assert len(listing) == 2 and all("\tactive\tdemo platform\t" in line for line in listing)
    assert [line.split("\t")[1] for line in run(env, "org", "list")[1].splitlines()] == [
        "carrier",
        "platform",
    ]

    code, third, _ = run(env, "demo", "--orders", "0", "--no-serve", "--new-keys")
    renewed = set(PRESENTED.findall(third))  # the curl hint repeats the platform key
    assert code == 0 and len(renewed) == 2 and not renewed & set(first_keys)
    states = [line.split("\t")[1] for line in run(env, "keys", "list")[1].splitlines()]
    assert sorted(states) == ["active", "active", "revoked", "revoked"]


def test_keys_status_counts_waybills_a_rotation_has_not_rewrapped_yet(
    migrated: dict[str, str | None],
) -> None:
    code, stdout, _ = run(migrated, "keys", "status")
    assert code == 0 and "waybills under an older version: 0" in stdout
    assert "current 1" in stdout


def test_starting_without_the_key_file_over_a_used_database_refuses_and_creates_nothing(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    assert run(env, "demo", "--orders", "0", "--no-serve")[0] == 0
    key_file = tmp_path / "home" / "keys.json"
    key_file.unlink()
    for command in (("demo", "--orders", "0", "--no-serve"), ("db", "upgrade"), ("keys", "list")):
        code, _, stderr = run(env, *command)
        assert code != 0, command
        assert "key_file_missing" in stderr or "data_folder_not_found" in stderr, stderr
        assert "Traceback" not in stderr
        assert not key_file.exists()
    code, _, stderr = run(env, "demo", "--orders", "0", "--no-serve")
    assert "[key_file_missing]" in stderr and str(tmp_path) not in stderr.split("key_file_missing", 1)[1]
