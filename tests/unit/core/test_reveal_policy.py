"""The reveal policy denies by default and gives a reason code for every decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from parcelguard.domain.people import Role
from parcelguard.domain.reveal_policy import (
    REVEALABLE_FIELDS,
    AlertKind,
    AllowReason,
    Decision,
    Grant,
    Purpose,
    Requester,
    RevealLimits,
    Subject,
    Usage,
    after_lost_race,
    decide,
    parse_fields,
    parse_purpose,
    parse_ticket,
)
from parcelguard.domain.waybill import WaybillStatus
from parcelguard.errors import ErrorCode, ValidationError

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
LIMITS = RevealLimits(grace=timedelta(hours=24), daily_quota=3, daily_ceiling=5, notice_bulk_threshold=4)
TN = "PG1234567890123"
COURIER = Requester(Role.COURIER, 7, second_factor=False, disabled=False, offboard_from=None)
AGENT = Requester(Role.CS_AGENT, 8, second_factor=True, disabled=False, offboard_from=None)
REGULATOR = Requester(Role.REGULATOR, 9, second_factor=True, disabled=False, offboard_from=None)
OUT = Subject(TN, WaybillStatus.OUT_FOR_DELIVERY, assigned_courier_id=7, delivered_at=None)
RECIPIENT = ("recipient.name", "recipient.address", "recipient.mobile")


def ask(
    requester: Requester,
    subject: Subject | None = OUT,
    fields: Sequence[str] = RECIPIENT,
    *,
    purpose: Purpose | None = Purpose.DELIVERY,
    ticket: str | None = None,
    usage: Usage = Usage(),  # noqa: B008 - frozen
    grants: Sequence[Grant] = (),
    now: datetime = NOW,
) -> Decision:
    return decide(
        requester,
        subject,
        fields,
        purpose=purpose,
        ticket=ticket,
        usage=usage,
        grants=grants,
        limits=LIMITS,
        now=now,
    )


def cs(**kwargs: object) -> Decision:
    kwargs.setdefault("purpose", Purpose.CUSTOMER_REQUEST)
    kwargs.setdefault("ticket", "CS-1")
    return ask(AGENT, **kwargs)  # type: ignore[arg-type]


def grant(**changes: object) -> Grant:
    base = Grant(
        id=3,
        requester_id=8,
        tracking_numbers=frozenset({TN}),
        fields=frozenset(RECIPIENT),
        approved_at=NOW - timedelta(minutes=5),
        expires_at=NOW + timedelta(minutes=55),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# -- couriers -----------------------------------------------------------------------------------------


def test_a_courier_sees_the_recipient_of_an_assigned_parcel_out_for_delivery() -> None:
    decision = ask(COURIER)
    assert decision.allowed and decision.reason == AllowReason.OUT_FOR_DELIVERY
    assert decision.counted and decision.limit == LIMITS.daily_ceiling


def test_a_courier_is_refused_another_couriers_parcel_and_an_unknown_one_alike() -> None:
    other = ask(COURIER, replace(OUT, assigned_courier_id=99))
    unknown = ask(COURIER, None)
    unassigned = ask(COURIER, replace(OUT, assigned_courier_id=None))
    assert {other.reason, unknown.reason, unassigned.reason} == {ErrorCode.NOT_ASSIGNED}
    assert other.message == unknown.message
    assert not (other.allowed or unknown.allowed or unassigned.allowed)


@pytest.mark.parametrize(
    "status",
    [s for s in WaybillStatus if s not in (WaybillStatus.OUT_FOR_DELIVERY, WaybillStatus.DELIVERED)],
)
def test_a_courier_sees_nothing_before_the_parcel_is_out_for_delivery(status: WaybillStatus) -> None:
    assert ask(COURIER, replace(OUT, status=status)).reason == ErrorCode.OUTSIDE_WINDOW


def test_a_courier_sees_a_delivered_parcel_for_the_grace_period_and_not_after() -> None:
    delivered = replace(OUT, status=WaybillStatus.DELIVERED, delivered_at=NOW - timedelta(hours=24))
    assert ask(COURIER, delivered).reason == AllowReason.GRACE_PERIOD
    late = replace(delivered, delivered_at=NOW - timedelta(hours=24, seconds=1))
    assert ask(COURIER, late).reason == ErrorCode.OUTSIDE_WINDOW
    unknown_time = replace(delivered, delivered_at=None)
    assert ask(COURIER, unknown_time).reason == ErrorCode.OUTSIDE_WINDOW


def test_the_grace_period_is_a_setting() -> None:
    delivered = replace(OUT, status=WaybillStatus.DELIVERED, delivered_at=NOW - timedelta(hours=2))
    short = RevealLimits(grace=timedelta(hours=1))
    decision = decide(
        COURIER,
        delivered,
        RECIPIENT,
        purpose=Purpose.DELIVERY,
        ticket=None,
        usage=Usage(),
        grants=(),
        limits=short,
        now=NOW,
    )
    assert decision.reason == ErrorCode.OUTSIDE_WINDOW


@pytest.mark.parametrize("field", ["sender.name", "sender.mobile", "sender.address", "sender.id_number"])
def test_a_courier_never_sees_the_sender(field: str) -> None:
    assert ask(COURIER, fields=("recipient.name", field)).reason == ErrorCode.FIELD_NOT_ALLOWED


def test_a_courier_names_a_purpose() -> None:
    assert ask(COURIER, purpose=None).reason == ErrorCode.PURPOSE_REQUIRED


def test_a_courier_stops_at_the_daily_ceiling_with_an_alert() -> None:
    assert ask(COURIER, usage=Usage(revealed=4)).allowed
    decision = ask(COURIER, usage=Usage(revealed=5))
    assert decision.reason == ErrorCode.QUOTA_EXCEEDED and decision.alert is AlertKind.CEILING_REACHED


# -- customer service ---------------------------------------------------------------------------------


def test_an_agent_reveals_within_the_quota_with_a_ticket_and_a_purpose() -> None:
    decision = cs(subject=replace(OUT, assigned_courier_id=None), fields=REVEALABLE_FIELDS)
    assert decision.allowed and decision.reason == AllowReason.WITHIN_QUOTA
    assert decision.limit == LIMITS.daily_quota and decision.grant_id is None


def test_an_agent_names_a_purpose_and_a_ticket() -> None:
    assert cs(purpose=None).reason == ErrorCode.PURPOSE_REQUIRED
    assert cs(ticket=None).reason == ErrorCode.TICKET_REQUIRED


def test_nobody_sees_the_senders_id_number() -> None:
    for who in (AGENT, REGULATOR):
        decision = ask(who, fields=("sender.id_number",), purpose=Purpose.CLAIM, ticket="CS-1")
        assert decision.reason == ErrorCode.FIELD_NOT_ALLOWED


def test_an_empty_field_list_is_refused() -> None:
    assert cs(fields=()).reason == ErrorCode.FIELD_NOT_ALLOWED


def test_beyond_the_quota_an_agent_needs_an_approval() -> None:
    decision = cs(usage=Usage(revealed=3))
    assert decision.reason == ErrorCode.APPROVAL_REQUIRED and decision.alert is None


def test_an_approved_unexpired_grant_for_this_waybill_and_these_fields_allows_beyond_the_quota() -> None:
    decision = cs(usage=Usage(revealed=3), grants=[grant()])
    assert decision.allowed and decision.reason == AllowReason.BREAK_GLASS
    assert decision.grant_id == 3 and decision.limit == LIMITS.daily_ceiling


@pytest.mark.parametrize(
    "changes",
    [
        {"approved_at": None, "expires_at": None},  # pending
        {"expires_at": NOW},  # time-boxed: expired at this instant
        {"requester_id": 99},  # someone else's
        {"tracking_numbers": frozenset({"PG0000000000000"})},  # other waybills
        {"fields": frozenset({"recipient.name"})},  # fewer fields
    ],
)
def test_a_grant_that_does_not_cover_the_request_does_not_help(changes: dict[str, object]) -> None:
    assert cs(usage=Usage(revealed=3), grants=[grant(**changes)]).reason == ErrorCode.APPROVAL_REQUIRED


def test_beyond_the_ceiling_even_an_approval_is_refused_with_an_alert() -> None:
    decision = cs(usage=Usage(revealed=5), grants=[grant()])
    assert decision.reason == ErrorCode.QUOTA_EXCEEDED and decision.alert is AlertKind.CEILING_REACHED


def test_an_agent_is_told_the_same_for_an_unknown_waybill() -> None:
    assert cs(subject=None).reason == ErrorCode.NOT_ASSIGNED


def test_a_regulator_reveals_with_a_ticket_up_to_the_ceiling() -> None:
    decision = ask(REGULATOR, fields=REVEALABLE_FIELDS, purpose=Purpose.LEGAL_REQUEST, ticket="REG-9")
    assert decision.reason == AllowReason.REGULATOR_REQUEST
    assert ask(REGULATOR, purpose=Purpose.LEGAL_REQUEST).reason == ErrorCode.TICKET_REQUIRED
    beyond = ask(REGULATOR, purpose=Purpose.LEGAL_REQUEST, ticket="REG-9", usage=Usage(revealed=5))
    assert beyond.reason == ErrorCode.QUOTA_EXCEEDED


# -- roles, people ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.STATION_MANAGER, Role.OUTLET_CLERK, Role.SECURITY_OFFICER, None]
)
def test_every_other_role_and_api_keys_never_reveal(role: Role | None) -> None:
    who = Requester(role, 1 if role else None, second_factor=True, disabled=False, offboard_from=None)
    decision = ask(who, purpose=Purpose.CLAIM, ticket="CS-1")
    assert not decision.allowed and decision.reason == ErrorCode.ROLE_NOT_ALLOWED


def test_a_disabled_person_is_refused_before_anything_else() -> None:
    disabled = replace(AGENT, disabled=True, second_factor=False)
    assert cs(subject=None).reason == ErrorCode.NOT_ASSIGNED
    assert ask(disabled, None, purpose=None).reason == ErrorCode.USER_DISABLED


def test_from_the_offboarding_date_reveals_drop_to_zero_with_an_alert() -> None:
    gone = replace(COURIER, offboard_from=NOW)
    decision = ask(gone)
    assert decision.reason == ErrorCode.OFFBOARDING and decision.alert is AlertKind.OFFBOARDING_ACTIVITY
    assert ask(replace(COURIER, offboard_from=NOW + timedelta(days=3))).allowed


def test_a_person_under_notice_who_is_busy_raises_one_alert_at_the_threshold() -> None:
    leaving = replace(AGENT, offboard_from=NOW + timedelta(days=3))
    decisions = [
        decide(
            leaving,
            OUT,
            RECIPIENT,
            purpose=Purpose.COMPLAINT,
            ticket="CS-1",
            usage=Usage(requests=n),
            grants=(),
            limits=LIMITS,
            now=NOW,
        )
        for n in range(8)
    ]
    assert [d.alert for d in decisions].count(AlertKind.OFFBOARDING_ACTIVITY) == 1
    assert decisions[LIMITS.notice_bulk_threshold - 1].alert is AlertKind.OFFBOARDING_ACTIVITY
    assert cs(usage=Usage(requests=3)).alert is None  # not under notice: no alert


@pytest.mark.parametrize("role", [Role.CS_AGENT, Role.REGULATOR, Role.ADMIN, Role.SECURITY_OFFICER])
def test_roles_that_need_a_second_factor_are_refused_without_one(role: Role) -> None:
    who = Requester(role, 8, second_factor=False, disabled=False, offboard_from=None)
    decision = ask(who, purpose=Purpose.CLAIM, ticket="CS-1")
    assert decision.reason == ErrorCode.SECOND_FACTOR_REQUIRED


def test_every_refusal_is_a_known_error_code_and_every_allowance_a_known_reason() -> None:
    requesters = [
        COURIER,
        AGENT,
        REGULATOR,
        replace(AGENT, disabled=True),
        replace(AGENT, second_factor=False),
    ]
    subjects: list[Subject | None] = [None, OUT, replace(OUT, status=WaybillStatus.DELIVERED)]
    for who in requesters:
        for subject in subjects:
            for revealed in (0, 3, 5):
                for purpose in (None, Purpose.CLAIM):
                    decision = ask(
                        who, subject, purpose=purpose, ticket="CS-1", usage=Usage(revealed=revealed)
                    )
                    known = ErrorCode if not decision.allowed else AllowReason
                    assert decision.reason in {member.value for member in known}
                    assert decision.message


def test_a_lost_race_for_the_last_slot_reads_as_the_limit_that_was_hit() -> None:
    within = cs()
    assert after_lost_race(within, LIMITS).reason == ErrorCode.APPROVAL_REQUIRED
    glass = cs(usage=Usage(revealed=3), grants=[grant()])
    lost = after_lost_race(glass, LIMITS)
    assert lost.reason == ErrorCode.QUOTA_EXCEEDED and lost.alert is AlertKind.CEILING_REACHED


def test_limits_refuse_a_ceiling_below_the_quota() -> None:
    with pytest.raises(ValueError, match="daily_ceiling"):
        RevealLimits(daily_quota=10, daily_ceiling=5)


# -- parsing ------------------------------------------------------------------------------------------


def test_fields_are_a_list_of_known_names_named_once() -> None:
    assert parse_fields(["recipient.mobile", "sender.id_number"]) == ("recipient.mobile", "sender.id_number")
    for bad, where in (
        ([], "fields"),
        ("recipient.name", "fields"),
        (["recipient.name", "recipient.name"], "fields.1"),
        (["recipient.phone"], "fields.0"),
        ([1], "fields.0"),
        (["parcel.description.original"], "fields.0"),
    ):
        with pytest.raises(ValidationError) as caught:
            parse_fields(bad)
        assert caught.value.field == where and caught.value.code is ErrorCode.INVALID_REQUEST


def test_a_purpose_comes_from_the_closed_list() -> None:
    assert parse_purpose("complaint") is Purpose.COMPLAINT
    assert parse_purpose(None) is None and parse_purpose("  ") is None
    for bad in ("to call 13800138000", 5, "Complaint"):
        with pytest.raises(ValidationError, match="purpose must be one of"):
            parse_purpose(bad)


def test_a_ticket_is_a_reference_never_a_phone_or_id_number() -> None:
    assert parse_ticket("CS-20261130-0042") == "CS-20261130-0042"
    assert parse_ticket(None) is None and parse_ticket("") is None
    for bad in ("13800138000", "CS-13800138000", "CS-11010519491231002X", "no spaces", "CS-" + "1" * 40, 7):
        with pytest.raises(ValidationError) as caught:
            parse_ticket(bad)
        assert caught.value.field == "ticket"
