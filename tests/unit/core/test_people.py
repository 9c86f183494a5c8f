"""People and stations as pure rules: usernames, station codes, districts, passwords, offboarding dates,
role scopes and the sign-in failure arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from parcelguard.domain.access import Principal, Scope
from parcelguard.domain.people import (
    ROLE_SCOPES,
    SECOND_FACTOR_ROLES,
    STATION_ROLES,
    Role,
    check_password_rules,
    check_station_for_role,
    parse_district,
    parse_offboard_from,
    parse_role,
    parse_station_code,
    parse_username,
)
from parcelguard.errors import ErrorCode, PermissionDeniedError, ValidationError

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "clean"), [("courier.01", "courier.01"), ("  Li_Na-2 ", "li_na-2")])
def test_usernames_are_read_in_lower_case(raw: str, clean: str) -> None:
    assert parse_username(raw) == clean


@pytest.mark.parametrize("raw", ["", "ab", "1abc", "a" * 33, "张伟", "user name", "13800138000x", "a/b"])
def test_usernames_outside_the_rules_are_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_username(raw)
    assert caught.value.field == "username" and caught.value.code is ErrorCode.INVALID_REQUEST


def test_station_codes_are_upper_case_letters_digits_and_dashes() -> None:
    assert parse_station_code(" sz-ns-01 ") == "SZ-NS-01"
    for bad in ("S", "SZ NS", "SZ_01", "A" * 17, "站点"):
        with pytest.raises(ValidationError):
            parse_station_code(bad)


def test_a_district_is_a_current_division_code_and_a_renamed_one_names_its_successor() -> None:
    assert parse_district("440305") == "440305"  # 南山区
    for bad in ("44030", "4403050", "999999", "abcdef"):
        with pytest.raises(ValidationError) as caught:
            parse_district(bad)
        assert caught.value.code is ErrorCode.INVALID_ADDRESS and caught.value.field == "district"
    with pytest.raises(ValidationError, match="431181"):
        parse_district("431121")  # 祁阳县, now 祁阳市


def test_roles_parse_and_an_unknown_one_is_refused() -> None:
    assert parse_role(" Courier ") is Role.COURIER
    with pytest.raises(ValidationError) as caught:
        parse_role("pilot")
    assert caught.value.field == "role"


def test_second_factor_and_station_roles_are_the_ones_the_issue_names() -> None:
    assert {r.value for r in SECOND_FACTOR_ROLES} == {"admin", "security_officer", "cs_agent", "regulator"}
    assert {r.value for r in STATION_ROLES} == {"station_manager", "courier", "outlet_clerk"}


def test_station_roles_need_a_station_and_the_others_refuse_one() -> None:
    check_station_for_role(Role.COURIER, "SZ-01")
    check_station_for_role(Role.CS_AGENT, None)
    with pytest.raises(ValidationError) as missing:
        check_station_for_role(Role.OUTLET_CLERK, None)
    assert missing.value.code is ErrorCode.MISSING_FIELD
    with pytest.raises(ValidationError):
        check_station_for_role(Role.REGULATOR, "SZ-01")


@pytest.mark.parametrize("password", ["short", " " * 20, "x" * 257])
def test_passwords_are_12_to_256_characters_and_not_only_blanks(password: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_password_rules(password)
    assert caught.value.field == "password" and password not in caught.value.message


def test_an_offboarding_date_is_midnight_china_standard_time() -> None:
    assert parse_offboard_from("2026-12-31") == datetime(2026, 12, 30, 16, 0, tzinfo=UTC)
    assert parse_offboard_from("2026-12-31T09:30:00+08:00") == datetime(2026, 12, 31, 1, 30, tzinfo=UTC)
    # no offset; and the ends of the calendar, which fall outside it in UTC (were a 500 on the admin page)
    for bad in ("tomorrow", "2026-13-01", "2026-12-31T09:30:00", "0001-01-01", "9999-12-31T23:00:00-05:00"):
        with pytest.raises(ValidationError):
            parse_offboard_from(bad)


def test_only_an_admin_may_issue_waybills_and_nobody_else_uses_deid() -> None:
    for role, scopes in ROLE_SCOPES.items():
        if role is not Role.ADMIN:
            assert (
                Scope.WAYBILL_ISSUE not in scopes
                and Scope.DEID_USE not in scopes
                and Scope.ADMIN not in scopes
            )
    assert set(ROLE_SCOPES) == set(Role)


def test_a_person_lacking_a_scope_is_told_their_role_lacks_it() -> None:
    courier = Principal(actor="user:c1", scopes=ROLE_SCOPES[Role.COURIER], user_id=1, role=Role.COURIER)
    with pytest.raises(PermissionDeniedError, match="the role courier lacks the scope waybill:issue"):
        courier.require(Scope.WAYBILL_ISSUE)
    assert courier.is_user and not Principal(actor="apikey:x", scopes=frozenset()).is_user
