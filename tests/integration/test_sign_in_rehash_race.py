"""Review (issue 9's sign-in race guard): two sign-ins of one person with the right password, overlapping
while the stored hash is due for a rehash (argon2 parameters raised), both get in. The first one's rehash
changes the stored hash without changing the password; the guard that refuses a sign-in overtaken by a
password change must not refuse this one. Synthetic people only; SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.people import Role
from parcelguard.errors import AuthenticationError, ErrorCode
from parcelguard.services import auth, people
from parcelguard.services.context import ServiceContext
from tests.people_support import PASSWORD, Clock, add_person, fast_runtime, with_station

NEW_PASSWORD = "another fresh passphrase 7"


@pytest.fixture
def ctx(runtime: Runtime) -> ServiceContext:
    fast = fast_runtime(runtime, Clock())
    with_station(fast.ctx)
    return fast.ctx


def _due_for_rehash(ctx: ServiceContext, during_check: list[Any]) -> ServiceContext:
    """Every stored hash is due for a rehash; the first password check runs ``during_check[0]`` first."""
    real = ctx.passwords

    class Upgraded:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def needs_rehash(self, _stored: str) -> bool:
            return True

        def verify(self, stored: str, password: str) -> bool:
            right = real.verify(stored, password)
            if during_check:
                during_check.pop()()
            return right

    return replace(ctx, passwords=Upgraded())


@pytest.mark.parametrize("method", ["token", "session"])
def test_two_overlapping_sign_ins_that_rehash_both_get_in(ctx: ServiceContext, method: str) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    sign_in = auth.issue_access_token if method == "token" else auth.open_session
    other: list[Any] = []
    during: list[Any] = []
    racing = _due_for_rehash(ctx, during)
    during.append(lambda: other.append(sign_in(racing, username="courier.01", password=PASSWORD)))
    mine = sign_in(racing, username="courier.01", password=PASSWORD)
    secrets = [
        answer.access_token if isinstance(answer, auth.AccessToken) else answer.session_id
        for answer in (*other, mine)
    ]
    assert len(set(secrets)) == 2
    if method == "token":
        for secret in secrets:
            assert auth.principal_for_access_token(ctx, secret).username == "courier.01"


def test_a_sign_in_overtaken_by_a_new_password_is_still_refused_when_rehashing(ctx: ServiceContext) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    during: list[Any] = [
        lambda: people.set_password(ctx, "courier.01", password=NEW_PASSWORD, actor="user:admin.01")
    ]
    with pytest.raises(AuthenticationError) as refused:
        auth.issue_access_token(_due_for_rehash(ctx, during), username="courier.01", password=PASSWORD)
    assert refused.value.code is ErrorCode.INVALID_CREDENTIALS
