"""The pure routing decision of number masking, the label form and the number's life (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain import virtual_number as vn
from parcelguard.errors import ConflictError, ValidationError

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
A, B, C, STRANGER = b"a" * 32, b"b" * 32, b"c" * 32, b"s" * 32
BOUND = vn.NumberView(vn.NumberState.BOUND, None, 2)


def binding(
    model: vn.BindingModel, a: bytes | None, b: bytes, ext: str | None = None, ends: datetime | None = None
) -> vn.BindingView:
    return vn.BindingView(f"vb_{model.value}_{b[:1].decode()}", model, a, b, ext, ends)


def decide(
    number: vn.NumberView | None, caller: bytes, *views: vn.BindingView, ext: str | None = None
) -> vn.Decision:
    return vn.decide(number=number, caller_index=caller, extension=ext, candidates=views, now=NOW)


def test_axb_parties_reach_each_other_and_anyone_else_is_not_a_party() -> None:
    pair = binding(vn.BindingModel.AXB, A, B)
    assert decide(BOUND, A, pair) == vn.Decision(None, pair.binding_id, vn.Party.B, vn.Party.A)
    assert decide(BOUND, B, pair).party is vn.Party.A
    assert decide(BOUND, STRANGER).reason is vn.RejectReason.CALLER_NOT_PARTY


def test_unknown_free_and_resting_numbers() -> None:
    assert decide(None, A).reason is vn.RejectReason.NO_BINDING
    assert decide(vn.NumberView(vn.NumberState.FREE, None, 0), A).reason is vn.RejectReason.NO_BINDING
    resting = vn.NumberView(vn.NumberState.QUARANTINED, NOW + timedelta(hours=1), 0)
    assert decide(resting, A).reason is vn.RejectReason.NUMBER_QUARANTINED
    rested = vn.NumberView(vn.NumberState.QUARANTINED, NOW, 0)
    assert decide(rested, A).reason is vn.RejectReason.NO_BINDING


def test_a_binding_whose_time_is_over_is_expired_for_its_parties_only() -> None:
    over = binding(vn.BindingModel.AXB, A, B, ends=NOW)
    assert decide(BOUND, A, over).reason is vn.RejectReason.EXPIRED
    assert decide(BOUND, STRANGER).reason is vn.RejectReason.CALLER_NOT_PARTY
    still = binding(vn.BindingModel.AXB, A, B, ends=NOW + timedelta(seconds=1))
    assert decide(BOUND, A, still).connects


def test_axe_is_open_before_a_courier_is_bound_and_the_couriers_after() -> None:
    open_label = binding(vn.BindingModel.AXE, None, B, "0042")
    assert decide(BOUND, STRANGER, open_label, ext="0042").party is vn.Party.B
    assert decide(BOUND, STRANGER, open_label, ext="0043").reason is vn.RejectReason.NO_BINDING
    assert decide(BOUND, B, open_label).reason is vn.RejectReason.CALLER_NOT_PARTY  # nobody to call back
    couriers = binding(vn.BindingModel.AXE, A, B, "0042")
    assert decide(BOUND, STRANGER, couriers, ext="0042").reason is vn.RejectReason.CALLER_NOT_PARTY
    assert decide(BOUND, A, couriers, ext="0042").party is vn.Party.B
    assert decide(BOUND, B, couriers).party is vn.Party.A


def test_axn_lets_anyone_reach_b_and_b_reach_the_courier() -> None:
    solo = binding(vn.BindingModel.AXN, C, B)
    assert decide(BOUND, STRANGER, solo).party is vn.Party.B
    assert decide(BOUND, B, solo).party is vn.Party.A


def test_route_keys_make_a_courier_unique_per_axb_number_but_not_per_axe_number() -> None:
    assert vn.party_key(A) in vn.route_keys(vn.BindingModel.AXB, A, B, None)
    assert vn.party_key(A) not in vn.route_keys(vn.BindingModel.AXE, A, B, "0001")
    assert vn.NUMBER_KEY in vn.route_keys(vn.BindingModel.AXN, None, B, None)
    with pytest.raises(ConflictError):
        vn.route_keys(vn.BindingModel.AXB, None, B, None)


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.integers(min_value=1, max_value=9999))
def test_the_label_form_splits_back_into_number_and_extension(number: str, ext: int) -> None:
    extension = f"{ext:04d}"
    assert vn.split_label_form(vn.label_form(number, extension)) == (number, extension)
    assert vn.parse_extension(str(ext)) == extension


def test_a_dashed_number_is_not_read_as_an_extension() -> None:
    assert vn.split_label_form("170-1234-5678") == ("170-1234-5678", None)
    assert vn.split_label_form("１７０１２３４５６７８－１２３４") == ("17012345678", "1234")
    for bad in ("12a", "12345", "0000"):
        with pytest.raises(ValidationError):
            vn.parse_extension(bad)


def test_extending_the_grace_and_choosing_an_extension() -> None:
    assert vn.expiry_after_end(NOW) == NOW + timedelta(hours=72)
    assert vn.extended(NOW - timedelta(hours=1), NOW, timedelta(hours=2)) == NOW + timedelta(hours=2)
    with pytest.raises(ValidationError):  # no end yet: nothing to extend (test_virtual_number_pool.py)
        vn.extended(None, NOW, timedelta(hours=2))
    with pytest.raises(ValidationError):
        vn.extended(NOW, NOW, timedelta(days=31))
    assert vn.free_extension(["0001", "0002"], 1) == "0003"
    assert vn.free_extension([f"{i:04d}" for i in range(1, 10000)], 5) is None
