"""Account recovery on real databases (SQLite and PostgreSQL), with real argon2id, TOTP and envelope keys:
enabling a user disabled by mistake, a new second factor for a lost phone, a new password for a forgotten one.

Security properties checked here: what a person held before stays dead after each change, the old phone's
codes and the old password stop working at once, offboarding is never undone, the new secret is sealed with
the user's own data key (a key rotation racing the reset still opens it), and no audit event or stored row
holds a password or a secret.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy import Row, select

from parcelguard.adapters.db import models as m
from parcelguard.bootstrap import Runtime
from parcelguard.domain import audit
from parcelguard.domain.access import hash_secret
from parcelguard.domain.keys import WrappedKey
from parcelguard.domain.people import Role
from parcelguard.errors import AuthenticationError, ConflictError, ErrorCode, NotFoundError, ValidationError
from parcelguard.services import auth, people
from parcelguard.services.context import ServiceContext
from parcelguard.services.keys import rotate_keys
from parcelguard.services.ports import SessionRecord
from tests.people_support import PASSWORD, Clock, add_person, fast_runtime, totp_secret, with_station

NEW_PASSWORD = "a brand new passphrase 42"
ADMIN = "user:admin.01"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(runtime: Runtime, clock: Clock) -> ServiceContext:
    fast = fast_runtime(runtime, clock)
    with_station(fast.ctx)
    return fast.ctx


def audit_rows(runtime: Runtime) -> list[tuple[str, str, str, dict[str, object]]]:
    with runtime.engine.connect() as connection:
        rows = connection.execute(select(m.audit_event).order_by(m.audit_event.c.seq)).all()
    return [(r.action, r.actor, r.subject, json.loads(r.details)) for r in rows]


def dump(runtime: Runtime) -> str:
    with runtime.engine.connect() as connection:
        return "\n".join(
            json.dumps([str(v) for v in row], ensure_ascii=False)
            for table in m.metadata.sorted_tables
            for row in connection.execute(select(table))
        )


def user_row(runtime: Runtime, username: str) -> Row[Any]:
    with runtime.engine.connect() as connection:
        return connection.execute(select(m.app_user).where(m.app_user.c.username == username)).one()


def refused(code: ErrorCode, call: object, *args: object, **kwargs: object) -> None:
    assert callable(call)
    with pytest.raises(AuthenticationError) as caught:
        call(*args, **kwargs)
    assert caught.value.code is code, caught.value.code


def code_at(ctx: ServiceContext, secret: str) -> str:
    return ctx.otp.code_at(secret, ctx.clock())


# -- enable -------------------------------------------------------------------------------------------------


def test_an_enabled_user_signs_in_again_but_what_they_held_when_disabled_stays_revoked(
    runtime: Runtime, ctx: ServiceContext
) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    token = auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)
    session = auth.open_session(ctx, username="courier.01", password=PASSWORD)
    people.disable_user(ctx, "courier.01", actor=ADMIN)
    enabled = people.enable_user(ctx, " Courier.01 ", actor=ADMIN)
    assert enabled.disabled_at is None and people.get_user(ctx, "courier.01").disabled_at is None
    refused(ErrorCode.UNAUTHENTICATED, auth.principal_for_access_token, ctx, token.access_token)
    refused(ErrorCode.UNAUTHENTICATED, auth.principal_for_session, ctx, session.session_id)
    fresh = auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)
    assert auth.principal_for_access_token(ctx, fresh.access_token).actor == "user:courier.01"
    # Enabling an enabled user changes nothing and is not audited again.
    people.enable_user(ctx, "courier.01", actor=ADMIN)
    events = [e for e in audit_rows(runtime) if e[0] == audit.USER_ENABLED]
    assert events == [(audit.USER_ENABLED, ADMIN, "user:courier.01", {"sessions_revoked": 0})]


def test_enabling_revokes_a_token_issued_in_a_race_with_the_disabling(ctx: ServiceContext) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    people.disable_user(ctx, "courier.01", actor=ADMIN)
    user = people.get_user(ctx, "courier.01")
    raced = "pgt_" + "R" * 43  # a sign-in checked before the disabling and recorded after it
    with ctx.uow() as uow:
        now = ctx.clock()
        uow.sessions.add(
            SessionRecord(
                secret_hash=hash_secret(raced),
                kind="token",
                user_id=user.id,
                csrf_token=None,
                second_factor=False,
                device=None,
                issued_at=now,
                expires_at=now + timedelta(minutes=15),
                revoked_at=None,
            )
        )
        uow.commit()
    refused(ErrorCode.USER_DISABLED, auth.principal_for_access_token, ctx, raced)
    people.enable_user(ctx, "courier.01", actor=ADMIN)
    refused(ErrorCode.UNAUTHENTICATED, auth.principal_for_access_token, ctx, raced)


def test_enabling_does_not_undo_an_offboarding_that_has_come(
    runtime: Runtime, ctx: ServiceContext, clock: Clock
) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    people.disable_user(ctx, "courier.01", actor=ADMIN)
    people.offboard_user(ctx, "courier.01", from_=clock.now - timedelta(days=1), actor=ADMIN)
    with pytest.raises(ConflictError) as offboarded:
        people.enable_user(ctx, "courier.01", actor=ADMIN)
    assert offboarded.value.code is ErrorCode.OFFBOARDING and offboarded.value.field == "username"
    assert "does not undo offboarding" in offboarded.value.message
    assert people.get_user(ctx, "courier.01").disabled_at is not None
    assert audit.USER_ENABLED not in [e[0] for e in audit_rows(runtime)]
    # Not disabled, but offboarded: refused the same way (enabling cannot make them sign in).
    add_person(ctx, "courier.02", Role.COURIER)
    people.offboard_user(ctx, "courier.02", from_=clock.now, actor=ADMIN)
    with pytest.raises(ConflictError):
        people.enable_user(ctx, "courier.02", actor=ADMIN)


def test_enabling_keeps_an_offboarding_date_still_to_come(ctx: ServiceContext, clock: Clock) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    leaving = clock.now + timedelta(days=3)
    people.offboard_user(ctx, "courier.01", from_=leaving, actor=ADMIN)
    people.disable_user(ctx, "courier.01", actor=ADMIN)
    assert people.enable_user(ctx, "courier.01", actor=ADMIN).offboard_from == leaving
    assert auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)
    clock.advance(days=3)
    refused(ErrorCode.OFFBOARDING, auth.issue_access_token, ctx, username="courier.01", password=PASSWORD)


def test_recovery_of_an_unknown_user_is_user_not_found(ctx: ServiceContext) -> None:
    calls = [
        lambda: people.enable_user(ctx, "nobody.1", actor=ADMIN),
        lambda: people.reset_second_factor(ctx, "nobody.1", actor=ADMIN),
        lambda: people.set_password(ctx, "nobody.1", password=NEW_PASSWORD, actor=ADMIN),
    ]
    for call in calls:
        with pytest.raises(NotFoundError) as missing:
            call()
        assert missing.value.code is ErrorCode.USER_NOT_FOUND and missing.value.field == "username"


# -- a new second factor ------------------------------------------------------------------------------------


def test_after_a_reset_the_old_phone_fails_and_the_new_uri_signs_in(
    runtime: Runtime, ctx: ServiceContext, clock: Clock
) -> None:
    old = add_person(ctx, "admin.01", Role.ADMIN)
    assert old is not None
    token = auth.issue_access_token(ctx, username="admin.01", password=PASSWORD, otp=code_at(ctx, old))
    clock.advance(seconds=30)
    session = auth.open_session(ctx, username="admin.01", password=PASSWORD, otp=code_at(ctx, old))
    before = user_row(runtime, "admin.01")
    user, uri = people.reset_second_factor(ctx, "ADMIN.01", actor=ADMIN)
    assert user.username == "admin.01" and uri.startswith("otpauth://totp/") and ":admin.01?" in uri
    new = totp_secret(uri)
    assert new != old
    refused(ErrorCode.UNAUTHENTICATED, auth.principal_for_access_token, ctx, token.access_token)
    refused(ErrorCode.UNAUTHENTICATED, auth.principal_for_session, ctx, session.session_id)
    # The new secret is sealed with the same data key, still wrapped as before; only the ciphertext changed.
    after = user_row(runtime, "admin.01")
    assert (after.kek_version, bytes(after.wrapped_key)) == (before.kek_version, bytes(before.wrapped_key))
    assert bytes(after.ct_totp_secret) != bytes(before.ct_totp_secret)
    # A code of the reset's own time step is refused (an old-phone sign-in in flight cannot land) ...
    refused(
        ErrorCode.INVALID_CREDENTIALS,
        auth.issue_access_token,
        ctx,
        username="admin.01",
        password=PASSWORD,
        otp=pyotp.parse_uri(uri).at(clock.now),
    )
    clock.advance(seconds=30)
    refused(
        ErrorCode.INVALID_CREDENTIALS,
        auth.issue_access_token,
        ctx,
        username="admin.01",
        password=PASSWORD,
        otp=code_at(ctx, old),
    )
    # ... and from the next step the authenticator that scanned the new URI signs in.
    fresh = auth.issue_access_token(
        ctx, username="admin.01", password=PASSWORD, otp=pyotp.parse_uri(uri).at(clock.now)
    )
    assert auth.principal_for_access_token(ctx, fresh.access_token).second_factor
    events = [e for e in audit_rows(runtime) if e[0] == audit.USER_SECOND_FACTOR_RESET]
    assert events == [(audit.USER_SECOND_FACTOR_RESET, ADMIN, "user:admin.01", {"sessions_revoked": 2})]
    stored = dump(runtime)
    for never in (old, new, old.lower(), new.lower(), uri, PASSWORD):
        assert never not in stored


def test_an_old_phone_sign_in_in_flight_during_the_reset_cannot_claim_its_step(
    ctx: ServiceContext, clock: Clock
) -> None:
    old = add_person(ctx, "cs.01", Role.CS_AGENT)
    assert old is not None
    step = ctx.otp.matching_step(old, code_at(ctx, old), clock.now)
    assert step is not None
    people.reset_second_factor(ctx, "cs.01", actor=ADMIN)
    user = people.get_user(ctx, "cs.01")
    with ctx.uow() as uow:
        assert not uow.users.claim_totp_step(user.id, step)  # what _admit would try after the check
        assert uow.users.claim_totp_step(user.id, step + 1)
        uow.commit()


def test_a_sign_in_checked_with_the_old_phone_before_the_reset_is_refused_after_it(
    ctx: ServiceContext,
) -> None:
    old = add_person(ctx, "admin.01", Role.ADMIN)
    assert old is not None
    real = ctx.passwords

    class ResetDuringTheCheck:
        """The password hasher of a sign-in whose check the administrator's reset overtakes."""

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def verify(self, stored: str, password: str) -> bool:
            right = real.verify(stored, password)
            people.reset_second_factor(ctx, "admin.01", actor=ADMIN)
            return right

    racing = replace(ctx, passwords=ResetDuringTheCheck())
    refused(
        ErrorCode.INVALID_CREDENTIALS,
        auth.issue_access_token,
        racing,
        username="admin.01",
        password=PASSWORD,
        otp=code_at(ctx, old),
    )


