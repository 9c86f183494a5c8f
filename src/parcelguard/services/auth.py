"""Sign-in: passwords, the TOTP second factor, throttling, bearer tokens and page sessions.

Why it is built this way:

* **One answer for a wrong username, password or code** (``invalid_credentials``), and a username that
  does not exist costs one argon2id verification like a real one, so sign-in tells nobody which accounts
  exist or which half of a credential was wrong. A second-factor role (admin, security_officer, cs_agent,
  regulator) asked without a code answers ``second_factor_required`` whether the password was right or
  not, so that a password cannot be confirmed without the code.
* **Replay**: the RFC 6238 time step of an accepted code is recorded (compare-and-set in the database);
  the same code, or any code of that step or an earlier one, is refused afterwards.
* **Throttling**: every sign-in attempt counts against the account (whether it exists or not) and against
  the client address, both stored only as keyed digests (blind index), *before* anything is checked, in
  one atomic database step; a success (or an attempt refused for the account's state) takes it back. So
  ``max_failures`` attempts of an account within the window, or ``client_max_failures`` from one address,
  is all anyone gets, however many requests they send at once: later ones answer ``account_locked``
  (HTTP 429 with Retry-After) for the lockout time, without looking at the password. A success clears
  the account's count.
* **Tokens and sessions** are 256 random bits the client holds; the database keeps only their SHA-256, so a
  dump of it signs nobody in. Every request reads the token or session together with its user's current
  state: a disabled user (``user_disabled``), one whose offboarding date has come (``offboarding``), a
  revoked or expired token (``unauthenticated``) is refused at once, not at the token's expiry.
* **Idle page sessions end in the database**: a session records its last request (``last_seen_at``, written
  at most once per ``LoginPolicy.session_seen_every``, a minute, not on every request); one idle past
  ``LoginPolicy.session_idle`` (15 minutes) is refused and closed, audited with reason ``idle`` under a
  system actor, whether or not anyone presents it again (OWASP ASVS 5.0 V7.3.1).
* Every success, failure and lockout is an audit event (actor, method, reason code, client address and
  device); never a password, code, token or session id, and a username that does not exist is not recorded
  (people type passwords into the username box).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol, cast

from parcelguard.domain import audit
from parcelguard.domain.access import Principal, hash_secret
from parcelguard.domain.audit import AuditEvent, AuditValue
from parcelguard.domain.people import (
    SECOND_FACTOR_ROLES,
    FailureCount,
    LoginPolicy,
    User,
    parse_username,
)
from parcelguard.errors import AccountLockedError, AuthenticationError, ErrorCode, ValidationError
from parcelguard.services.context import ServiceContext
from parcelguard.services.people import TOTP_FIELD, login_account_subject, totp_owner
from parcelguard.services.ports import SessionRecord, UnitOfWork, UserCredentials

TOKEN_PREFIX = "pgt_"  # noqa: S105 - the public prefix of a bearer token, not a secret
SESSION_PREFIX = "pgs_"
_SECRET_CHARS = 43  # token_urlsafe(32)
MAX_DEVICE_CHARS = 64
Method = Literal["token", "session"]
_FORGET_EVERY = 32  # one failed sign-in in this many sweeps stale throttle counts


def forget_stale_counts(
    uow: UnitOfWork, policy: LoginPolicy, now: datetime, *, window: timedelta | None = None
) -> int:
    """Delete the throttle table's unlocked counts whose window started before every user's window could
    still run: ``policy.throttle_retention`` (or ``window`` if longer) before ``now``. The one sweep of the
    table that sign-in, pickup codes and tracking digits share; returns the rows deleted."""
    keep = max(policy.window, policy.throttle_retention, window or timedelta(0))
    return uow.login_throttle.forget_stale(now - keep, now)


_KEEP_ENDED = timedelta(days=1)  # a person's ended tokens and sessions are deleted at their next sign-in
IDLE_ACTOR = "system:session_idle"  # who closes a page session idle past its timeout
CloseReason = Literal["signed_out", "idle"]


class SessionIdleError(AuthenticationError):
    """A page session used after ``LoginPolicy.session_idle`` without a request: it has been closed.
    ``unauthenticated`` (401) to the JSON API; the pages send the person to sign in again."""

    def __init__(self) -> None:
        super().__init__(
            "the page session ended after a time without activity", code=ErrorCode.UNAUTHENTICATED
        )


class _SessionActivity(Protocol):
    """``SqlSessionRepository.record_activity``: belongs in ``ports.SessionRepository`` (a file this change
    could not touch); until it moves there, ``uow.sessions`` is cast to it."""

    def record_activity(
        self, secret_hash: str, *, at: datetime, idle_since: datetime, write_before: datetime
    ) -> bool: ...


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token for devices and scripts: ``Authorization: Bearer <access_token>``."""

    access_token: str
    expires_in: int  # seconds
    token_type: str = "Bearer"  # noqa: S105 - the OAuth 2.0 token type name (RFC 6750)


