"""The waybill repository's fast paths (issue 9) answer as the plain queries did, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from parcelguard.bootstrap import Runtime
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.domain.waybill import TrackingEvent, WaybillStatus
from parcelguard.services.issuance import issue_batch


def _issue(runtime: Runtime, count: int) -> list[str]:
    people = SyntheticPeople(9)
    result = issue_batch(runtime.ctx, [people.order() for _ in range(count)], actor="t")
    return [item.tracking_number for item in result.items]  # type: ignore[union-attr]


def test_taken_finds_the_issued_numbers_among_many_across_chunks(runtime: Runtime) -> None:
    issued = _issue(runtime, 3)
    fresh = [TrackingNumber.generate("ZZ").value for _ in range(1200)]  # three chunks of up to 500
    asked = [*fresh[:400], issued[0], *fresh[400:1000], *issued[1:], *fresh[1000:]]
    with runtime.ctx.uow() as uow:
        assert uow.waybills.taken(asked) == set(issued)
        assert uow.waybills.taken(fresh[:2]) == set()
        assert uow.waybills.taken([issued[2]]) == {issued[2]}


def test_get_returns_the_created_event_then_later_ones_in_order(runtime: Runtime) -> None:
    number, other = _issue(runtime, 2)
    with runtime.ctx.uow() as uow:
        sealed = uow.waybills.get(number)
        assert sealed is not None
        assert [e.status for e in sealed.events] == [WaybillStatus.CREATED]
        later = sealed.created_at + timedelta(hours=1)
        uow.waybills.add_event(sealed.id, TrackingEvent(WaybillStatus.PICKED_UP, later, "上海 浦东新区"))
        uow.waybills.add_event(
            sealed.id, TrackingEvent(WaybillStatus.IN_TRANSIT, later + timedelta(hours=2), "杭州 西湖区")
        )
        uow.commit()
    with runtime.ctx.uow() as uow:
        again = uow.waybills.get(number)
        untouched = uow.waybills.get(other)
        assert uow.waybills.get(TrackingNumber.generate("ZZ").value) is None
    assert again is not None and untouched is not None
    assert [(e.status, e.location) for e in again.events] == [
        (WaybillStatus.CREATED, sealed.routing_text),
        (WaybillStatus.PICKED_UP, "上海 浦东新区"),
        (WaybillStatus.IN_TRANSIT, "杭州 西湖区"),
    ]
    assert again.events[1].occurred_at == later and again.events[1].occurred_at.tzinfo is not None
    assert again.status is WaybillStatus.IN_TRANSIT and again.ciphertexts == sealed.ciphertexts
    assert [e.status for e in untouched.events] == [WaybillStatus.CREATED]
    assert datetime.now(UTC) - untouched.created_at < timedelta(minutes=5)
