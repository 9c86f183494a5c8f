"""A sign-in whose secrets were checked before an administrator's change and recorded after it gets nothing.

The password check (argon2id, ~0.15 s) runs outside the transaction that records the session; a new
password, a disable or an offboarding committed in between must refuse the sign-in (auth._admit confirms the
user's row under its lock), on SQLite and PostgreSQL. Synthetic people only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.people import Role
from parcelguard.errors import AuthenticationError, ErrorCode
from parcelguard.services import auth, people
from parcelguard.services.context import ServiceContext
from tests.people_support import PASSWORD, Clock, add_person, fast_runtime, with_station

ADMIN = "user:admin.01"
NEW_PASSWORD = "another fresh passphrase 7"


@pytest.fixture
def ctx(runtime: Runtime) -> ServiceContext:
    fast = fast_runtime(runtime, Clock())
    with_station(fast.ctx)
    return fast.ctx


def _overtaken(ctx: ServiceContext, change: Callable[[], object]) -> ServiceContext:
    """A context whose password check lets ``change`` commit right after the password was found right."""
    real = ctx.passwords

    class Overtaken:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def verify(self, stored: str, password: str) -> bool:
            right = real.verify(stored, password)
            change()
            return right

    return replace(ctx, passwords=Overtaken())


@pytest.mark.parametrize("method", ["token", "session"])
@pytest.mark.parametrize("change", ["set_password", "disable", "offboard"])
def test_a_sign_in_overtaken_by_an_administrators_change_gets_no_credential(
    ctx: ServiceContext, method: str, change: str
) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    changes: dict[str, Callable[[], object]] = {
        "set_password": lambda: people.set_password(ctx, "courier.01", password=NEW_PASSWORD, actor=ADMIN),
        "disable": lambda: people.disable_user(ctx, "courier.01", actor=ADMIN),
        "offboard": lambda: people.offboard_user(
            ctx, "courier.01", from_=ctx.clock() - timedelta(minutes=1), actor=ADMIN
        ),
    }
    racing = _overtaken(ctx, changes[change])
    sign_in = auth.issue_access_token if method == "token" else auth.open_session
    with pytest.raises(AuthenticationError) as refused:
        sign_in(racing, username="courier.01", password=PASSWORD)
    assert refused.value.code in (
        ErrorCode.INVALID_CREDENTIALS,
        ErrorCode.USER_DISABLED,
        ErrorCode.OFFBOARDING,
    )
    with ctx.uow() as uow:
        user = uow.users.get("courier.01")
        assert user is not None
        # Nothing the racing sign-in recorded is live: a fresh revoke finds no session to end.
        assert uow.sessions.revoke_for_user(user.id, ctx.clock()) == 0
        uow.rollback()


def test_an_unraced_sign_in_still_works_and_a_rehash_is_stored(ctx: ServiceContext) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    real = ctx.passwords

    class Outdated:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def needs_rehash(self, stored: str) -> bool:
            return True

        def hash(self, password: str) -> str:
            return "rehashed:" + real.hash(password)

    rehashing = replace(ctx, passwords=Outdated())
    token = auth.issue_access_token(rehashing, username="courier.01", password=PASSWORD)
    assert auth.principal_for_access_token(ctx, token.access_token).actor == "user:courier.01"
    with ctx.uow() as uow:
        credentials = uow.users.credentials("courier.01")
        assert credentials is not None and credentials.password_hash.startswith("rehashed:")