@dataclass(frozen=True, slots=True)
class PageSession:
    """A page session: ``session_id`` goes in the ``pg_session`` cookie, ``csrf_token`` in every form."""

    session_id: str
    csrf_token: str
    expires_at: datetime
    max_age_s: int | None = None  # seconds it lives from its issue: the cookie's Max-Age


def issue_access_token(
    ctx: ServiceContext,
    *,
    username: str,
    password: str,
    otp: str | None = None,
    client: str | None = None,
    device: str | None = None,
) -> AccessToken:
    """Sign in and answer a short-lived bearer token (``PARCELGUARD_ACCESS_TOKEN_TTL_S``, 15 min).

    Raises AuthenticationError ``invalid_credentials`` / ``second_factor_required`` / ``user_disabled`` /
    ``offboarding``, or AccountLockedError ``account_locked``.
    """
    secret, _csrf, expires_at = _sign_in(
        ctx, "token", username=username, password=password, otp=otp, client=client, device=device
    )
    return AccessToken(access_token=secret, expires_in=int((expires_at - ctx.clock()).total_seconds() + 0.5))


def open_session(
    ctx: ServiceContext,
    *,
    username: str,
    password: str,
    otp: str | None = None,
    client: str | None = None,
    device: str | None = None,
) -> PageSession:
    """Sign in for the pages: a session (``PARCELGUARD_SESSION_TTL_S``, 8 h) and its CSRF token.

    Raises as :func:`issue_access_token`.
    """
    secret, csrf, expires_at = _sign_in(
        ctx, "session", username=username, password=password, otp=otp, client=client, device=device
    )
    assert csrf is not None  # noqa: S101 - a session always has one
    max_age = int(ctx.login_policy.session_ttl.total_seconds())
    return PageSession(session_id=secret, csrf_token=csrf, expires_at=expires_at, max_age_s=max_age)


def principal_for_access_token(ctx: ServiceContext, token: str, *, client: str | None = None) -> Principal:
    """The person behind a bearer token, as they are now (read from the database on every call).

    Raises AuthenticationError ``unauthenticated`` (unknown, revoked, expired or not a token),
    ``user_disabled`` or ``offboarding``; those two are audited (``access:credential:refused``, with
    the ``client`` address), since a person who may no longer act still tried to.
    """
    principal, _csrf, _active = _principal_for(ctx, token, "token", client=client)
    return principal


def principal_for_session(
    ctx: ServiceContext, session_id: str, *, client: str | None = None, audit_refusal: bool = True
) -> tuple[Principal, str]:
    """The person behind a page session and the session's CSRF token, recording the request as the
    session's activity (at most once a minute); raises as :func:`principal_for_access_token`
    (``audit_refusal=False``: only asking whether someone is signed in, as the sign-in page does, which is
    no attempt to act), and SessionIdleError after closing a session idle past ``LoginPolicy.session_idle``
    (audited, reason ``idle``)."""
    principal, csrf, active = _principal_for(
        ctx, session_id, "session", client=client, audit_refusal=audit_refusal, track_activity=True
    )
    assert csrf is not None  # noqa: S101 - a session always has one
    if not active:
        close_session(ctx, session_id, reason="idle")
        raise SessionIdleError()
    return principal, csrf


