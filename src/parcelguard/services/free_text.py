"""Free text that arrives with an order (parcel description, remarks) is stored as the label will print it.

Customers and merchants type phone numbers, names and addresses into any box. Before an order is sealed, its
free text goes through three steps, each masking in place:

1. the order's own values (its parties' names, mobiles, ID number, house and room numbers), matched exactly
   in every spelling, independent of the detector (`parcelguard.domain.own_values`);
2. the PII detector, for personal data of anyone else;
3. the label gate, run on exactly the label this waybill will print: whatever it would still refuse in the
   free text is masked now, so a waybill that issues can always be printed. What cannot be masked (a party
   field, a character no label font draws) refuses the order with a coded LabelComplianceError.

The masked text is what screens and labels use. The original is kept, encrypted under the waybill's data key
like every other personal field, only when masking changed it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from parcelguard.domain import waybill as wb
from parcelguard.domain.anonymize import Operator, TextPolicy, ValueOperators, apply_text_policy
from parcelguard.domain.deid.entity import Entity
from parcelguard.domain.label_gate import FREE_TEXT_FIELDS, label_violations
from parcelguard.domain.order import IdDocument, Order, Party
from parcelguard.domain.own_values import OwnValues, mask_own_values, may_hold_own_values, may_hold_pinyin
from parcelguard.domain.pii.label_lint import mask_violations, raise_for
from parcelguard.domain.waybill import MaskedOrder, MaskedParty, routing_of
from parcelguard.errors import ErrorCode, LabelComplianceError
from parcelguard.services.context import ServiceContext
from parcelguard.services.deid import DEFAULT_TENANT, default_detector, detect_texts, value_operators
from parcelguard.services.labels import PENDING_QR_PAYLOAD, label_data_of

_POLICY = TextPolicy.uniform(Operator.MASK)
_MAX_MASKING_ROUNDS = 4


@dataclass(frozen=True, slots=True)
class Redacted:
    """An order as it may be shown: free text masked (``shown``), its privacy view (``masked``, the one the
    label gate passed), the originals that masking changed, by encrypted field name, and the routing code
    and text the gate read (``routing_of(shown)``, so that sealing need not work them out again)."""

    shown: Order
    masked: MaskedOrder
    originals: dict[str, str]
    routing: tuple[str, str] | None = None


class FreeTextRedactor:
    """Masks order free text; one per batch, so repeated descriptions (食品, 书籍) are scanned once, and a
    merchant's repeated sender is masked once."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._operators: ValueOperators = value_operators(ctx, DEFAULT_TENANT)
        self._seen: dict[str, str] = {}
        # By object identity (the object kept alive beside its result): a batch's parsed orders share the
        # sender's Party and IdDocument, and hashing a frozen dataclass tree would cost more than it saves.
        self._own: dict[int, tuple[Order, str, str | None]] = {}
        self._parties: dict[int, tuple[Party, MaskedParty]] = {}
        self._id_numbers: dict[int, tuple[IdDocument, str]] = {}

    def redact(self, text: str) -> str:
        """``text`` with what the detector finds masked (step 2 alone)."""
        redacted = self._seen.get(text)
        if redacted is None:
            self._detect([text])
            redacted = self._seen[text]
        return redacted

    def prefetch(self, orders: Iterable[Order]) -> None:
        """Run the detector once over the free text of all ``orders`` (a batch), so the sequence model of
        ``accurate`` mode reads them together; :meth:`order` then finds them done."""
        texts: list[str] = []
        for order in orders:
            description, remarks = self._after_own_values(order)
            texts.append(description)
            if remarks is not None:
                texts.append(remarks)
        self._detect(texts)

    def _detect(self, texts: Iterable[str]) -> None:
        todo = list(dict.fromkeys(t for t in texts if t not in self._seen))
        if not todo:
            return
        clean = _CLEAN.current(detect_texts)
        unknown: list[str] = []
        for text in todo:
            if text in clean:
                self._seen[text] = text
            else:
                unknown.append(text)
        if not unknown:
            return
        for text, found in zip(unknown, detect_texts(unknown), strict=True):
            if found:
                self._seen[text] = apply_text_policy(text, found, _POLICY, self._operators).text
            else:
                self._seen[text] = text
                _CLEAN.add(clean, text)

    def order(
        self, order: Order, *, tracking_number: str | None = None, issued_on: date | None = None
    ) -> Redacted:
        """The order as it may be shown (free text masked), its masked view, and the originals that masking
        changed.

        ``tracking_number`` and ``issued_on`` are what the label will carry (a well-formed placeholder
        number and today when not given: the gate checks a tracking number's shape, never its digits).
        Raises LabelComplianceError when the label would still leak outside the free text.
        """
        description, remarks = self._after_own_values(order)
        description = self.redact(description)
        remarks = None if remarks is None else self.redact(remarks)
        routing = routing_of(order)  # free text is no part of it: the same for the order as shown
        shown, masked = self._gated(
            _with_free_text(order, description, remarks),
            routing,
            tracking_number=tracking_number or self._placeholder_number(),
            issued_on=issued_on or self._ctx.clock().date(),
        )
        originals: dict[str, str] = {}
        if shown.parcel.description != order.parcel.description:
            originals[wb.PARCEL_DESCRIPTION_ORIGINAL] = order.parcel.description
        if order.remarks is not None and shown.remarks != order.remarks:
            originals[wb.REMARKS_ORIGINAL] = order.remarks
        return Redacted(shown, masked, originals, routing)

    def _after_own_values(self, order: Order) -> tuple[str, str | None]:
        """:func:`_after_own_values`, once per order (:meth:`prefetch` and :meth:`order` both need it)."""
        done = self._own.get(id(order))
        if done is not None and done[0] is order:
            return done[1], done[2]
        description, remarks = _after_own_values(order)
        self._own[id(order)] = (order, description, remarks)
        return description, remarks

    def _masked_party(self, party: Party) -> MaskedParty:
        done = self._parties.get(id(party))
        if done is not None and done[0] is party:
            return done[1]
        masked = MaskedParty.of(party)
        self._parties[id(party)] = (party, masked)
        return masked

    def _masked_id_number(self, document: IdDocument) -> str:
        done = self._id_numbers.get(id(document))
        if done is not None and done[0] is document:
            return done[1]
        masked = document.number.masked()
        self._id_numbers[id(document)] = (document, masked)
        return masked

    def _placeholder_number(self) -> str:
        return self._ctx.carrier_prefix + "0" * 13

    def _gated(
        self, shown: Order, routing: tuple[str, str], *, tracking_number: str, issued_on: date
    ) -> tuple[Order, MaskedOrder]:
        routing_code, routing_text = routing
        masked = MaskedOrder(
            sender=self._masked_party(shown.sender),
            sender_id_type=shown.sender_id.id_type,
            sender_id_number=self._masked_id_number(shown.sender_id),  # on screens, never on the label
            recipient=self._masked_party(shown.recipient),
            parcel_description=shown.parcel.description,
            weight_kg=shown.parcel.weight_kg,
            remarks=shown.remarks,
        )
        data = label_data_of(
            masked,
            carrier_name=self._ctx.carrier_name,
            tracking_number=tracking_number,
            routing_code=routing_code,
            routing_text=routing_text,
            qr_payload=PENDING_QR_PAYLOAD,
            issued_on=issued_on,
        )
        try:
            self._ctx.renderer.preflight(data)  # the gate and the glyph check, as a label request runs them
            return shown, masked
        except LabelComplianceError as error:
            if error.code is not ErrorCode.LABEL_NOT_COMPLIANT:
                raise
        violations = label_violations(data)
        # Masking one finding can expose another (stars next to digits read as a partly masked ID), so mask
        # until the free text is clean; anything left after that is outside the free text.
        for _ in range(_MAX_MASKING_ROUNDS):
            free = [v for v in violations if v.field in FREE_TEXT_FIELDS]
            if not free:
                break
            description = mask_violations(
                shown.parcel.description, [v for v in free if v.field == "parcel.description"]
            )
            remarks = shown.remarks
            if remarks is not None:
                remarks = mask_violations(remarks, [v for v in free if v.field == "remarks"])
            shown = _with_free_text(shown, description, remarks)
            data = dataclasses.replace(data, parcel_description=description, remarks=remarks)
            violations = label_violations(data)
        raise_for(violations)
        self._ctx.renderer.preflight(data)
        return shown, dataclasses.replace(
            masked, parcel_description=shown.parcel.description, remarks=shown.remarks
        )


