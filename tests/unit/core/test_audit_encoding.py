"""Audit event encoding version 1 (docs/audit-log.md): the exact leaf bytes, byte for byte."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from parcelguard.domain.audit import CANONICAL_VERSION, AuditEvent, canonical_event_bytes, utc_text


def test_version_1_bytes_are_as_documented() -> None:
    event = AuditEvent(
        "reveal:waybill:revealed",
        "user:demo.agent",
        datetime(2026, 11, 30, 17, 5, 0, 120000, tzinfo=timezone(timedelta(hours=8))),
        "PG1234567890128",
        {"station": "NS-01", "role": "cs_agent", "fields": 2, "ok": True, "note": None, "城市": "北京"},
    )
    assert CANONICAL_VERSION == 1
    assert (
        event.canonical_bytes()
        == (
            '{"action":"reveal:waybill:revealed","actor":"user:demo.agent","details":{"fields":2,"note":null,'
            '"ok":true,"role":"cs_agent","station":"NS-01","城市":"北京"},'
            '"occurred_at":"2026-11-30T09:05:00.120000+00:00","subject":"PG1234567890128","v":1}'
        ).encode()
    )
    leaf = hashlib.sha256(b"\x00" + event.canonical_bytes()).hexdigest()
    assert len(leaf) == 64


def test_the_fast_path_equals_the_event_path() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    event = AuditEvent("a:b:c", "x", at, "s", {"k": 'q"\\\n', "f": 1.5, "n": -3})
    assert (
        canonical_event_bytes("a:b:c", "x", utc_text(at), "s", dict(event.details)) == event.canonical_bytes()
    )


def test_a_float_without_json_is_refused() -> None:
    event = AuditEvent("a:b:c", "x", datetime.now(UTC), "s", {"f": float("nan")})
    with pytest.raises(ValueError):
        event.canonical_bytes()
