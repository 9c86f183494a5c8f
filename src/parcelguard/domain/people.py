"""People and stations: who works for the carrier, in which role, and where.

Insiders with legitimate accounts cause most leaks in parcel delivery, so every person signs in as
themselves (no shared accounts), holds one role, and roles that can see or approve unmasked data need a
second factor (TOTP, RFC 6238). Couriers, outlet clerks and station managers belong to a station (an outlet
or depot of the carrier organisation) that serves one administrative district (GB/T 2260 code).

Pure rules only: parsing of usernames, station codes, roles, passwords and offboarding dates, the
role -> scope mapping, and the sign-in throttling policy. Storage, hashing and the atomic counting of
failures are adapters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from parcelguard.domain.access import Scope
from parcelguard.domain.china_time import CHINA_STANDARD_TIME
from parcelguard.domain.organisation import OrganisationKind
from parcelguard.domain.pii.divisions import division_table
from parcelguard.errors import ErrorCode, ValidationError

# Mainland China keeps UTC+8 all year: an offboarding date means midnight there.

_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,31}$", re.ASCII)
_STATION_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$", re.ASCII)
_ADCODE = re.compile(r"^[0-9]{6}$", re.ASCII)
MAX_STATION_NAME_CHARS = 100
MIN_PASSWORD_CHARS = 12  # NIST SP 800-63B asks for at least 8; staff passwords guard personal data
MAX_PASSWORD_CHARS = 256  # bounds the hashing work one request can ask for
MIN_PASSWORD_DISTINCT_CHARS = 4  # fewer is a repeated pattern (NIST SP 800-63B: "repetitive characters")
# Cc: controls (NUL, tab, newline, DEL, C1); Cs: lone surrogates (not encodable as UTF-8 for hashing).
_REFUSED_PASSWORD_CATEGORIES = frozenset({"Cc", "Cs"})
_SERVICE_NAME = "parcelguard"  # a context-specific word of the NIST blocklist


class Role(StrEnum):
    ADMIN = "admin"
    STATION_MANAGER = "station_manager"
    COURIER = "courier"
    OUTLET_CLERK = "outlet_clerk"
    CS_AGENT = "cs_agent"
    SECURITY_OFFICER = "security_officer"
    REGULATOR = "regulator"


# Roles that can see unmasked data, approve break-glass or administer people: a password alone is not enough.
SECOND_FACTOR_ROLES = frozenset({Role.ADMIN, Role.SECURITY_OFFICER, Role.CS_AGENT, Role.REGULATOR})
# Roles that work at one station, so a user of these roles must name it.
STATION_ROLES = frozenset({Role.STATION_MANAGER, Role.COURIER, Role.OUTLET_CLERK})
# Roles that run the carrier itself (its people, stations, dispatch and counters). A platform's person
# holding one of them (a platform's ``admin``) acts in it on the platform's own API key routes only, never
# on the carrier's people, stations, couriers or parcel steps.
CARRIER_ROLES = frozenset({Role.ADMIN}) | STATION_ROLES


def acts_as(role: Role | None, organisation_kind: OrganisationKind) -> Role | None:
    """The staff role a person of an ``organisation_kind`` acts in: their role, or None for a carrier
    role held by a platform's person (who then may do none of the carrier's staff work)."""
    if role in CARRIER_ROLES and organisation_kind is not OrganisationKind.CARRIER:
        return None
    return role


# What a person's bearer token or page session may do on the API key routes (README "People and sign-in").
# Scopes gate the existing key routes only; what a person may *reveal* is decided by the reveal policy from
# the role, the assignment and the waybill's state, never by a scope. Nobody but an admin issues waybills
# (platforms do, with keys) or uses de-identification.
ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.ADMIN: frozenset({Scope.ADMIN}),
    Role.STATION_MANAGER: frozenset({Scope.WAYBILL_READ, Scope.LABEL_PRINT, Scope.LABEL_TOKEN_RESOLVE}),
    Role.COURIER: frozenset({Scope.WAYBILL_READ, Scope.LABEL_TOKEN_RESOLVE}),
    Role.OUTLET_CLERK: frozenset({Scope.WAYBILL_READ, Scope.LABEL_TOKEN_RESOLVE}),
    Role.CS_AGENT: frozenset({Scope.WAYBILL_READ}),
    Role.SECURITY_OFFICER: frozenset({Scope.WAYBILL_READ}),
    Role.REGULATOR: frozenset({Scope.WAYBILL_READ}),
}


@dataclass(frozen=True, slots=True)
class Station:
    """An outlet or depot of ``organisation_id``; ``district`` is the 6-digit division code it serves."""

    id: int
    organisation_id: int
    code: str
    name: str
    district: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class User:
    """A person who signs in. Never holds the password hash or the TOTP secret (adapters keep those)."""

    id: int
    organisation_id: int
    username: str
    role: Role
    station_id: int | None
    disabled_at: datetime | None
    offboard_from: datetime | None
    created_at: datetime
    station_code: str | None = None  # filled in by reads (joined)
    organisation_kind: OrganisationKind = OrganisationKind.CARRIER  # likewise

    @property
    def actor(self) -> str:
        """What audit events record for this person."""
        return actor_for(self.username)

    @property
    def needs_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES

    def offboarded_at(self, now: datetime) -> bool:
        """Whether the person's offboarding date has come: from then on nothing they present works."""
        return self.offboard_from is not None and self.offboard_from <= now

    @property
    def scopes(self) -> frozenset[Scope]:
        return ROLE_SCOPES[self.role]


