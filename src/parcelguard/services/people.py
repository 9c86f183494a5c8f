"""Stations and users: added, disabled and offboarded by the carrier's administrators, each change audited.

A password is hashed (argon2id) before the transaction opens; a second-factor role gets a fresh TOTP secret,
sealed with the user's own data key (envelope encryption, as a waybill's fields) and returned once as an
``otpauth://`` provisioning URI for the person's authenticator app. Neither is ever stored or logged in the
clear, and audit events name the user, never a credential.

Disabling a user, or offboarding them from a date that has come, revokes their tokens and page sessions in
the same transaction; every request also checks the user's state (services/auth.py), so nothing they hold
works a moment later.

Recovery (an administrator's, never self-service): enabling a user disabled by mistake, a new second factor
for a lost phone, a new password for a forgotten one. Each revokes whatever the person still holds, in the
same transaction as the change and its audit event; none undoes offboarding.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from parcelguard.domain import audit
from parcelguard.domain.audit import AuditEvent
from parcelguard.domain.keys import WrappedKey
from parcelguard.domain.organisation import CARRIER_ORGANISATION_ID
from parcelguard.domain.people import (
    SECOND_FACTOR_ROLES,
    Role,
    Station,
    User,
    check_password_rules,
    check_station_for_role,
    parse_district,
    parse_station_code,
    parse_station_name,
    parse_username,
)
from parcelguard.errors import ConflictError, ErrorCode, NotFoundError, ValidationError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import NewUser, UnitOfWork, UserCredentials

TOTP_FIELD = "totp_secret"


def totp_owner(username: str) -> str:
    """The envelope owner id of a user's data key (binds the sealed TOTP secret to that user)."""
    return f"app_user:{username}"


def login_account_subject(ctx: ServiceContext, username: str) -> bytes:
    """The keyed digest sign-in throttling counts an account's failures under (``username`` as parsed)."""
    return ctx.index.digest("login_account", username)


def add_station(ctx: ServiceContext, *, code: str, name: str, district: str, actor: str) -> Station:
    """A new station of the carrier serving ``district`` (a current 6-digit division code).

    Raises ValidationError (code, name, district: ``invalid_address`` for an unknown division) or
    ConflictError ``station_exists``.
    """
    clean_code = parse_station_code(code)
    clean_name = parse_station_name(name)
    clean_district = parse_district(district)
    with ctx.uow() as uow:
        now = ctx.clock()
        station = uow.stations.add(
            organisation_id=CARRIER_ORGANISATION_ID,
            code=clean_code,
            name=clean_name,
            district=clean_district,
            at=now,
        )
        uow.audit.append_many(
            [
                AuditEvent(
                    action=audit.STATION_CREATED,
                    actor=actor,
                    occurred_at=now,
                    subject=f"station:{station.code}",
                    details={"district": station.district},
                )
            ]
        )
        uow.commit()
    return station


def list_stations(ctx: ServiceContext) -> list[Station]:
    """Every station, by code."""
    with ctx.uow() as uow:
        return uow.stations.list()


def get_station_by_code(ctx: ServiceContext, code: str) -> Station:
    """The station with this code; NotFoundError ``station_not_found``."""
    clean = parse_station_code(code)
    with ctx.uow() as uow:
        return _station(uow, clean)


def _station(uow: UnitOfWork, code: str) -> Station:
    station = uow.stations.get_by_code(code)
    if station is None:
        raise NotFoundError("no station with this code", code=ErrorCode.STATION_NOT_FOUND, field="station")
    return station


def add_user(
    ctx: ServiceContext,
    *,
    username: str,
    role: Role,
    password: str,
    station_code: str | None = None,
    organisation_id: int = CARRIER_ORGANISATION_ID,
    actor: str,
) -> tuple[User, str | None]:
    """A new user and, for a second-factor role, the ``otpauth://`` URI to show once (None otherwise).

    Station roles (station_manager, courier, outlet_clerk) name a station of their own organisation;
    other roles name none. Raises ValidationError (username, password, station), NotFoundError
    ``station_not_found`` / ``organisation_not_found`` or ConflictError ``user_exists``.
    """
    clean = parse_username(username)
    check_password_rules(password, username=clean)
    code = parse_station_code(station_code) if station_code is not None else None
    check_station_for_role(role, code)
    password_hash = ctx.passwords.hash(password)  # ~0.15 s: before the transaction, not inside it
    uri = None
    totp_key = ct_secret = None
    if role in SECOND_FACTOR_ROLES:
        secret = ctx.otp.new_secret()
        data_key, totp_key = ctx.envelope.new_data_key(totp_owner(clean))
        ct_secret = data_key.encrypt(TOTP_FIELD, secret)
        uri = ctx.otp.provisioning_uri(secret, clean)
    with ctx.uow() as uow:
        if uow.organisations.get(organisation_id) is None:
            raise NotFoundError("no such organisation", code=ErrorCode.ORGANISATION_NOT_FOUND)
        station = _station(uow, code) if code is not None else None
        if station is not None and station.organisation_id != organisation_id:
            raise ValidationError(
                "the station belongs to another organisation", code=ErrorCode.INVALID_REQUEST, field="station"
            )
        now = ctx.clock()
        user = uow.users.add(
            NewUser(
                organisation_id=organisation_id,
                username=clean,
                role=role,
                station_id=station.id if station is not None else None,
                password_hash=password_hash,
                totp_key=totp_key,
                ct_totp_secret=ct_secret,
                created_at=now,
                created_by=actor,
            )
        )
        details: dict[str, str | int | bool | None] = {
            "role": role.value,
            "organisation_id": organisation_id,
            "station": code,
            "second_factor": uri is not None,
        }
        uow.audit.append_many(
            [
                AuditEvent(
                    action=audit.USER_CREATED,
                    actor=actor,
                    occurred_at=now,
                    subject=user.actor,
                    details=details,
                )
            ]
        )
        uow.commit()
    return user, uri


