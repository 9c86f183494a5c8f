"""What a customer sees of an access (domain/access_transparency.py), and the console sink's masking."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from parcelguard.adapters.notify import ConsoleNotifier, InMemoryNotifier, mask_destination
from parcelguard.domain import access_transparency as at

WHEN = datetime(2026, 11, 30, 8, 31, 47, 123456, tzinfo=UTC)
ANYONE = at.Accessor(role="courier", organisation="carrier", station="SZ-NS", alias="ABCD-EFGH")


def test_a_reveal_keeps_its_purpose_decision_and_field_names_and_drops_everything_else() -> None:
    details = {
        "role": "courier",
        "station": "SZ-NS",
        "device": "phone-7",
        "client": "10.0.0.7",
        "ticket": "T-1234",
        "purpose": "delivery",
        "decision": "allowed",
        "reason": "out_for_delivery",
        "fields": "recipient.address,recipient.mobile",
    }
    entry = at.entry_of(7, "reveal:waybill:revealed", WHEN, details, ANYONE)
    assert entry is not None
    assert (entry.kind, entry.purpose, entry.decision, entry.reason) == (
        at.AccessKind.REVEALED,
        "delivery",
        "allowed",
        "out_for_delivery",
    )
    assert entry.fields == ("recipient.address", "recipient.mobile")
    shown = repr(entry)
    assert "phone-7" not in shown and "10.0.0.7" not in shown and "T-1234" not in shown


def test_times_are_shown_to_the_minute() -> None:
    entry = at.entry_of(1, "waybill:label:rendered", WHEN, {"format": "pdf"}, ANYONE)
    assert entry is not None and entry.occurred_at == datetime(2026, 11, 30, 8, 31, tzinfo=UTC)


def test_refusals_and_pending_requests_read_as_such_and_lifecycle_steps_are_no_access() -> None:
    assert at.decision_of("reveal:waybill:refused", {"reason": "not_assigned"}) == "refused"
    assert at.decision_of("reveal:search:refused", {}) == "refused"
    assert at.decision_of("reveal:grant:requested", {}) == "pending"
    assert at.decision_of("waybill:label_token:resolved", {}) == "allowed"
    assert at.access_kind("waybill:waybill:issued") is None
    assert at.access_kind("dispatch:waybill:assigned") is None
    assert at.access_kind("dispatch:parcel_event:recorded") is None
    assert at.access_kind("waybill:dataset:exported") is at.AccessKind.EXPORTED
    assert at.entry_of(1, "dispatch:waybill:assigned", WHEN, {}, ANYONE) is None


def test_the_customers_own_steps_have_words_of_their_own() -> None:
    entry = at.entry_of(1, at.CODE_NOT_SENT, WHEN, {}, ANYONE)
    assert entry is not None and entry.decision == "refused" and "matched no one" in entry.label


@given(st.binary(min_size=16, max_size=16))
def test_a_staff_alias_is_eight_base32_characters_read_in_two_halves(digest: bytes) -> None:
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}", at.staff_alias(digest))


def test_the_console_sink_prints_the_code_and_never_the_whole_mobile() -> None:
    out = io.StringIO()
    ConsoleNotifier(out).send_code("sms", "13800138000", "Your access code is 123456")
    line = out.getvalue()
    assert "123456" in line and "13800138000" not in line and "138******00" in line


@given(st.text(alphabet="0123456789", min_size=0, max_size=20))
def test_a_masked_destination_hides_at_least_six_characters(destination: str) -> None:
    masked = mask_destination(destination)
    assert len(masked) == len(destination) and masked.count("*") >= min(6, len(destination))


def test_the_memory_sink_answers_what_went_to_one_destination() -> None:
    sink = InMemoryNotifier()
    sink.send_code("sms", "13800138000", "a")
    sink.send_code("sms", "13900139000", "b")
    assert sink.messages_to("13800138000") == ["a"]
    assert "13800138000" not in repr(sink)