def test_a_reset_never_lowers_a_time_step_already_used(ctx: ServiceContext, clock: Clock) -> None:
    old = add_person(ctx, "regulator.01", Role.REGULATOR)
    assert old is not None
    # A phone a step ahead signed in with the next step's code (within the drift allowed).
    ahead = ctx.otp.code_at(old, clock.now + timedelta(seconds=30))
    assert auth.issue_access_token(ctx, username="regulator.01", password=PASSWORD, otp=ahead)
    step = ctx.otp.matching_step(old, ahead, clock.now)
    assert step is not None
    _user, uri = people.reset_second_factor(ctx, "regulator.01", actor=ADMIN)
    user = people.get_user(ctx, "regulator.01")
    with ctx.uow() as uow:
        assert not uow.users.claim_totp_step(user.id, step)
        uow.rollback()
    clock.advance(seconds=60)
    assert auth.issue_access_token(
        ctx, username="regulator.01", password=PASSWORD, otp=pyotp.parse_uri(uri).at(clock.now)
    )


def test_a_key_rotation_racing_the_reset_still_opens_the_new_secret(
    runtime: Runtime, ctx: ServiceContext, clock: Clock
) -> None:
    add_person(ctx, "security.01", Role.SECURITY_OFFICER)
    user = people.get_user(ctx, "security.01")
    before = user_row(runtime, "security.01")
    # The rotation read the wrapped key before the reset and writes its rewrap after it.
    read_by_rotation = WrappedKey(before.kek_version, bytes(before.wrapped_key))
    _user, uri = people.reset_second_factor(ctx, "security.01", actor=ADMIN)
    new_version = ctx.keyring.add_kek_version()
    with ctx.uow() as uow:
        uow.users.replace_totp_key(
            user.id, ctx.envelope.rewrap(people.totp_owner("security.01"), read_by_rotation)
        )
        uow.commit()
    assert user_row(runtime, "security.01").kek_version == new_version
    clock.advance(seconds=30)
    assert auth.issue_access_token(
        ctx, username="security.01", password=PASSWORD, otp=pyotp.parse_uri(uri).at(clock.now)
    )
    # And a whole rotation after a reset, as `keys rotate` runs it.
    _user, uri = people.reset_second_factor(ctx, "security.01", actor=ADMIN)
    report = rotate_keys(ctx, actor="test", settle_seconds=0)
    assert user_row(runtime, "security.01").kek_version == report.new_version
    clock.advance(seconds=30)
    assert auth.issue_access_token(
        ctx, username="security.01", password=PASSWORD, otp=pyotp.parse_uri(uri).at(clock.now)
    )


