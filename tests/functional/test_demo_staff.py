"""`parcelguard demo` seeds a station, one person per role and parcels on their way (dev and demo only):
each person signs in with the password printed once, and the flows work at once."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from typer.testing import CliRunner

from parcelguard.bootstrap import bootstrap
from parcelguard.cli.main import app
from parcelguard.config import Settings
from parcelguard.services.auth import issue_access_token, principal_for_access_token
from parcelguard.services.demo import DEMO_STAFF
from parcelguard.services.dispatch import courier_deliveries
from parcelguard.services.reveal import reveal

_PERSON = re.compile(r"^  (demo\.[a-z]+) +([a-z_]+) +(\S{16})$", re.MULTILINE)
_TOTP = re.compile(r"TOTP: (otpauth://\S+)")


def run(home: Path, *args: str) -> tuple[int, str, str]:
    env = {"PARCELGUARD_HOME": str(home), "PARCELGUARD_DATABASE_URL": None, "PARCELGUARD_ENVIRONMENT": "dev"}
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_demo_staff_sign_in_with_the_passwords_printed_once_and_deliver(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, stdout, stderr = run(home, "demo", "--orders", "0", "--no-serve")
    assert code == 0, stderr
    printed = {name: (role, password) for name, role, password in _PERSON.findall(stdout)}
    assert {name: role for name, (role, _) in printed.items()} == {n: r.value for n, r in DEMO_STAFF}
    assert len(_TOTP.findall(stdout)) == 4  # admin, cs_agent, security_officer, regulator
    parcels = re.search(r"out for delivery with demo\.courier: (\S+), (\S+)", stdout)
    assert parcels is not None

    runtime = bootstrap(Settings(home=home, database_url=None), create_keys=False)
    try:
        ctx = runtime.ctx
        token = issue_access_token(ctx, username="demo.courier", password=printed["demo.courier"][1])
        courier = principal_for_access_token(ctx, token.access_token)
        mine = {parcel.tracking_number for parcel in courier_deliveries(ctx, courier)}
        assert mine == {parcels.group(1), parcels.group(2)}
        shown = reveal(
            ctx, courier, tracking_number=parcels.group(1), fields=["recipient.address"], purpose="delivery"
        )
        assert shown.reason == "out_for_delivery"
        for uri in _TOTP.findall(stdout):
            name = urlparse(uri).path.rsplit(":", 1)[-1]
            secret = parse_qs(urlparse(uri).query)["secret"][0]
            otp = ctx.otp.code_at(secret, ctx.clock())
            assert issue_access_token(ctx, username=name, password=printed[name][1], otp=otp).access_token
    finally:
        runtime.close()

    code, again, _ = run(home, "demo", "--orders", "0", "--no-serve")
    assert code == 0 and "demo.courier" in again
    assert all(password not in again for _, password in printed.values())
    assert "otpauth://" not in again


def test_production_settings_seed_no_staff_and_print_no_password(tmp_path: Path) -> None:
    home = tmp_path / "home"
    # prod refuses the embedded SQLite default, so it runs on a file URL named explicitly
    env = {
        "PARCELGUARD_HOME": str(home),
        "PARCELGUARD_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
        "PARCELGUARD_ENVIRONMENT": "prod",
    }
    home.mkdir()
    result = CliRunner().invoke(app, ["demo", "--orders", "0", "--no-serve"], env=env)
    assert result.exit_code == 0, result.stderr
    assert "Demo staff" not in result.stdout and "otpauth://" not in result.stdout
    assert "none seeded" in result.stdout