_CLEAN_TEXTS = 4096
"""How many texts without a finding are remembered across batches (each at most 500 characters)."""


class _CleanTexts:
    """Free texts the detector found nothing in, remembered across batches for the detector and detecting
    function they were read with: "放门口", "到了打电话" and a shop's "书籍" come back batch after batch, and
    reading them again costs the sequence model's time for nothing.

    Only texts without a finding are kept (none holds personal data the detector can see), at most
    ``_CLEAN_TEXTS``, the oldest dropped first. A new detector (``use_tagger`` builds one) or another
    detecting function starts an empty set, so nothing read under one configuration answers for another.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[object, object] | None = None
        self._texts: dict[str, None] = {}

    def current(self, detect: Callable[[Sequence[str]], list[list[Entity]]]) -> dict[str, None]:
        """The set (a dict used as an ordered set) for today's detector and ``detect``; read it without the
        lock (a dict lookup is atomic), add to it with :meth:`add`."""
        key = (default_detector(), detect)
        with self._lock:
            if self._key is None or self._key[0] is not key[0] or self._key[1] is not key[1]:
                self._key, self._texts = key, {}
            return self._texts

    def add(self, texts: dict[str, None], text: str) -> None:
        with self._lock:
            if texts is not self._texts:  # the configuration changed meanwhile: this reading is stale
                return
            texts[text] = None
            if len(texts) > _CLEAN_TEXTS:
                del texts[next(iter(texts))]


_CLEAN = _CleanTexts()


def _after_own_values(order: Order) -> tuple[str, str | None]:
    """The order's description and remarks after step 1 (its own values masked).

    Each text is asked apart, as each is masked apart: a description's answer is read once per batch (they
    repeat), and a remark's alone."""
    description, remarks = order.parcel.description, order.remarks
    if may_hold_own_values(description, order) or (remarks and may_hold_own_values(remarks, order)):
        values = OwnValues.of(order, pinyin=may_hold_pinyin(description + "\n" + (remarks or "")))
        description = mask_own_values(description, values)
        remarks = None if remarks is None else mask_own_values(remarks, values)
    return description, remarks


def _with_free_text(order: Order, description: str, remarks: str | None) -> Order:
    if description == order.parcel.description and remarks == order.remarks:
        return order  # nothing masked, as for most orders: no copy
    return dataclasses.replace(
        order, parcel=dataclasses.replace(order.parcel, description=description), remarks=remarks
    )
