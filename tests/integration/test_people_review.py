"""Security review of issue 10, sign-in: the account lock holds whatever spelling of the username is tried,
through tokens and page sessions alike."""

from __future__ import annotations

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.people import Role
from parcelguard.errors import AccountLockedError, AuthenticationError, ErrorCode
from parcelguard.services import auth
from parcelguard.services.context import ServiceContext
from tests.people_support import PASSWORD, Clock, add_person, fast_runtime, with_station


@pytest.fixture
def ctx(runtime: Runtime) -> ServiceContext:
    fast = fast_runtime(runtime, Clock())
    with_station(fast.ctx)
    return fast.ctx


def test_the_lock_holds_for_every_spelling_of_the_username_and_both_ways_in(ctx: ServiceContext) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    spellings = ["courier.01", "COURIER.01", " Courier.01 ", "courier.01\u00a0", "\tcourier.01\n"]
    for name in spellings[: ctx.login_policy.max_failures]:
        with pytest.raises(AuthenticationError) as wrong:
            auth.issue_access_token(ctx, username=name, password="z" * 20)
        assert wrong.value.code is ErrorCode.INVALID_CREDENTIALS
    for name in spellings:
        with pytest.raises(AccountLockedError):
            auth.issue_access_token(ctx, username=name, password=PASSWORD)
        with pytest.raises(AccountLockedError):
            auth.open_session(ctx, username=name, password=PASSWORD)
    # look-alikes (Cyrillic о, full-width letters, a zero-width space) are no spelling of it: never in
    for name in ("cоurier.01", "ｃｏｕｒｉｅｒ.01", "courier.01\u200b"):
        with pytest.raises(AuthenticationError) as unknown:
            auth.issue_access_token(ctx, username=name, password=PASSWORD)
        assert unknown.value.code in (ErrorCode.INVALID_CREDENTIALS, ErrorCode.ACCOUNT_LOCKED)
