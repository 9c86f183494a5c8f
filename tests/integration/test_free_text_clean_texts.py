"""Free texts the detector found nothing in are not read again in later batches; texts with findings are.

Issue 9: "放门口", "到了打电话" and a shop's "书籍" come back batch after batch. Issuance remembers the texts
without a finding (for the detector and detecting function they were read with) and hands the model only
the others; what it finds is masked exactly as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import ALL_SCOPES, Principal
from parcelguard.domain.deid.entity import Entity
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services import free_text
from parcelguard.services.deid import detect_texts
from parcelguard.services.issuance import IssuedWaybill, issue_batch
from parcelguard.services.waybills import view_waybill

OPERATOR = Principal(actor="test:operator", scopes=ALL_SCOPES)
CLEAN = "到了打电话，放门口鞋柜"
NAMED = "彭小军认为放门口就行，谢谢"  # a name the sequence model finds (test_free_text_modes)


def _orders(people: SyntheticPeople, description: str, remarks: str) -> list[dict[str, Any]]:
    orders = []
    for _ in range(2):
        order = people.order()
        order["parcel"]["description"] = description
        order["remarks"] = remarks
        orders.append(order)
    return orders


def test_clean_texts_are_read_once_across_batches_and_findings_every_time(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[list[str]] = []

    def recording(texts: Sequence[str]) -> list[list[Entity]]:
        read.append(list(texts))
        return detect_texts(texts)

    monkeypatch.setattr(free_text, "detect_texts", recording)
    people = SyntheticPeople(31)
    first = issue_batch(runtime.ctx, _orders(people, "书籍", CLEAN), actor="t")
    second = issue_batch(runtime.ctx, _orders(people, "书籍", NAMED), actor="t")
    third = issue_batch(runtime.ctx, _orders(people, "书籍", NAMED), actor="t")
    assert read == [["书籍", CLEAN], [NAMED], [NAMED]]
    for result in (first, second, third):
        for item in result.items:
            assert isinstance(item, IssuedWaybill)
            masked = view_waybill(runtime.ctx, item.tracking_number, principal=OPERATOR).masked
            assert masked.parcel_description == "书籍"
            assert "彭小军" not in (masked.remarks or "")
            assert "放门口" in (masked.remarks or "")


def test_another_detecting_function_starts_with_nothing_remembered(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = SyntheticPeople(32)
    issue_batch(runtime.ctx, _orders(people, "茶叶", CLEAN), actor="t")  # remembered by the real function
    read: list[list[str]] = []

    def finds_everything(texts: Sequence[str]) -> list[list[Entity]]:
        read.append(list(texts))
        return [detect_texts([NAMED])[0] for _ in texts]

    monkeypatch.setattr(free_text, "detect_texts", finds_everything)
    issue_batch(runtime.ctx, _orders(people, "茶叶", CLEAN), actor="t")
    assert read == [["茶叶", CLEAN]]  # read again: what the real function found nothing in says nothing here
