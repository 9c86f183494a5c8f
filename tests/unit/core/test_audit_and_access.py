"""Audit events serialise canonically; API keys are checked without storing secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from parcelguard.domain.access import (
    Principal,
    Scope,
    new_api_key,
    parse_scopes,
    secret_matches,
    split_presented_key,
)
from parcelguard.domain.audit import AuditEvent
from parcelguard.errors import AuthenticationError, PermissionDeniedError, ValidationError


def test_canonical_bytes_do_not_depend_on_the_timezone_or_key_order() -> None:
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    a = AuditEvent("waybill:waybill:issued", "apikey:x", at, "PG1", {"b": 1, "a": 2})
    b = AuditEvent(
        "waybill:waybill:issued",
        "apikey:x",
        at.astimezone(timezone(timedelta(hours=8))),
        "PG1",
        {"a": 2, "b": 1},
    )
    assert a.canonical_bytes() == b.canonical_bytes()
    assert a.canonical_bytes().startswith(b'{"action":"waybill:waybill:issued"')


@pytest.mark.parametrize("action", ["issued", "waybill:issued", "Waybill:x:y", "a:b:c:d"])
def test_event_names_must_read_area_subject_action(action: str) -> None:
    with pytest.raises(ValueError, match="area:subject:action"):
        AuditEvent(action, "a", datetime.now(UTC), "s")


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        AuditEvent("a:b:c", "a", datetime(2026, 1, 1), "s")  # noqa: DTZ001 - the point of the test


def test_a_new_key_is_presented_once_and_checked_by_its_hash() -> None:
    key = new_api_key()
    key_id, secret = split_presented_key(key.presented)
    assert key_id == key.key_id and secret_matches(secret, key.secret_hash)
    assert not secret_matches(secret[:-1] + ("A" if secret[-1] != "A" else "B"), key.secret_hash)
    assert key.secret not in key.secret_hash


@pytest.mark.parametrize("presented", ["", "pgk_", "pgk_short_secret", "Bearer x", "pgk_abc_" + "x" * 43])
def test_malformed_keys_are_authentication_failures(presented: str) -> None:
    with pytest.raises(AuthenticationError):
        split_presented_key(presented)


def test_scopes_are_enforced_and_admin_holds_them_all() -> None:
    reader = Principal("apikey:r", frozenset({Scope.WAYBILL_READ}))
    reader.require(Scope.WAYBILL_READ)
    with pytest.raises(PermissionDeniedError):
        reader.require(Scope.WAYBILL_ISSUE)
    Principal("apikey:a", frozenset({Scope.ADMIN})).require(Scope.LABEL_PRINT)


def test_unknown_scopes_are_refused_not_ignored() -> None:
    assert parse_scopes("waybill:read, label:print") == {Scope.WAYBILL_READ, Scope.LABEL_PRINT}
    with pytest.raises(ValidationError):
        parse_scopes("waybill:read,superuser")
