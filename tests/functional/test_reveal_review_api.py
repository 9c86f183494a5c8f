"""Security review of issue 10 over HTTP: each finding's regression test (see also
tests/integration/test_reveal_review.py)."""

from __future__ import annotations

from parcelguard.services import people
from tests.functional.test_reveal_api import Api, api, refused

__all__ = ["api"]  # the fixture, shared with test_reveal_api


def credential_refusals(api: Api, username: str) -> list[dict[str, object]]:
    with api.world.ctx.uow() as uow:
        events = uow.audit.for_subject(f"user:{username}")
    return [dict(e.details) for e in events if e.action == "access:credential:refused"]


def test_a_disabled_or_offboarded_persons_attempts_with_a_live_token_are_recorded(api: Api) -> None:
    number = api.out_for_delivery()
    api.token("courier.ns")
    people.offboard_user(api.world.ctx, "courier.ns", from_=api.world.clock.now, actor="test")
    refused(api.reveal("courier.ns", tracking_number=number), "offboarding")
    [event] = credential_refusals(api, "courier.ns")
    assert event["reason"] == "offboarding" and event["method"] == "token"
    assert event["client"] == "testclient" and event["device"] == "pda-7"
    api.token("agent.two")
    people.disable_user(api.world.ctx, "agent.two", actor="test")
    answer = api.reveal("agent.two", tracking_number=number, purpose="claim", ticket="CS-1")
    assert answer.json()["code"] == "user_disabled"
    answer = api.client.get(
        f"/v1/waybills/{number}", headers={"Authorization": f"Bearer {api.token('agent.two')}"}
    )
    assert answer.json()["code"] == "user_disabled"
    assert [e["reason"] for e in credential_refusals(api, "agent.two")] == ["user_disabled"] * 2


def test_a_grant_id_beyond_any_row_is_not_found_not_a_server_error(api: Api) -> None:
    for grant_id in ("0", "-1", str(2**31), "99999999999999999999"):
        answer = api.post("officer.one", f"/v1/break-glass/{grant_id}/approve", None)
        assert answer.status_code in (404, 422), (grant_id, answer.status_code)
        assert answer.json()["code"] in ("grant_not_found", "invalid_request")
