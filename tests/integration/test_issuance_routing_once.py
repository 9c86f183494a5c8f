"""Issuance works out an order's routing once (the label gate's reading) and seals with it: the same code
and text as reading the sealed order afresh."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcelguard.bootstrap import Runtime
from parcelguard.domain.order import parse_order
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.waybill import routing_of
from parcelguard.services.free_text import FreeTextRedactor
from parcelguard.services.issuance import seal_order


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000))
def test_the_routing_the_gate_read_is_the_routing_of_the_order_as_sealed(runtime: Runtime, seed: int) -> None:
    order = parse_order(SyntheticPeople(seed).order())
    redacted = FreeTextRedactor(runtime.ctx).order(order)
    assert redacted.routing == routing_of(redacted.shown) == routing_of(order)
    given_routing = seal_order(
        runtime.ctx, redacted.shown, tracking_number="PG1", actor="t", routing=redacted.routing
    )
    afresh = seal_order(runtime.ctx, redacted.shown, tracking_number="PG1", actor="t")
    assert (given_routing.routing_code, given_routing.routing_text) == (
        afresh.routing_code,
        afresh.routing_text,
    )