def _record_activity(uow: UnitOfWork, policy: LoginPolicy, secret_hash: str, now: datetime) -> bool:
    """Whether the session was used within the idle timeout; then ``now`` is its latest activity (written
    at most once per ``policy.session_seen_every``)."""
    sessions = cast(_SessionActivity, uow.sessions)
    return sessions.record_activity(
        secret_hash,
        at=now,
        idle_since=now - policy.session_idle,
        write_before=now - policy.session_seen_every,
    )


def close_session(ctx: ServiceContext, session_id: str, *, reason: CloseReason = "signed_out") -> bool:
    """End a page session (or bearer token): ``signed_out`` by its person, or ``idle`` past the timeout
    (audited under the system actor ``system:session_idle``); False if it was not live."""
    return revoke_credential(ctx, session_id, reason=reason)


def revoke_credential(ctx: ServiceContext, presented: str, *, reason: CloseReason = "signed_out") -> bool:
    """Revoke one token or page session, audited under its user (``access:session:closed`` with the
    method and ``reason``; actor the person, or ``system:session_idle`` for ``idle``); False if it was
    not live."""
    if not _well_formed(presented):
        return False
    secret_hash = hash_secret(presented)
    with ctx.uow() as uow:
        found = uow.sessions.get_with_user(secret_hash)
        now = ctx.clock()
        if found is None or not uow.sessions.revoke(secret_hash, now):
            return False
        record, user = found
        actor = IDLE_ACTOR if reason == "idle" else user.actor
        _audit(uow, audit.SESSION_CLOSED, actor, user.actor, now, {"method": record.kind, "reason": reason})
        uow.commit()
    return True


# -- checking presented tokens and sessions -----------------------------------------------------------------


def _well_formed(presented: str) -> bool:
    return (
        len(presented) == len(TOKEN_PREFIX) + _SECRET_CHARS
        and presented.startswith((TOKEN_PREFIX, SESSION_PREFIX))
        and presented.isascii()
    )


def _principal_for(
    ctx: ServiceContext,
    presented: str,
    kind: Method,
    *,
    client: str | None = None,
    audit_refusal: bool = True,
    track_activity: bool = False,
) -> tuple[Principal, str | None, bool]:
    """The principal, the CSRF token (sessions) and, with ``track_activity``, whether the page session was
    used within the idle timeout (this request then recorded as its activity, in the same transaction as
    the read); True otherwise."""
    prefix = TOKEN_PREFIX if kind == "token" else SESSION_PREFIX
    if not _well_formed(presented) or not presented.startswith(prefix):
        raise _unauthenticated(kind)
    secret_hash = hash_secret(presented)
    active = True
    with ctx.uow() as uow:
        found = uow.sessions.get_with_user(secret_hash)
        now = ctx.clock()
        if track_activity and found is not None and found[0].kind == "session":
            active = _record_activity(uow, ctx.login_policy, secret_hash, now)
            uow.commit()
    if found is None:
        raise _unauthenticated(kind)
    record, user = found
    if record.kind != kind:
        raise _unauthenticated(kind)
    try:
        _check_user_state(user, now)  # first: a disabled person's revoked token says why it stopped
    except AuthenticationError as refused:
        if audit_refusal:  # every refusal is recorded, this one too (issue 10: "refusals are recorded")
            details: dict[str, AuditValue] = {"method": kind, "reason": refused.code.value}
            if client:
                details["client"] = client
            if record.device:
                details["device"] = record.device
            with ctx.uow() as uow:
                _audit(uow, audit.CREDENTIAL_REFUSED, user.actor, user.actor, now, details)
                uow.commit()
        raise
    if record.revoked_at is not None or record.expires_at <= now:
        raise _unauthenticated(kind)
    return _principal(user, record), record.csrf_token, active


def _unauthenticated(kind: Method) -> AuthenticationError:
    what = "bearer token" if kind == "token" else "page session"
    return AuthenticationError(f"invalid, expired or revoked {what}", code=ErrorCode.UNAUTHENTICATED)


