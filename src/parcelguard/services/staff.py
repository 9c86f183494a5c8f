"""Who may act as staff: the person's state checked against the database, then their role.

Tokens and sessions are checked when presented (services.auth); a use case checks again, in its own
transaction, so a person disabled or offboarded a moment ago cannot finish what they started.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from parcelguard.domain.access import Principal, Scope
from parcelguard.domain.people import Role, User, acts_as
from parcelguard.domain.reveal_policy import Requester, check_person
from parcelguard.errors import ErrorCode, PermissionDeniedError
from parcelguard.services.ports import UnitOfWork


def requester_of(uow: UnitOfWork, principal: Principal) -> Requester:
    """The person as the database knows them now (a user disabled since their token was issued is
    disabled here), or an API key / operator (no role)."""
    if principal.user_id is None:
        return Requester(role=None, user_id=None, second_factor=False, disabled=False, offboard_from=None)
    user = uow.users.get_by_id(principal.user_id)
    if user is None:
        return Requester(principal.role, principal.user_id, False, disabled=True, offboard_from=None)
    return Requester(
        role=user.role,
        user_id=user.id,
        second_factor=principal.second_factor,
        disabled=user.disabled_at is not None,
        offboard_from=user.offboard_from,
    )


def acting_role(uow: UnitOfWork, principal: Principal, now: datetime) -> Role | None:
    """The role a principal acts in, after the person checks (PermissionDeniedError ``user_disabled``,
    ``offboarding``, ``second_factor_required``). The carrier's admin keys and the CLI operator act as
    ``admin``; other keys have no role (None), and neither has a platform's person in a carrier role
    (``domain.people.acts_as``: a platform's admin runs no courier, station or parcel step)."""
    if principal.user_id is None:
        return Role.ADMIN if principal.sees_every_organisation else None
    requester = requester_of(uow, principal)
    refusal = check_person(requester, now)
    if refusal is not None:
        raise PermissionDeniedError(refusal.message, code=ErrorCode(refusal.reason))
    return acts_as(requester.role, principal.organisation_kind)


def require_role(uow: UnitOfWork, principal: Principal, roles: Collection[Role], now: datetime) -> Role:
    """The acting role if it is one of ``roles``; PermissionDeniedError ``role_not_allowed`` otherwise."""
    role = acting_role(uow, principal, now)
    if role is None or role not in roles:
        raise PermissionDeniedError("this role may not do this", code=ErrorCode.ROLE_NOT_ALLOWED)
    return role


def user_of(uow: UnitOfWork, principal: Principal) -> User | None:
    return uow.users.get_by_id(principal.user_id) if principal.user_id is not None else None


def require_scope(principal: Principal, scope: Scope) -> None:
    """Keys need the scope; people are governed by their role instead."""
    if principal.user_id is None:
        principal.require(scope)