def actor_for(username: str) -> str:
    return f"user:{username}"


def parse_username(raw: str) -> str:
    """3 to 32 characters: a letter, then letters, digits, ``.``, ``_`` or ``-``; read in lower case.

    Usernames are not personal data by design (``courier.0142``, not a name or a mobile). Raises
    ValidationError ``invalid_request`` (field ``username``).
    """
    name = raw.strip().lower()
    if not _USERNAME.match(name):
        raise ValidationError(
            "a username is 3 to 32 characters: a letter, then letters, digits, '.', '_' or '-'",
            code=ErrorCode.INVALID_REQUEST,
            field="username",
        )
    return name


def parse_role(raw: str) -> Role:
    """One of the seven roles; ValidationError ``invalid_request`` (field ``role``) otherwise."""
    try:
        return Role(raw.strip().lower())
    except ValueError:
        raise ValidationError(
            "role must be one of " + ", ".join(r.value for r in Role),
            code=ErrorCode.INVALID_REQUEST,
            field="role",
        ) from None


def parse_station_code(raw: str) -> str:
    """2 to 16 capital letters, digits or ``-`` (``SZ-NS-01``), read in upper case.

    Raises ValidationError ``invalid_request`` (field ``code``).
    """
    code = raw.strip().upper()
    if not _STATION_CODE.match(code):
        raise ValidationError(
            "a station code is 2 to 16 letters, digits or '-'", code=ErrorCode.INVALID_REQUEST, field="code"
        )
    return code


def parse_station_name(raw: str) -> str:
    """1 to 100 printable characters, surrounding spaces dropped; ValidationError (field ``name``)."""
    name = raw.strip()
    if not 0 < len(name) <= MAX_STATION_NAME_CHARS or not name.isprintable():
        raise ValidationError(
            f"a station name is 1 to {MAX_STATION_NAME_CHARS} printable characters",
            code=ErrorCode.INVALID_REQUEST,
            field="name",
        )
    return name


def parse_district(raw: str) -> str:
    """A current 6-digit administrative division code (GB/T 2260) from the division table.

    A renamed or abolished code is refused naming its successor. Raises ValidationError
    ``invalid_address`` (field ``district``).
    """
    code = raw.strip()
    table = division_table()
    if _ADCODE.match(code) and table.by_code(code) is not None:
        return code
    successor = table.successor(code) if _ADCODE.match(code) else None
    hint = f": it is now {successor.code} {successor.name}" if successor is not None else ""
    raise ValidationError(
        f"district must be a current 6-digit division code{hint}",
        code=ErrorCode.INVALID_ADDRESS,
        field="district",
    )