def test_a_role_without_a_second_factor_has_none_to_reset(runtime: Runtime, ctx: ServiceContext) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    token = auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)
    for role in (Role.COURIER, Role.OUTLET_CLERK, Role.STATION_MANAGER):
        username = f"x.{role.value}"
        if role is not Role.COURIER:
            add_person(ctx, username, role)
        else:
            username = "courier.01"
        with pytest.raises(ValidationError) as refused_reset:
            people.reset_second_factor(ctx, username, actor=ADMIN)
        assert refused_reset.value.code is ErrorCode.ROLE_NOT_ALLOWED
        assert refused_reset.value.field == "username"
    assert auth.principal_for_access_token(ctx, token.access_token)  # nothing was revoked
    assert user_row(runtime, "courier.01").ct_totp_secret is None
    assert audit.USER_SECOND_FACTOR_RESET not in [e[0] for e in audit_rows(runtime)]


def test_a_reset_leaves_a_disabled_user_disabled(ctx: ServiceContext, clock: Clock) -> None:
    add_person(ctx, "admin.02", Role.ADMIN)
    people.disable_user(ctx, "admin.02", actor=ADMIN)
    user, uri = people.reset_second_factor(ctx, "admin.02", actor=ADMIN)
    assert user.disabled_at is not None
    clock.advance(seconds=30)
    otp = pyotp.parse_uri(uri).at(clock.now)
    refused(
        ErrorCode.USER_DISABLED, auth.issue_access_token, ctx, username="admin.02", password=PASSWORD, otp=otp
    )


