"""Free text that arrives with an order (parcel description, remarks) is stored redacted.

Customers and merchants type phone numbers, names and addresses into any box. Before an order is sealed, every
free-text field goes through the PII detector and each finding is masked the way a label would show it; the
masked text is what screens and labels use. The original is kept, encrypted under the waybill's data key like
every other personal field, only when redaction changed it.
"""

from __future__ import annotations

import dataclasses

from parcelguard.domain import waybill as wb
from parcelguard.domain.anonymize import Operator, TextPolicy, ValueOperators, apply_text_policy
from parcelguard.domain.order import Order
from parcelguard.services.context import ServiceContext
from parcelguard.services.deid import DEFAULT_TENANT, detect_text, value_operators

_POLICY = TextPolicy.uniform(Operator.MASK)


class FreeTextRedactor:
    """Redacts order free text; one per batch, so repeated descriptions (食品, 书籍) are scanned once."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._operators: ValueOperators = value_operators(ctx, DEFAULT_TENANT)
        self._seen: dict[str, str] = {}

    def redact(self, text: str) -> str:
        redacted = self._seen.get(text)
        if redacted is None:
            redacted = apply_text_policy(text, detect_text(text), _POLICY, self._operators).text
            self._seen[text] = redacted
        return redacted

    def order(self, order: Order) -> tuple[Order, dict[str, str]]:
        """The order as it may be shown (free text redacted) and the originals that redaction changed."""
        originals: dict[str, str] = {}
        description = self.redact(order.parcel.description)
        if description != order.parcel.description:
            originals[wb.PARCEL_DESCRIPTION_ORIGINAL] = order.parcel.description
        remarks = None
        if order.remarks is not None:
            remarks = self.redact(order.remarks)
            if remarks != order.remarks:
                originals[wb.REMARKS_ORIGINAL] = order.remarks
        shown = dataclasses.replace(
            order, parcel=dataclasses.replace(order.parcel, description=description), remarks=remarks
        )
        return shown, originals