def get_user(ctx: ServiceContext, username: str) -> User:
    """The user with this username; NotFoundError ``user_not_found``."""
    clean = parse_username(username)
    with ctx.uow() as uow:
        return _user(uow, clean)


def _user(uow: UnitOfWork, username: str) -> User:
    user = uow.users.get(username)
    if user is None:
        raise NotFoundError("no user with this username", code=ErrorCode.USER_NOT_FOUND, field="username")
    return user


def list_users(
    ctx: ServiceContext,
    *,
    role: Role | None = None,
    station_code: str | None = None,
    organisation_id: int | None = None,
) -> list[User]:
    """Users by username, optionally of one role, station or organisation (disabled ones included)."""
    with ctx.uow() as uow:
        station_id = _station(uow, parse_station_code(station_code)).id if station_code is not None else None
        return uow.users.list(organisation_id=organisation_id, role=role, station_id=station_id)


def disable_user(ctx: ServiceContext, username: str, *, actor: str) -> User:
    """Disable a user at once: every token and page session they hold is revoked in the same transaction,
    and sign-in is refused (``user_disabled``). Disabling a disabled user changes nothing and is not
    audited again. NotFoundError ``user_not_found``."""
    clean = parse_username(username)
    with ctx.uow() as uow:
        user = _user(uow, clean)
        if user.disabled_at is not None:
            return user
        now = ctx.clock()
        uow.users.set_disabled(user.id, now)
        revoked = uow.sessions.revoke_for_user(user.id, now)
        uow.audit.append_many(
            [
                AuditEvent(
                    action=audit.USER_DISABLED,
                    actor=actor,
                    occurred_at=now,
                    subject=user.actor,
                    details={"sessions_revoked": revoked},
                )
            ]
        )
        uow.commit()
    return replace(user, disabled_at=now)


def offboard_user(ctx: ServiceContext, username: str, *, from_: datetime, actor: str) -> User:
    """Mark a person as leaving from ``from_`` (aware datetime): from then on their reveals drop to zero
    (the reveal policy reads ``Principal.offboard_from``) and nothing they hold or present signs them in
    (``offboarding``). A date that has already come revokes their tokens and sessions at once. A later
    call replaces the date. NotFoundError ``user_not_found``."""
    if from_.tzinfo is None:
        raise ValidationError(
            "the offboarding time needs a zone", code=ErrorCode.INVALID_REQUEST, field="from"
        )
    clean = parse_username(username)
    with ctx.uow() as uow:
        user = _user(uow, clean)
        now = ctx.clock()
        uow.users.set_offboard_from(user.id, from_)
        revoked = uow.sessions.revoke_for_user(user.id, now) if from_ <= now else 0
        uow.audit.append_many(
            [
                AuditEvent(
                    action=audit.USER_OFFBOARDED,
                    actor=actor,
                    occurred_at=now,
                    subject=user.actor,
                    details={"from": from_.isoformat(), "sessions_revoked": revoked},
                )
            ]
        )
        uow.commit()
    return replace(user, offboard_from=from_)


def enable_user(ctx: ServiceContext, username: str, *, actor: str) -> User:
    """Enable a user disabled by mistake: they sign in again, afresh. Tokens and sessions revoked when they
    were disabled stay revoked, and any still live (issued in a race with the disabling) is revoked now.
    Enabling an enabled user changes nothing and is not audited. Offboarding is not undone: a user whose
    offboarding date has come is refused with ConflictError ``offboarding``. NotFoundError
    ``user_not_found``."""
    clean = parse_username(username)
    with ctx.uow() as uow:
        user = _user(uow, clean)
        now = ctx.clock()
        if user.offboarded_at(now):
            raise ConflictError(
                "this user has been offboarded: enabling does not undo offboarding",
                code=ErrorCode.OFFBOARDING,
                field="username",
            )
        if not uow.users.set_enabled(user.id):
            return user
        revoked = uow.sessions.revoke_for_user(user.id, now)
        _audit_change(uow, audit.USER_ENABLED, actor, user, now, revoked)
        uow.commit()
    return replace(user, disabled_at=None)