# -- a new password -----------------------------------------------------------------------------------------


def test_after_set_password_the_old_one_fails_the_new_one_works_and_old_sessions_are_refused(
    runtime: Runtime, ctx: ServiceContext
) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    token = auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)
    session = auth.open_session(ctx, username="courier.01", password=PASSWORD)
    before = user_row(runtime, "courier.01").password_hash
    user = people.set_password(ctx, "Courier.01", password=NEW_PASSWORD, actor=ADMIN)
    assert user.username == "courier.01"
    stored = user_row(runtime, "courier.01").password_hash
    assert stored.startswith("$argon2id$") and stored != before
    refused(ErrorCode.UNAUTHENTICATED, auth.principal_for_access_token, ctx, token.access_token)
    refused(ErrorCode.UNAUTHENTICATED, auth.principal_for_session, ctx, session.session_id)
    refused(
        ErrorCode.INVALID_CREDENTIALS, auth.issue_access_token, ctx, username="courier.01", password=PASSWORD
    )
    assert auth.issue_access_token(ctx, username="courier.01", password=NEW_PASSWORD)
    events = [e for e in audit_rows(runtime) if e[0] == audit.USER_PASSWORD_SET]
    assert events == [(audit.USER_PASSWORD_SET, ADMIN, "user:courier.01", {"sessions_revoked": 2})]
    everything = dump(runtime)
    assert NEW_PASSWORD not in everything and PASSWORD not in everything


