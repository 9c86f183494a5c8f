"""The page session's activity stamp (web/sessions.py): accepted only as made, for its session, within
the idle timeout; anything else read from the cookie is no stamp."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import cast

from hypothesis import given
from hypothesis import strategies as st

from parcelguard.adapters.crypto.blind_index import BlindIndex
from parcelguard.services.context import ServiceContext
from parcelguard.web.sessions import SESSION_IDLE_TIMEOUT, active_within, activity_stamp

CTX = cast(ServiceContext, SimpleNamespace(index=BlindIndex(b"k" * 32)))
OTHER_KEY = cast(ServiceContext, SimpleNamespace(index=BlindIndex(b"o" * 32)))
SESSION = "pgs_" + "a" * 43
AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
IDLE_S = int(SESSION_IDLE_TIMEOUT.total_seconds())


@given(st.integers(min_value=0, max_value=IDLE_S))
def test_a_stamp_is_good_for_its_session_until_the_timeout(age_s: int) -> None:
    stamp = activity_stamp(CTX, SESSION, AT)
    assert active_within(CTX, SESSION, stamp, AT + timedelta(seconds=age_s), SESSION_IDLE_TIMEOUT)
    assert not active_within(CTX, SESSION, stamp, AT + timedelta(seconds=IDLE_S + 1), SESSION_IDLE_TIMEOUT)
    assert not active_within(CTX, "pgs_" + "b" * 43, stamp, AT, SESSION_IDLE_TIMEOUT)
    assert not active_within(OTHER_KEY, SESSION, stamp, AT, SESSION_IDLE_TIMEOUT)


@given(st.text(max_size=80))
def test_any_other_text_is_no_stamp(text: str) -> None:
    real = activity_stamp(CTX, SESSION, AT)
    if text != real:
        assert not active_within(CTX, SESSION, text, AT, SESSION_IDLE_TIMEOUT)


@given(st.integers(min_value=-(10**6), max_value=10**6).filter(lambda s: s != 0))
def test_a_stamp_with_its_time_changed_is_no_stamp(shift_s: int) -> None:
    seconds, _dot, mac = activity_stamp(CTX, SESSION, AT).partition(".")
    moved = f"{int(seconds) + shift_s}.{mac}"
    assert not active_within(CTX, SESSION, moved, AT + timedelta(seconds=60), SESSION_IDLE_TIMEOUT)