def reset_second_factor(ctx: ServiceContext, username: str, *, actor: str) -> tuple[User, str]:
    """A new TOTP secret for a person who lost their authenticator: the user and the ``otpauth://`` URI to
    show once. The old secret is overwritten and every token and session of the person revoked, in one
    transaction. The new secret is sealed with the user's own data key (as ``add_user`` seals it); that
    key's wrapping is untouched, so a key rotation running at the same time rewraps a key that still opens
    it. Time steps up to the reset's own count as used: a sign-in with the old phone's code still in flight
    cannot land after the reset, and the new secret's codes work from the next 30-second step.

    Raises ValidationError ``role_not_allowed`` (field ``username``) for a role without a second factor,
    NotFoundError ``user_not_found``. The user's disabled or offboarding state is left as it is.
    """
    clean = parse_username(username)
    secret = ctx.otp.new_secret()
    with ctx.uow() as uow:
        credentials = uow.users.credentials(clean)
        if credentials is None:
            raise NotFoundError("no user with this username", code=ErrorCode.USER_NOT_FOUND, field="username")
        user = credentials.user
        if user.role not in SECOND_FACTOR_ROLES:
            raise ValidationError(
                f"the role {user.role.value} signs in without a second factor: there is none to reset",
                code=ErrorCode.ROLE_NOT_ALLOWED,
                field="username",
            )
        now = ctx.clock()
        ct_secret, wrapped = _seal_totp_secret(ctx, credentials, secret)
        uow.users.replace_totp_secret(
            user.id, ct_secret, used_through=_time_step(ctx, secret, now), wrapped=wrapped
        )
        revoked = uow.sessions.revoke_for_user(user.id, now)
        _audit_change(uow, audit.USER_SECOND_FACTOR_RESET, actor, user, now, revoked)
        uow.commit()
    return user, ctx.otp.provisioning_uri(secret, clean)


def set_password(ctx: ServiceContext, username: str, *, password: str, actor: str) -> User:
    """A new password for a person who forgot theirs (the rules of ``add_user``, hashed with argon2id
    before the transaction): every token and session they hold is revoked and the account's failed
    sign-in count and lock are cleared, in one transaction. The second factor, if any, stays as it is,
    and so do the disabled and offboarding states.

    Raises ValidationError (``password``, ``username``) or NotFoundError ``user_not_found``.
    """
    clean = parse_username(username)
    check_password_rules(password, username=clean)
    password_hash = ctx.passwords.hash(password)  # ~0.15 s: before the transaction, not inside it
    with ctx.uow() as uow:
        user = _user(uow, clean)
        now = ctx.clock()
        uow.users.set_password_hash(user.id, password_hash)
        revoked = uow.sessions.revoke_for_user(user.id, now)
        uow.login_throttle.clear(login_account_subject(ctx, clean))
        _audit_change(uow, audit.USER_PASSWORD_SET, actor, user, now, revoked)
        uow.commit()
    return user


def _seal_totp_secret(
    ctx: ServiceContext, credentials: UserCredentials, secret: str
) -> tuple[bytes, WrappedKey | None]:
    """The secret sealed with the user's data key, and the new wrapped key when they had none yet."""
    owner = totp_owner(credentials.user.username)
    if credentials.totp_key is not None:
        return ctx.envelope.open_data_key(owner, credentials.totp_key).encrypt(TOTP_FIELD, secret), None
    data_key, wrapped = ctx.envelope.new_data_key(owner)
    return data_key.encrypt(TOTP_FIELD, secret), wrapped


def _time_step(ctx: ServiceContext, secret: str, at: datetime) -> int:
    """The RFC 6238 time step of ``at``, as the OTP port counts steps (the step its own code matches)."""
    step = ctx.otp.matching_step(secret, ctx.otp.code_at(secret, at), at)
    if step is None:  # pragma: no cover - a code always matches within the drift of its own moment
        raise ConflictError("no time step matched the current code", code=ErrorCode.INTERNAL)
    return step


def _audit_change(uow: UnitOfWork, action: str, actor: str, user: User, at: datetime, revoked: int) -> None:
    uow.audit.append_many(
        [
            AuditEvent(
                action=action,
                actor=actor,
                occurred_at=at,
                subject=user.actor,
                details={"sessions_revoked": revoked},
            )
        ]
    )