def check_password_rules(password: str, *, username: str | None = None) -> None:
    """The one password policy of every path that sets a password (pages, CLI, API, demo).

    NIST SP 800-63B §5.1.1.2 (memorized secrets): at least ``MIN_PASSWORD_CHARS`` (12) and at most
    ``MAX_PASSWORD_CHARS`` (256) characters counted as Unicode code points, printable characters and spaces
    only (no control character such as NUL, tab or newline: it cannot be typed at a sign-in form and
    truncates in C strings; no lone surrogate, which cannot be encoded for hashing), not only blanks, and
    checked against a blocklist of expected values: one or a few characters repeated
    (``aaaaaaaaaaaa``, ``abababababab``), the person's own username, or the service's name. No composition
    rules. Raises ValidationError ``invalid_request`` (field ``password``); the message never repeats the
    password.
    """
    problem = _password_problem(password, username)
    if problem is not None:
        raise ValidationError(problem, code=ErrorCode.INVALID_REQUEST, field="password")


def _password_problem(password: str, username: str | None) -> str | None:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        return f"a password is {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"
    if any(unicodedata.category(char) in _REFUSED_PASSWORD_CATEGORIES for char in password):
        return "a password holds printable characters and spaces only (no control characters)"
    if not password.strip():
        return "a password is not only blanks"
    folded = password.casefold()
    if len(set(folded)) < MIN_PASSWORD_DISTINCT_CHARS:
        return "a password is not one or a few characters repeated"
    context = [_SERVICE_NAME, *([username.casefold()] if username else [])]
    if any(word in folded for word in context):
        return "a password may not contain the username or the service's name"
    return None


def check_station_for_role(role: Role, station_code: str | None) -> None:
    """Station roles need a station; the others must not have one (ValidationError, field ``station``)."""
    if role in STATION_ROLES and station_code is None:
        raise ValidationError(
            f"a {role.value} works at a station: name it", code=ErrorCode.MISSING_FIELD, field="station"
        )
    if role not in STATION_ROLES and station_code is not None:
        raise ValidationError(
            f"a {role.value} belongs to no station", code=ErrorCode.INVALID_REQUEST, field="station"
        )


def parse_offboard_from(raw: str) -> datetime:
    """``YYYY-MM-DD`` (midnight China Standard Time, UTC+8) or an ISO 8601 time with its offset, as UTC.

    Raises ValidationError ``invalid_request`` (field ``from``).
    """
    text = raw.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=CHINA_STANDARD_TIME).astimezone(UTC)
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            return moment.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: 0001-01-01 in UTC+8 is before year 1 in UTC
        pass
    raise ValidationError(
        "from must be a date (YYYY-MM-DD, China Standard Time) or a time with its UTC offset",
        code=ErrorCode.INVALID_REQUEST,
        field="from",
    )


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """Sign-in throttling and credential lifetimes (README: PARCELGUARD_LOGIN_*, *_TTL_S), and the idle
    timeout of page sessions.

    ``max_failures`` failed sign-ins of one account within ``window`` lock it for ``lockout``; the same
    for one client address with ``client_max_failures`` (a password-spraying client trying many accounts).
    """

    max_failures: int = 5
    client_max_failures: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)
    token_ttl: timedelta = timedelta(minutes=15)
    session_ttl: timedelta = timedelta(hours=8)
    # A page session ends after this long without a request (OWASP ASVS 5.0 V7.3.1; NIST SP 800-63B rev. 3
    # §4.3.3, AAL3's 15 minutes: they see personal data). To become PARCELGUARD_SESSION_IDLE_TIMEOUT_S.
    session_idle: timedelta = timedelta(minutes=15)
    # How stale a session's recorded last request may get before a request writes it again: one write a
    # minute at most per session, so an idle session ends between ``session_idle`` minus this and
    # ``session_idle`` after its last request (never later).
    session_seen_every: timedelta = timedelta(minutes=1)
    # How long an unlocked count is kept in the throttle table that sign-in, pickup codes and tracking digits
    # share: the longest window of any count kept there (bootstrap: the larger of ``window`` and
    # PARCELGUARD_TRACK_VERIFY_LOCKOUT_S, tracking's window; 1 h by default). A sweep with a shorter cutoff
    # would delete counts whose window still runs and give their guesses back.
    throttle_retention: timedelta = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class FailureCount:
    """Failed sign-ins of one subject (an account or a client address) in the current window."""

    failures: int
    window_started_at: datetime
    locked_until: datetime | None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until
