"""Stations and users: added, disabled and offboarded by the carrier's administrators, each change audited.

A password is hashed (argon2id) before the transaction opens; a second-factor role gets a fresh TOTP secret,
sealed with the user's own data key (envelope encryption, as a waybill's fields) and returned once as an
``otpauth://`` provisioning URI for the person's authenticator app. Neither is ever stored or logged in the
clear, and audit events name the user, never a credential.

Disabling a user, or offboarding them from a date that has come, revokes their tokens and page sessions in
the same transaction; every request also checks the user's state (services/auth.py), so nothing they hold
works a moment later.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from parcelguard.domain import audit
from parcelguard.domain.audit import AuditEvent
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
from parcelguard.errors import ErrorCode, NotFoundError, ValidationError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import NewUser, UnitOfWork

TOTP_FIELD = "totp_secret"


def totp_owner(username: str) -> str:
    """The envelope owner id of a user's data key (binds the sealed TOTP secret to that user)."""
    return f"app_user:{username}"


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
    check_password_rules(password)
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
