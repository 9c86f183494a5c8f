"""Order free text at issuance goes through the detector's accurate mode, once per batch.

A name the rules alone miss (before a verb, no cue word) is masked, and the sequence model reads every
order's description and remarks of a batch in one call rather than one call per text.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import ALL_SCOPES, Principal
from parcelguard.domain.deid import Detector, EntityType
from parcelguard.domain.deid.entity import Entity
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services import free_text
from parcelguard.services.deid import detect_texts
from parcelguard.services.issuance import IssuedWaybill, issue_batch
from parcelguard.services.waybills import view_waybill

OPERATOR = Principal(actor="test:operator", scopes=ALL_SCOPES)
REMARK = "彭小军认为放门口就行，谢谢"


def test_a_batch_is_read_by_the_model_once_and_names_the_rules_miss_are_masked(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not [e for e in Detector().detect(REMARK) if e.type is EntityType.PERSON]  # rules alone miss it
    calls: list[int] = []

    def counting(texts: Sequence[str]) -> list[list[Entity]]:
        calls.append(len(texts))
        return detect_texts(texts)

    monkeypatch.setattr(free_text, "detect_texts", counting)
    people = SyntheticPeople(8)
    orders = []
    for i in range(3):
        order = people.order()
        order["remarks"] = REMARK
        order["parcel"]["description"] = f"书籍{i}"
        orders.append(order)
    result = issue_batch(runtime.ctx, orders, actor="t")
    assert all(isinstance(item, IssuedWaybill) for item in result.items)
    assert calls == [4]  # one remark (the same in every order) and three descriptions, in one call
    for item in result.items:
        assert isinstance(item, IssuedWaybill)
        masked = view_waybill(runtime.ctx, item.tracking_number, principal=OPERATOR).masked
        assert "彭小军" not in (masked.remarks or "") and "认为放门口就行" in (masked.remarks or "")
