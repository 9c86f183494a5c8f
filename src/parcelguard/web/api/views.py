"""Mapping service results to API response shapes."""

from __future__ import annotations

from typing import Any

from parcelguard.domain.waybill import MaskedOrder, TrackingEvent
from parcelguard.services.issuance import BatchResult, IssuedWaybill
from parcelguard.web.api import schemas as s


def masked_read(masked: MaskedOrder) -> s.MaskedOrderRead:
    return s.MaskedOrderRead.model_validate(masked.as_dict())


def events_read(events: tuple[TrackingEvent, ...]) -> list[s.TrackingEventRead]:
    return [
        s.TrackingEventRead(
            status=e.status.value, occurred_at=e.occurred_at.isoformat(), location=e.location or None
        )
        for e in events
    ]


def batch_read(result: BatchResult) -> s.WaybillBatchRead:
    items: list[s.BatchItemRead] = []
    for item in result.items:
        if isinstance(item, IssuedWaybill):
            items.append(
                s.BatchItemRead(
                    index=item.index, tracking_number=item.tracking_number, masked=masked_read(item.masked)
                )
            )
        else:
            error: dict[str, Any] = item.error
            items.append(s.BatchItemRead(index=item.index, error=s.ErrorRead.model_validate(error)))
    return s.WaybillBatchRead(
        issued=result.issued,
        failed=len(result.items) - result.issued,
        replayed=result.replayed,
        results=items,
    )
