"""Stations, users and sign-in on real databases (SQLite and PostgreSQL), with real argon2id and TOTP.

Security properties checked here: one answer for any wrong credential, the second factor and its replay
protection, lockout per account and per client address, disabling and offboarding that stop existing
tokens and sessions at once, and audit events that record every attempt but never a secret.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from parcelguard.adapters.db import models as m
from parcelguard.bootstrap import Runtime
from parcelguard.domain import audit
from parcelguard.domain.people import FailureCount, Role
from parcelguard.errors import (
    AccountLockedError,
    AuthenticationError,
    ConflictError,
    ErrorCode,
    NotFoundError,
    ValidationError,
)
from parcelguard.services import auth, people
from parcelguard.services.context import ServiceContext
from parcelguard.services.keys import rotate_keys
from tests.people_support import PASSWORD, STATION, Clock, add_person, fast_runtime, with_station


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


def code_now(ctx: ServiceContext, secret: str) -> str:
    return ctx.otp.code_at(secret, ctx.clock())


def refused(code: ErrorCode, call: object, *args: object, **kwargs: object) -> AuthenticationError:
    assert callable(call)
    with pytest.raises(AuthenticationError) as caught:
        call(*args, **kwargs)
    assert caught.value.code is code, caught.value.code
    return caught.value


# -- stations and users -----------------------------------------------------------------------------------


def test_stations_are_unique_by_code_and_serve_a_known_district(ctx: ServiceContext) -> None:
    assert [s.code for s in people.list_stations(ctx)] == [STATION]
    assert people.get_station_by_code(ctx, "sz-ns-01").district == "440305"
    with pytest.raises(ConflictError) as exists:
        people.add_station(ctx, code="sz-ns-01", name="again", district="440305", actor="test")
    assert exists.value.code is ErrorCode.STATION_EXISTS
    with pytest.raises(ValidationError) as district:
        people.add_station(ctx, code="X-01", name="x", district="440399", actor="test")
    assert district.value.code is ErrorCode.INVALID_ADDRESS
    with pytest.raises(NotFoundError):
        people.get_station_by_code(ctx, "NOPE")


def test_a_user_belongs_to_a_station_when_the_role_needs_one(ctx: ServiceContext) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    user = people.get_user(ctx, "Courier.01")
    assert user.station_code == STATION and user.role is Role.COURIER and user.disabled_at is None
    with pytest.raises(ConflictError) as exists:
        add_person(ctx, "courier.01", Role.COURIER)
    assert exists.value.code is ErrorCode.USER_EXISTS
    with pytest.raises(NotFoundError) as station:
        people.add_user(
            ctx, username="courier.02", role=Role.COURIER, password=PASSWORD, station_code="NOPE", actor="t"
        )
    assert station.value.code is ErrorCode.STATION_NOT_FOUND
    assert [u.username for u in people.list_users(ctx, station_code=STATION)] == ["courier.01"]


def test_second_factor_roles_get_a_provisioning_uri_once_and_the_others_none(ctx: ServiceContext) -> None:
    for role in Role:
        _user, uri = people.add_user(
            ctx,
            username=f"u.{role.value}",
            role=role,
            password=PASSWORD,
            station_code=STATION if role in {Role.COURIER, Role.OUTLET_CLERK, Role.STATION_MANAGER} else None,
            actor="test",
        )
        wanted = role.value in {"admin", "security_officer", "cs_agent", "regulator"}
        assert (uri is not None) == wanted
        if uri is not None:
            assert uri.startswith("otpauth://totp/") and f":u.{role.value}?" in uri


def test_passwords_and_totp_secrets_are_never_stored_readable(runtime: Runtime, ctx: ServiceContext) -> None:
    secret = add_person(ctx, "admin.01", Role.ADMIN)
    assert secret is not None
    with runtime.engine.connect() as connection:
        row = connection.execute(select(m.app_user)).one()
    assert row.password_hash.startswith("$argon2id$") and row.ct_totp_secret is not None
    stored = dump(runtime)
    assert PASSWORD not in stored and secret not in stored and secret.lower() not in stored


def test_users_are_hashed_with_the_production_argon2id_parameters(runtime: Runtime) -> None:
    people.add_user(runtime.ctx, username="regulator.1", role=Role.REGULATOR, password=PASSWORD, actor="t")
    with runtime.engine.connect() as connection:
        stored = connection.execute(select(m.app_user.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


# -- sign-in -------------------------------------------------------------------------------------------------


def test_a_courier_signs_in_with_a_password_and_acts_as_themselves(ctx: ServiceContext) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    token = auth.issue_access_token(ctx, username="courier.01", password=PASSWORD, client="10.0.0.9")
    assert token.access_token.startswith("pgt_") and token.expires_in == 900
    principal = auth.principal_for_access_token(ctx, token.access_token)
    assert principal.actor == "user:courier.01" and principal.role is Role.COURIER
    assert principal.station_id is not None and principal.auth_method == "token"
    assert not principal.second_factor and principal.offboard_from is None


def test_a_wrong_password_and_an_unknown_user_answer_the_same(ctx: ServiceContext) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    wrong = refused(
        ErrorCode.INVALID_CREDENTIALS, auth.issue_access_token, ctx, username="courier.01", password="x" * 20
    )
    unknown = refused(
        ErrorCode.INVALID_CREDENTIALS, auth.issue_access_token, ctx, username="nobody.1", password=PASSWORD
    )
    assert wrong.message == unknown.message


def test_a_second_factor_role_needs_a_fresh_code_with_the_right_password(
    ctx: ServiceContext, clock: Clock
) -> None:
    secret = add_person(ctx, "cs.01", Role.CS_AGENT)
    assert secret is not None
    refused(
        ErrorCode.SECOND_FACTOR_REQUIRED, auth.issue_access_token, ctx, username="cs.01", password=PASSWORD
    )
    # Without a code the password is not judged: a wrong one answers the same, so it cannot be confirmed.
    refused(
        ErrorCode.SECOND_FACTOR_REQUIRED, auth.issue_access_token, ctx, username="cs.01", password="y" * 20
    )
    wrong_code = f"{(int(code_now(ctx, secret)) + 1) % 1_000_000:06d}"
    refused(
        ErrorCode.INVALID_CREDENTIALS,
        auth.issue_access_token,
        ctx,
        username="cs.01",
        password=PASSWORD,
        otp=wrong_code,
    )
    refused(
        ErrorCode.INVALID_CREDENTIALS,
        auth.issue_access_token,
        ctx,
        username="cs.01",
        password="y" * 20,
        otp=code_now(ctx, secret),
    )
    code = code_now(ctx, secret)
    session = auth.open_session(ctx, username="cs.01", password=PASSWORD, otp=code, device="desk-7")
    principal, csrf = auth.principal_for_session(ctx, session.session_id)
    assert principal.second_factor and principal.auth_method == "session" and principal.device == "desk-7"
    assert csrf == session.csrf_token and session.session_id.startswith("pgs_")
    # The same code again (a replay, even seconds later and with the right password) is refused ...
    clock.advance(seconds=5)
    refused(
        ErrorCode.INVALID_CREDENTIALS,
        auth.issue_access_token,
        ctx,
        username="cs.01",
        password=PASSWORD,
        otp=code,
    )
    # ... and so is the code of the step before, still within the drift allowed.
    clock.advance(seconds=30)
    earlier = ctx.otp.code_at(secret, clock.now - timedelta(seconds=30))
    refused(
        ErrorCode.INVALID_CREDENTIALS,
        auth.issue_access_token,
        ctx,
        username="cs.01",
        password=PASSWORD,
        otp=earlier,
    )
    # The next step's code works once.
    assert auth.issue_access_token(ctx, username="cs.01", password=PASSWORD, otp=code_now(ctx, secret))


def test_a_used_time_step_is_claimed_in_the_database_so_a_racing_replay_loses(ctx: ServiceContext) -> None:
    add_person(ctx, "admin.01", Role.ADMIN)
    user = people.get_user(ctx, "admin.01")
    with ctx.uow() as uow:
        assert uow.users.claim_totp_step(user.id, 100)
        assert not uow.users.claim_totp_step(user.id, 100)
        assert not uow.users.claim_totp_step(user.id, 99)
        assert uow.users.claim_totp_step(user.id, 101)
        uow.commit()


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    ctx: ServiceContext, clock: Clock
) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    for _ in range(ctx.login_policy.max_failures):
        refused(
            ErrorCode.INVALID_CREDENTIALS,
            auth.issue_access_token,
            ctx,
            username="courier.01",
            password="z" * 20,
        )
    with pytest.raises(AccountLockedError) as locked:
        auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)
    assert locked.value.code is ErrorCode.ACCOUNT_LOCKED and 0 < locked.value.retry_after_s <= 900
    clock.advance(seconds=ctx.login_policy.lockout.total_seconds() + 1)
    assert auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)
    # A success clears the account's count: four more failures do not lock it again.
    for _ in range(ctx.login_policy.max_failures - 1):
        refused(
            ErrorCode.INVALID_CREDENTIALS,
            auth.issue_access_token,
            ctx,
            username="courier.01",
            password="z" * 20,
        )
    assert auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)


def test_a_client_trying_many_accounts_is_locked_out_while_others_still_sign_in(ctx: ServiceContext) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    for n in range(ctx.login_policy.client_max_failures):
        refused(
            ErrorCode.INVALID_CREDENTIALS,
            auth.issue_access_token,
            ctx,
            username=f"guess.{n}",
            password=PASSWORD,
            client="203.0.113.7",
        )
    with pytest.raises(AccountLockedError):
        auth.issue_access_token(ctx, username="courier.01", password=PASSWORD, client="203.0.113.7")
    assert auth.issue_access_token(ctx, username="courier.01", password=PASSWORD, client="198.51.100.1")


def test_disabling_a_user_stops_their_tokens_and_sessions_at_once(ctx: ServiceContext) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    token = auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)
    session = auth.open_session(ctx, username="courier.01", password=PASSWORD)
    people.disable_user(ctx, "courier.01", actor="user:admin.01")
    refused(ErrorCode.USER_DISABLED, auth.principal_for_access_token, ctx, token.access_token)
    refused(ErrorCode.USER_DISABLED, auth.principal_for_session, ctx, session.session_id)
    refused(ErrorCode.USER_DISABLED, auth.issue_access_token, ctx, username="courier.01", password=PASSWORD)
    assert people.get_user(ctx, "courier.01").disabled_at is not None


def test_offboarding_stops_everything_from_its_date_and_not_before(ctx: ServiceContext, clock: Clock) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    token = auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)
    leaving = clock.now + timedelta(minutes=5)
    people.offboard_user(ctx, "courier.01", from_=leaving, actor="user:admin.01")
    principal = auth.principal_for_access_token(ctx, token.access_token)
    assert principal.offboard_from == leaving  # the reveal policy counts down to it
    clock.advance(minutes=5)
    refused(ErrorCode.OFFBOARDING, auth.principal_for_access_token, ctx, token.access_token)
    refused(ErrorCode.OFFBOARDING, auth.issue_access_token, ctx, username="courier.01", password=PASSWORD)


def test_offboarding_from_a_past_date_revokes_what_the_person_holds(
    ctx: ServiceContext, clock: Clock
) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    token = auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)
    people.offboard_user(ctx, "courier.01", from_=clock.now - timedelta(days=1), actor="user:admin.01")
    refused(ErrorCode.OFFBOARDING, auth.principal_for_access_token, ctx, token.access_token)
    # Even if the date were moved later again, the revoked token stays dead.
    people.offboard_user(ctx, "courier.01", from_=clock.now + timedelta(days=30), actor="user:admin.01")
    refused(ErrorCode.UNAUTHENTICATED, auth.principal_for_access_token, ctx, token.access_token)


def test_tokens_expire_and_a_token_is_not_a_session_nor_the_reverse(
    ctx: ServiceContext, clock: Clock
) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    token = auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)
    session = auth.open_session(ctx, username="courier.01", password=PASSWORD)
    refused(ErrorCode.UNAUTHENTICATED, auth.principal_for_session, ctx, token.access_token)
    refused(ErrorCode.UNAUTHENTICATED, auth.principal_for_access_token, ctx, session.session_id)
    refused(ErrorCode.UNAUTHENTICATED, auth.principal_for_access_token, ctx, "pgt_" + "A" * 43)
    refused(ErrorCode.UNAUTHENTICATED, auth.principal_for_access_token, ctx, token.access_token[:-1] + "x")
    clock.advance(seconds=900)
    refused(ErrorCode.UNAUTHENTICATED, auth.principal_for_access_token, ctx, token.access_token)
    assert auth.principal_for_session(ctx, session.session_id)
    assert auth.close_session(ctx, session.session_id) and not auth.close_session(ctx, session.session_id)
    refused(ErrorCode.UNAUTHENTICATED, auth.principal_for_session, ctx, session.session_id)


def test_every_attempt_and_change_is_audited_without_any_secret(
    runtime: Runtime, ctx: ServiceContext
) -> None:
    secret = add_person(ctx, "admin.01", Role.ADMIN)
    assert secret is not None
    add_person(ctx, "courier.01", Role.COURIER)
    code = code_now(ctx, secret)
    token = auth.issue_access_token(ctx, username="admin.01", password=PASSWORD, otp=code, client="10.1.2.3")
    # A password typed into the username box must not end up in the audit log.
    typed = "my.secret.pass"
    refused(ErrorCode.INVALID_CREDENTIALS, auth.issue_access_token, ctx, username=typed, password="q" * 20)
    for _ in range(ctx.login_policy.max_failures):
        refused(
            ErrorCode.INVALID_CREDENTIALS,
            auth.issue_access_token,
            ctx,
            username="courier.01",
            password="w" * 20,
        )
    people.disable_user(ctx, "courier.01", actor="user:admin.01")
    people.offboard_user(ctx, "admin.01", from_=ctx.clock() + timedelta(days=9), actor="cli:root")
    events = audit_rows(runtime)
    actions = [e[0] for e in events]
    assert actions.count(audit.USER_CREATED) == 2 and audit.STATION_CREATED in actions
    assert (audit.SIGN_IN_SUCCEEDED, "user:admin.01", "user:admin.01") in [e[:3] for e in events]
    failed = [e for e in events if e[0] == audit.SIGN_IN_FAILED]
    assert len(failed) == 1 + ctx.login_policy.max_failures
    assert failed[0][2] == "user:unknown" and failed[0][3]["reason"] == "invalid_credentials"
    locked = [e for e in events if e[0] == audit.SIGN_IN_LOCKED]
    assert [(e[2], e[3]["locked"]) for e in locked] == [("user:courier.01", "account")]
    assert (audit.USER_DISABLED, "user:admin.01", "user:courier.01") in [e[:3] for e in events]
    assert audit.USER_OFFBOARDED in actions
    succeeded = next(e for e in events if e[0] == audit.SIGN_IN_SUCCEEDED)
    assert succeeded[3] == {"method": "token", "client": "10.1.2.3", "second_factor": True}
    everything = dump(runtime)
    for never in (PASSWORD, "q" * 20, "w" * 20, typed, code, secret, token.access_token):
        assert never not in everything


def test_the_raw_sqlite_file_holds_no_password_totp_secret_token_or_session_id(
    sqlite_runtime: Runtime,
) -> None:
    fast = fast_runtime(sqlite_runtime)
    ctx = fast.ctx
    with_station(ctx)
    secrets = [PASSWORD]
    for n in range(5):
        secret = add_person(ctx, f"security.{n}", Role.SECURITY_OFFICER)
        assert secret is not None
        secrets.append(secret)
        session = auth.open_session(
            ctx, username=f"security.{n}", password=PASSWORD, otp=code_now(ctx, secret)
        )
        secrets += [session.session_id, session.session_id.removeprefix("pgs_")]
    add_person(ctx, "courier.01", Role.COURIER)
    token = auth.issue_access_token(ctx, username="courier.01", password=PASSWORD, client="10.9.8.7")
    secrets += [token.access_token, token.access_token.removeprefix("pgt_")]
    with sqlite_runtime.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db_file = Path(sqlite_runtime.settings.resolved_database_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
    assert b"$argon2id$" in raw  # the scan reads the rows it should
    leaked = [s for s in secrets if s.encode() in raw or s.lower().encode() in raw]
    assert leaked == []


def test_key_rotation_rewraps_totp_secrets_and_second_factor_sign_in_still_works(
    runtime: Runtime, ctx: ServiceContext, clock: Clock
) -> None:
    secret = add_person(ctx, "regulator.01", Role.REGULATOR)
    assert secret is not None
    report = rotate_keys(ctx, actor="test", settle_seconds=0)
    with runtime.engine.connect() as connection:
        assert connection.execute(select(m.app_user.c.kek_version)).scalar_one() == report.new_version
    rotated = [e for e in audit_rows(runtime) if e[0] == audit.KEYS_KEK_ROTATED]
    assert rotated[-1][3]["users_rewrapped"] == 1
    assert auth.issue_access_token(ctx, username="regulator.01", password=PASSWORD, otp=code_now(ctx, secret))


def test_ended_sessions_and_stale_failure_counts_are_forgotten(
    runtime: Runtime, ctx: ServiceContext, clock: Clock
) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)
    refused(
        ErrorCode.INVALID_CREDENTIALS, auth.issue_access_token, ctx, username="nobody.1", password=PASSWORD
    )
    clock.advance(days=2)
    auth.issue_access_token(ctx, username="courier.01", password=PASSWORD)  # forgets the 2-day-old token
    with runtime.engine.connect() as connection:
        assert len(connection.execute(select(m.user_session)).all()) == 1
        # nobody.1's count, and the client's (the last sign-in counted it afresh, then refunded it)
        assert len(connection.execute(select(m.login_throttle)).all()) == 2
    with ctx.uow() as uow:
        assert uow.login_throttle.forget_stale(clock.now - ctx.login_policy.window, clock.now) == 2
        uow.commit()


def test_failures_are_counted_in_the_database_lock_at_the_limit_and_restart_after_the_window(
    ctx: ServiceContext, clock: Clock
) -> None:
    window, lockout = timedelta(minutes=15), timedelta(minutes=10)

    def fail() -> FailureCount:
        with ctx.uow() as uow:
            count = uow.login_throttle.record_failure(
                b"s" * 32, now=clock.now, window=window, lockout=lockout, limit=3
            )
            uow.commit()
        return count

    started = clock.now
    assert fail() == FailureCount(1, started, None)
    clock.advance(minutes=1)
    assert fail() == FailureCount(2, started, None)
    clock.advance(minutes=1)
    locked = fail()
    assert locked == FailureCount(3, started, clock.now + lockout) and locked.locked_at(clock.now)
    clock.advance(minutes=1)
    assert fail().locked_until == locked.locked_until  # a failure racing past the lock never extends it
    clock.advance(minutes=15)
    assert fail() == FailureCount(1, clock.now, None)  # a new window; the lock has run out


def test_parallel_failed_sign_ins_each_count(runtime: Runtime, ctx: ServiceContext) -> None:
    """Guessing in parallel must not buy more attempts: every failure is one more, none is lost."""
    attempts = 12

    def fail(_n: int) -> None:
        with ctx.uow() as uow:
            uow.login_throttle.record_failure(
                b"p" * 32, now=ctx.clock(), window=timedelta(hours=1), lockout=timedelta(hours=1), limit=1000
            )
            uow.commit()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(fail, range(attempts)))
    with ctx.uow() as uow:
        count = uow.login_throttle.get(b"p" * 32)
    assert count is not None and count.failures == attempts


def test_a_burst_of_parallel_guesses_gets_no_more_tries_than_the_limit(ctx: ServiceContext) -> None:
    add_person(ctx, "courier.01", Role.COURIER)

    def guess(n: int) -> ErrorCode:
        try:
            auth.issue_access_token(
                ctx, username="courier.01", password=f"guess number {n:04d}", client=f"10.0.0.{n}"
            )
        except AuthenticationError as refused:
            return refused.code
        raise AssertionError("a guess got in")

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(guess, range(12)))
    assert answers.count(ErrorCode.INVALID_CREDENTIALS) == ctx.login_policy.max_failures
    assert answers.count(ErrorCode.ACCOUNT_LOCKED) == 12 - ctx.login_policy.max_failures


def test_successful_sign_ins_from_one_office_address_never_lock_it(ctx: ServiceContext) -> None:
    add_person(ctx, "courier.01", Role.COURIER)
    for _ in range(ctx.login_policy.client_max_failures + 5):
        assert auth.issue_access_token(ctx, username="courier.01", password=PASSWORD, client="192.0.2.10")