def _check_user_state(user: User, now: datetime) -> None:
    if user.disabled_at is not None:
        raise AuthenticationError("this user is disabled", code=ErrorCode.USER_DISABLED)
    if user.offboarded_at(now):
        raise AuthenticationError("this user has been offboarded", code=ErrorCode.OFFBOARDING)


def _principal(user: User, record: SessionRecord) -> Principal:
    return Principal(
        actor=user.actor,
        scopes=user.scopes,
        organisation_id=user.organisation_id,
        organisation_kind=user.organisation_kind,
        user_id=user.id,
        username=user.username,
        role=user.role,
        station_id=user.station_id,
        second_factor=record.second_factor,
        offboard_from=user.offboard_from,
        auth_method=record.kind,
        device=record.device,
    )


# -- signing in ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Attempt:
    username: str | None  # None: not a well-formed username (counted and audited without it)
    account: bytes  # blind-index digests of the throttled subjects
    client: bytes
    client_address: str | None
    device: str | None
    method: Method


def _sign_in(
    ctx: ServiceContext,
    method: Method,
    *,
    username: str,
    password: str,
    otp: str | None,
    client: str | None,
    device: str | None,
) -> tuple[str, str | None, datetime]:
    attempt = _attempt(ctx, method, username, client, device)
    with ctx.uow() as uow:
        now = ctx.clock()
        credentials = uow.users.credentials(attempt.username) if attempt.username else None
        # Counted before anything is checked, and refunded on success: parallel guesses each use up one
        # attempt, so no burst of requests gets past the limit before the first of them has failed.
        taken = _take(uow, ctx, attempt, now)
        uow.commit()
    # The attempt whose count reached the limit set the lock and still runs; every later one is refused
    # unseen until the lock runs out (counts only grow within a window, so exactly one attempt reaches it).
    earlier_locks = [
        c.locked_until
        for _what, c, limit in taken
        if c.locked_until is not None and c.locked_at(now) and c.failures != limit
    ]
    if earlier_locks:
        _refuse(ctx, attempt, credentials, ErrorCode.ACCOUNT_LOCKED, locked=())
        raise AccountLockedError(
            "too many failed sign-ins: try again later",
            retry_after_s=(max(earlier_locks) - now).total_seconds(),
        )
    locked = tuple(what for what, c, limit in taken if c.locked_at(now) and c.failures == limit)
    failure = _check_secrets(ctx, credentials, password, otp, now)
    if failure is not None:
        _refuse(ctx, attempt, credentials, failure, locked=locked)
        raise _sign_in_error(failure)
    assert credentials is not None  # noqa: S101 - _check_secrets fails without them
    try:
        _check_user_state(credentials.user, now)
    except AuthenticationError as refused:
        _refuse(ctx, attempt, credentials, refused.code, locked=(), refund=True)  # not a guess
        raise
    rehashed = ctx.passwords.hash(password) if ctx.passwords.needs_rehash(credentials.password_hash) else None
    try:
        return _admit(ctx, attempt, credentials, otp, rehashed, locked)
    except _Overtaken:
        pass
    # The row changed since the secrets were checked. Another sign-in's rehash (new argon2 parameters)
    # changes the stored hash without changing the password: a second look tells that from a new password,
    # a reset second factor, a disable or an offboarding, which still refuse.
    fresh = _rehashed_meanwhile(ctx, credentials, password, ctx.clock())
    if fresh is not None:
        try:
            return _admit(ctx, attempt, fresh, otp, None, locked)
        except _Overtaken:
            pass
    _refuse(ctx, attempt, credentials, ErrorCode.INVALID_CREDENTIALS, locked=locked)
    raise _sign_in_error(ErrorCode.INVALID_CREDENTIALS)


class _Overtaken(Exception):  # a signal between _admit and _sign_in, never raised further
    """_admit found the user's row changed since the secrets were checked; nothing was recorded."""


