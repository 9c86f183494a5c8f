"""A parcel moves only along its life's roads, each step recorded by a role allowed to record it."""

from __future__ import annotations

import pytest

from parcelguard.domain.parcel_lifecycle import NEXT, ROLES_FOR, TERMINAL, check_transition, parse_status
from parcelguard.domain.people import Role
from parcelguard.domain.waybill import WaybillStatus as S
from parcelguard.errors import ErrorCode, PermissionDeniedError, ValidationError

HAPPY_PATH = [S.CREATED, S.PICKED_UP, S.IN_TRANSIT, S.AT_STATION, S.OUT_FOR_DELIVERY, S.DELIVERED]


def test_the_happy_path_is_open_to_the_people_who_are_there() -> None:
    who = [Role.COURIER, Role.COURIER, Role.OUTLET_CLERK, Role.COURIER, Role.COURIER]
    for current, new, role in zip(HAPPY_PATH[:-1], HAPPY_PATH[1:], who, strict=True):
        check_transition(current, new, role)


def test_an_outlet_hands_over_at_the_counter_and_a_failed_delivery_comes_back() -> None:
    check_transition(S.AT_STATION, S.DELIVERED, Role.OUTLET_CLERK)
    check_transition(S.OUT_FOR_DELIVERY, S.AT_STATION, Role.STATION_MANAGER)
    check_transition(S.EXCEPTION, S.RETURNED, Role.STATION_MANAGER)


@pytest.mark.parametrize("ending", sorted(TERMINAL))
def test_nothing_follows_an_ending(ending: S) -> None:
    assert ending in (S.DELIVERED, S.RETURNED, S.CANCELLED)
    for new in ROLES_FOR:
        with pytest.raises(ValidationError) as caught:
            check_transition(ending, new, Role.ADMIN)
        assert caught.value.code is ErrorCode.INVALID_TRANSITION


def test_every_status_is_in_the_map_and_nothing_goes_back_to_created() -> None:
    assert set(NEXT) == set(S)
    assert all(S.CREATED not in following for following in NEXT.values())
    assert S.CREATED not in ROLES_FOR


@pytest.mark.parametrize(
    ("new", "role"),
    [
        (S.AT_STATION, Role.COURIER),
        (S.OUT_FOR_DELIVERY, Role.OUTLET_CLERK),
        (S.RETURNED, Role.COURIER),
        (S.CANCELLED, Role.STATION_MANAGER),
        (S.PICKED_UP, Role.CS_AGENT),
        (S.DELIVERED, Role.SECURITY_OFFICER),
        (S.IN_TRANSIT, Role.REGULATOR),
        (S.EXCEPTION, None),  # an API key records no step
    ],
)
def test_a_role_records_only_its_own_steps(new: S, role: Role | None) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        check_transition(S.CREATED, new, role)
    assert caught.value.code is ErrorCode.ROLE_NOT_ALLOWED


def test_a_role_is_checked_before_the_road() -> None:
    with pytest.raises(PermissionDeniedError):
        check_transition(S.DELIVERED, S.RETURNED, Role.COURIER)


def test_status_names_are_read_exactly() -> None:
    assert parse_status("at_station") is S.AT_STATION
    for bad in ("created", "AT_STATION", "lost", 3, None):
        with pytest.raises(ValidationError) as caught:
            parse_status(bad)
        assert caught.value.field == "status"
