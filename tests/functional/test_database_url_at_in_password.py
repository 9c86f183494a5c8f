"""A PARCELGUARD_DATABASE_URL whose password holds an @ that is not percent-encoded (P@ss) splits at the
first @: the password's tail became the host, was looked up in DNS and printed in "cannot reach the
PostgreSQL database at <tail>@127.0.0.1" (R2 review, 2026-11-30). It is refused as invalid_configuration,
never echoed."""

from __future__ import annotations

from pathlib import Path

import pytest

from parcelguard.adapters.db.engine import parse_database_url
from parcelguard.errors import ConfigurationError, ErrorCode
from tests.functional.test_cli_startup_errors import _database_env, one_line, run

TAIL = "Tail0fThePassword"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://someone:Sup3r@{TAIL}@127.0.0.1:1/x",
        f"postgresql+psycopg://someone:P@ss@{TAIL}@127.0.0.1:1/x",
    ],
)
def test_an_unencoded_at_in_the_password_is_refused_without_echoing_it(tmp_path: Path, url: str) -> None:
    env = _database_env(tmp_path, url)
    for args in (("waybill", "show", "PG123456789012"), ("db", "upgrade")):
        exit_code, stdout, stderr = run(env, *args)
        line = one_line(stderr)
        assert exit_code == 1 and line.startswith("error [invalid_configuration]"), (args, line)
        assert "%40" in line
        assert TAIL not in stderr + stdout


def test_a_percent_encoded_at_is_a_password_like_any_other() -> None:
    parsed = parse_database_url(f"postgresql+psycopg://someone:Sup3r%40{TAIL}@127.0.0.1:1/x")
    assert parsed.host == "127.0.0.1" and parsed.password == f"Sup3r@{TAIL}"
    with pytest.raises(ConfigurationError) as raised:
        parse_database_url(f"postgresql+psycopg://someone:Sup3r@{TAIL}@127.0.0.1:1/x")
    assert raised.value.code == ErrorCode.INVALID_CONFIGURATION and TAIL not in str(raised.value)