def _rehashed_meanwhile(
    ctx: ServiceContext, checked: UserCredentials, password: str, now: datetime
) -> UserCredentials | None:
    """The user's credentials as they are now, when only the stored hash changed since ``checked`` and
    ``password`` is still right for it (a rehash by a concurrent sign-in); else None. Costs one more
    password check (~0.15 s), only in that race."""
    with ctx.uow() as uow:
        fresh = uow.users.credentials(checked.user.username)
        uow.rollback()
    if (
        fresh is None
        or fresh.user.id != checked.user.id
        or fresh.password_hash == checked.password_hash
        or fresh.ct_totp_secret != checked.ct_totp_secret
    ):
        return None
    try:
        _check_user_state(fresh.user, now)
    except AuthenticationError:
        return None
    return fresh if ctx.passwords.verify(fresh.password_hash, password) else None


def _take(
    uow: UnitOfWork, ctx: ServiceContext, attempt: _Attempt, now: datetime
) -> list[tuple[str, FailureCount, int]]:
    policy = ctx.login_policy
    return [
        (
            what,
            uow.login_throttle.record_failure(
                digest, now=now, window=policy.window, lockout=policy.lockout, limit=limit
            ),
            limit,
        )
        for digest, limit, what in (
            (attempt.account, policy.max_failures, "account"),
            (attempt.client, policy.client_max_failures, "client"),
        )
    ]


def _refund(uow: UnitOfWork, ctx: ServiceContext, attempt: _Attempt) -> None:
    """The attempt was no guess: it no longer counts (the account's count starts over after a success)."""
    uow.login_throttle.clear(attempt.account)
    uow.login_throttle.refund(attempt.client, limit=ctx.login_policy.client_max_failures)


def _attempt(
    ctx: ServiceContext, method: Method, username: str, client: str | None, device: str | None
) -> _Attempt:
    try:
        clean: str | None = parse_username(username)
    except ValidationError:
        clean = None
    shown_device = device.strip()[:MAX_DEVICE_CHARS] if device and device.strip().isprintable() else None
    return _Attempt(
        username=clean,
        account=login_account_subject(ctx, clean or username.strip().lower()),
        client=ctx.index.digest("login_client", client or "unknown"),
        client_address=client,
        device=shown_device or None,
        method=method,
    )


def _check_secrets(
    ctx: ServiceContext, credentials: UserCredentials | None, password: str, otp: str | None, now: datetime
) -> ErrorCode | None:
    """The refusal for these secrets, or None when password (and code, where needed) are right.

    The TOTP step is only checked here; it is claimed (replay protection) when the sign-in is recorded.
    """
    if credentials is None or len(password) > 1024:
        ctx.passwords.verify_nothing(password[:1024])
        return ErrorCode.INVALID_CREDENTIALS
    password_ok = ctx.passwords.verify(credentials.password_hash, password)
    if credentials.user.role not in SECOND_FACTOR_ROLES:
        return None if password_ok else ErrorCode.INVALID_CREDENTIALS
    if not otp:
        return ErrorCode.SECOND_FACTOR_REQUIRED
    if not password_ok or _totp_step(ctx, credentials, otp, now) is None:
        return ErrorCode.INVALID_CREDENTIALS
    return None


def _totp_step(ctx: ServiceContext, credentials: UserCredentials, otp: str, now: datetime) -> int | None:
    if credentials.totp_key is None or credentials.ct_totp_secret is None:
        return None  # a second-factor role without a secret cannot sign in (never made by add_user)
    data_key = ctx.envelope.open_data_key(totp_owner(credentials.user.username), credentials.totp_key)
    secret = data_key.decrypt(TOTP_FIELD, credentials.ct_totp_secret)
    step = ctx.otp.matching_step(secret, otp.strip(), now)
    if step is None or (credentials.totp_last_step is not None and step <= credentials.totp_last_step):
        return None
    return step


def _sign_in_error(code: ErrorCode) -> AuthenticationError:
    if code is ErrorCode.SECOND_FACTOR_REQUIRED:
        return AuthenticationError(
            "this account signs in with a one-time code from its authenticator app (otp)", code=code
        )
    return AuthenticationError("wrong username, password or one-time code", code=code)