def test_set_password_clears_the_account_lock(ctx: ServiceContext) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    add_person(ctx, "courier.02", Role.COURIER)
    for _ in range(ctx.login_policy.max_failures):
        refused(
            ErrorCode.INVALID_CREDENTIALS,
            auth.issue_access_token,
            ctx,
            username="courier.01",
            password="z" * 20,
            client=None,
        )
        refused(
            ErrorCode.INVALID_CREDENTIALS,
            auth.issue_access_token,
            ctx,
            username="courier.02",
            password="z" * 20,
            client="10.0.0.2",
        )
    refused(ErrorCode.ACCOUNT_LOCKED, auth.issue_access_token, ctx, username="courier.01", password=PASSWORD)
    people.set_password(ctx, "courier.01", password=NEW_PASSWORD, actor=ADMIN)
    assert auth.issue_access_token(ctx, username="courier.01", password=NEW_PASSWORD, client="10.0.0.1")
    # Only that account's count: the other one stays locked.
    refused(ErrorCode.ACCOUNT_LOCKED, auth.issue_access_token, ctx, username="courier.02", password=PASSWORD)


def test_set_password_follows_the_password_rules_and_keeps_the_second_factor(
    runtime: Runtime, ctx: ServiceContext, clock: Clock
) -> None:
    secret = add_person(ctx, "cs.01", Role.CS_AGENT)
    assert secret is not None
    before = user_row(runtime, "cs.01")
    for bad in ("short", " " * 20, "x" * 257):
        with pytest.raises(ValidationError) as rules:
            people.set_password(ctx, "cs.01", password=bad, actor=ADMIN)
        assert rules.value.code is ErrorCode.INVALID_REQUEST and rules.value.field == "password"
        assert bad not in rules.value.message
    assert user_row(runtime, "cs.01").password_hash == before.password_hash
    people.set_password(ctx, "cs.01", password=NEW_PASSWORD, actor=ADMIN)
    assert bytes(user_row(runtime, "cs.01").ct_totp_secret) == bytes(before.ct_totp_secret)
    refused(
        ErrorCode.SECOND_FACTOR_REQUIRED,
        auth.issue_access_token,
        ctx,
        username="cs.01",
        password=NEW_PASSWORD,
    )
    assert auth.issue_access_token(ctx, username="cs.01", password=NEW_PASSWORD, otp=code_at(ctx, secret))


def test_set_password_leaves_a_disabled_user_disabled(ctx: ServiceContext) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    people.disable_user(ctx, "courier.01", actor=ADMIN)
    assert people.set_password(ctx, "courier.01", password=NEW_PASSWORD, actor=ADMIN).disabled_at is not None
    refused(
        ErrorCode.USER_DISABLED, auth.issue_access_token, ctx, username="courier.01", password=NEW_PASSWORD
    )
    people.enable_user(ctx, "courier.01", actor=ADMIN)
    assert auth.issue_access_token(ctx, username="courier.01", password=NEW_PASSWORD)