def _refuse(
    ctx: ServiceContext,
    attempt: _Attempt,
    credentials: UserCredentials | None,
    reason: ErrorCode,
    *,
    locked: tuple[str, ...],
    refund: bool = False,
) -> None:
    """Record a refused sign-in, and the lockouts (``account``, ``client``) its counting started."""
    policy = ctx.login_policy
    subject = credentials.user.actor if credentials is not None else "user:unknown"
    with ctx.uow() as uow:
        now = ctx.clock()
        if refund:
            _refund(uow, ctx, attempt)
        elif secrets.randbelow(_FORGET_EVERY) == 0:
            # Now and then, not on every failure: counts older than a window (and unlocked) are dead weight.
            forget_stale_counts(uow, policy, now)
        _audit(uow, audit.SIGN_IN_FAILED, subject, subject, now, _details(attempt, reason))
        for what in locked:
            details = _details(attempt, ErrorCode.ACCOUNT_LOCKED)
            details["locked"] = what
            details["minutes"] = int(policy.lockout.total_seconds() // 60)
            _audit(uow, audit.SIGN_IN_LOCKED, "system:sign_in", subject, now, details)
        uow.commit()


def _admit(
    ctx: ServiceContext,
    attempt: _Attempt,
    credentials: UserCredentials,
    otp: str | None,
    rehashed: str | None,
    locked: tuple[str, ...],
) -> tuple[str, str | None, datetime]:
    user = credentials.user
    second_factor = user.role in SECOND_FACTOR_ROLES
    prefix = TOKEN_PREFIX if attempt.method == "token" else SESSION_PREFIX
    secret = prefix + secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32) if attempt.method == "session" else None
    policy = ctx.login_policy
    with ctx.uow() as uow:
        now = ctx.clock()
        if second_factor:
            step = _totp_step(ctx, credentials, otp or "", now)
            # Claimed in the database: two sign-ins racing with one code cannot both get in.
            if step is None or not uow.users.claim_totp_step(user.id, step):
                uow.rollback()
                _refuse(ctx, attempt, credentials, ErrorCode.INVALID_CREDENTIALS, locked=locked)
                raise _sign_in_error(ErrorCode.INVALID_CREDENTIALS)
        # The secrets were checked outside this transaction (argon2 takes ~0.15 s): a new password, a reset
        # second factor, a disable or offboarding committed meanwhile must not leave this sign-in a session.
        if not uow.users.confirm_admission(
            user.id,
            password_hash=credentials.password_hash,
            ct_totp_secret=credentials.ct_totp_secret,
            now=now,
            new_password_hash=rehashed,
        ):
            uow.rollback()
            raise _Overtaken
        ttl = policy.token_ttl if attempt.method == "token" else policy.session_ttl
        expires_at = now + ttl
        uow.sessions.add(
            SessionRecord(
                secret_hash=hash_secret(secret),
                kind=attempt.method,
                user_id=user.id,
                csrf_token=csrf,
                second_factor=second_factor,
                device=attempt.device,
                issued_at=now,
                expires_at=expires_at,
                revoked_at=None,
            )
        )
        _refund(uow, ctx, attempt)
        uow.sessions.forget_ended(user.id, now - _KEEP_ENDED)
        details = _details(attempt, None)
        details["second_factor"] = second_factor
        _audit(uow, audit.SIGN_IN_SUCCEEDED, user.actor, user.actor, now, details)
        uow.commit()
    return secret, csrf, expires_at


def _details(attempt: _Attempt, reason: ErrorCode | None) -> dict[str, AuditValue]:
    details: dict[str, AuditValue] = {"method": attempt.method}
    if reason is not None:
        details["reason"] = reason.value
    if attempt.client_address:
        details["client"] = attempt.client_address
    if attempt.device:
        details["device"] = attempt.device
    return details


def _audit(
    uow: UnitOfWork,
    action: str,
    actor: str,
    subject: str,
    at: datetime,
    details: dict[str, AuditValue],
) -> None:
    uow.audit.append_many(
        [AuditEvent(action=action, actor=actor, occurred_at=at, subject=subject, details=details)]
    )


def csrf_matches(expected: str, presented: str | None) -> bool:
    """Constant-time comparison of a presented CSRF token with the session's."""
    return bool(presented) and hmac.compare_digest(expected.encode(), (presented or "").encode())
