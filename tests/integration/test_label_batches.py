"""Batch printing (issue 9) prints what single prints would, with the same tokens and audit events, and the
batch reads and writes behind it answer as the one-at-a-time ones do, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from parcelguard.adapters.db import models as m
from parcelguard.adapters.db.unit_of_work import SqlUnitOfWork
from parcelguard.adapters.render import LabelRenderer
from parcelguard.bootstrap import Runtime
from parcelguard.domain import audit
from parcelguard.domain.access import Principal, Scope
from parcelguard.domain.label import LabelData
from parcelguard.domain.label_gate import privacy_gate
from parcelguard.domain.organisation import CARRIER_ORGANISATION_ID, OrganisationKind
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.domain.waybill import TrackingEvent, WaybillStatus
from parcelguard.errors import ErrorCode, LabelComplianceError, NotFoundError, TokenError, ValidationError
from parcelguard.services.issuance import issue_batch
from parcelguard.services.labels import (
    render_label,
    render_label_batch,
    render_labels,
    resolve_label_token,
    revoke_label_tokens,
)
from parcelguard.services.organisations import add_organisation
from parcelguard.services.ports import LabelTokenRecord

PRINTER = Principal(actor="apikey:printer", scopes=frozenset({Scope.LABEL_PRINT}))
SCANNER = Principal(actor="apikey:scanner", scopes=frozenset({Scope.LABEL_TOKEN_RESOLVE}))
_TOKEN = re.compile(rb"PGT1[A-Z2-7]{52}")


def _issue(
    runtime: Runtime, count: int, seed: int = 5, organisation_id: int = CARRIER_ORGANISATION_ID
) -> list[str]:
    people = SyntheticPeople(seed)
    orders = [people.order() for _ in range(count)]
    result = issue_batch(runtime.ctx, orders, actor="t", organisation_id=organisation_id)
    return [item.tracking_number for item in result.items]  # type: ignore[union-attr]


def _tokens(runtime: Runtime) -> list[tuple[str, bytes, bool]]:
    """Every stored token: (tracking number, token id, revoked), in a stable order."""
    w, t = m.waybill.c, m.label_token.c
    query = select(w.tracking_number, t.token_id, t.revoked_at).select_from(
        m.label_token.join(m.waybill, t.waybill_id == w.id)
    )
    with runtime.engine.connect() as connection:
        rows = connection.execute(query).all()
    return sorted((row[0], bytes(row[1]), row[2] is not None) for row in rows)


def _prints(runtime: Runtime, number: str) -> list[tuple[str, str, dict[str, object]]]:
    with runtime.ctx.uow() as uow:
        events = uow.audit.for_subject(number)
    return [(e.action, e.actor, dict(e.details)) for e in events if e.action == audit.LABEL_RENDERED]


def _written(runtime: Runtime) -> tuple[int, int]:
    """How many label tokens and label audit events are stored."""
    with runtime.engine.connect() as connection:
        tokens = len(connection.execute(select(m.label_token.c.token_id)).all())
        a = m.audit_event.c
        printed = len(connection.execute(select(a.seq).where(a.action == audit.LABEL_RENDERED)).all())
    return tokens, printed


# -- the repositories -----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 3, 100, 130, 600])
def test_get_many_answers_as_get_does_for_each_number_at_every_padded_size(
    runtime: Runtime, count: int
) -> None:
    numbers = _issue(runtime, min(count, 40))
    with runtime.ctx.uow() as uow:  # later events on some, to see them come back in order
        for index, number in enumerate(numbers[:5]):
            sealed = uow.waybills.get(number)
            assert sealed is not None
            for hours in range(index):
                at = sealed.created_at + timedelta(hours=hours + 1)
                uow.waybills.add_event(sealed.id, TrackingEvent(WaybillStatus.IN_TRANSIT, at, f"站 {hours}"))
        uow.commit()
    unknown = [TrackingNumber.generate("ZZ").value for _ in range(max(0, count - len(numbers)))]
    asked = [*numbers, *unknown][:count]
    with runtime.ctx.uow() as uow:
        many = uow.waybills.get_many([*asked, asked[0]])  # a number asked twice comes back once
        one_by_one = [uow.waybills.get(n) for n in asked]
        by_id = [uow.waybills.get_by_id(w.id) for w in one_by_one if w is not None]
    expected = [w for w in one_by_one if w is not None]
    assert sorted(many, key=lambda w: w.tracking_number) == sorted(expected, key=lambda w: w.tracking_number)
    assert by_id == expected
    for sealed in expected:
        assert sealed.created_at.tzinfo is not None and sealed.created_at.utcoffset() == timedelta(0)
        assert all(e.occurred_at.utcoffset() == timedelta(0) for e in sealed.events)
    assert [len(w.events) for w in expected[:5]] == [1, 2, 3, 4, 5][: len(expected[:5])]


def test_get_many_of_any_list_of_numbers_is_get_of_each_known_one(runtime: Runtime) -> None:
    numbers = _issue(runtime, 30)
    unknown = [f"ZZ{n:013d}" for n in range(40)]
    with runtime.ctx.uow() as uow:  # two waybills with later events, listed in two chunks they come once
        for number in numbers[:2]:
            sealed = uow.waybills.get(number)
            assert sealed is not None
            at = sealed.created_at + timedelta(hours=1)
            uow.waybills.add_event(sealed.id, TrackingEvent(WaybillStatus.PICKED_UP, at, "上海 浦东新区"))
        uow.commit()

    listed = st.sampled_from([*numbers, *unknown])

    # small lists, and lists over one chunk of 500 with the two waybills with events in both chunks
    @settings(max_examples=25, deadline=None)
    @given(
        asked=st.lists(listed, max_size=40)
        | st.lists(listed, min_size=500, max_size=700).map(lambda drawn: [*numbers[:2], *drawn, *numbers[:2]])
    )
    def check(asked: list[str]) -> None:  # the examples only read the database
        with runtime.ctx.uow() as uow:
            many = uow.waybills.get_many(asked)
            expected = {n: uow.waybills.get(n) for n in asked}
        assert len(many) == len({w.tracking_number for w in many})
        assert {w.tracking_number: w for w in many} == {n: w for n, w in expected.items() if w is not None}

    check()


def test_get_many_of_nothing_known_is_empty_and_get_by_id_of_an_unknown_id_is_none(runtime: Runtime) -> None:
    with runtime.ctx.uow() as uow:
        assert uow.waybills.get_many([TrackingNumber.generate("ZZ").value]) == []
        assert uow.waybills.get_many([]) == []
        assert uow.waybills.get_by_id("0" * 32) is None


def test_active_for_many_answers_as_active_for_does_across_chunks(runtime: Runtime) -> None:
    numbers = _issue(runtime, 12)
    now = datetime.now(UTC)
    with runtime.ctx.uow() as uow:
        ids = [w.id for w in uow.waybills.get_many(numbers)]
        records, skipped = [], []
        for index, waybill_id in enumerate(ids):
            # none, one, one revoked, a revoked one and a newer active one, two active ones offered at once
            kind = index % 5
            if kind == 0:
                continue
            revoked = now if kind in (2, 3) else None
            records.append(LabelTokenRecord(bytes([index, 1]) * 8, waybill_id, now, revoked))
            if kind == 3:
                records.append(LabelTokenRecord(bytes([index, 2]) * 8, waybill_id, now + timedelta(1), None))
            if kind == 4:  # one active token per waybill: the second is not stored, and not an error
                skipped.append(LabelTokenRecord(bytes([index, 2]) * 8, waybill_id, now + timedelta(1), None))
        uow.label_tokens.add_many([*records, *skipped])
        uow.label_tokens.add_many([])
        uow.commit()
    asked = [*ids, *(f"{n:032x}" for n in range(1000)), ids[3]]  # three chunks, unknown ids, one twice
    with runtime.ctx.uow() as uow:
        many = uow.label_tokens.active_for_many(asked)
        single = {i: uow.label_tokens.active_for(i) for i in ids}
        stored = [uow.label_tokens.get(r.token_id) for r in records]
    assert many == {i: r for i, r in single.items() if r is not None}
    assert [i for i in ids if i in many] == [i for n, i in enumerate(ids) if n % 5 in (1, 3, 4)]
    assert many[ids[3]].token_id == bytes([3, 2]) * 8 and many[ids[4]].token_id == bytes([4, 1]) * 8
    assert stored == records
    with runtime.ctx.uow() as uow:
        assert [uow.label_tokens.get(r.token_id) for r in skipped] == [None] * len(skipped)


# -- batch printing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["zpl", "png", "pdf"])
def test_a_batch_prints_the_labels_tokens_and_audit_events_of_single_prints(
    runtime: Runtime, fmt: str
) -> None:
    numbers = _issue(runtime, 6)
    render_label(runtime.ctx, numbers[1], "zpl", principal=PRINTER)  # one already printed: its token is kept
    before = _tokens(runtime)
    asked = [numbers[0], numbers[1], numbers[2], numbers[0], numbers[3], numbers[4], numbers[5]]
    labels = render_labels(runtime.ctx, asked, fmt, principal=PRINTER)  # type: ignore[arg-type]
    tokens = _tokens(runtime)
    assert [t for t in tokens if t[0] == numbers[1]] == [t for t in before if t[0] == numbers[1]]
    assert sorted(t[0] for t in tokens) == sorted(numbers), "one token for each waybill, however often"
    assert not any(revoked for *_, revoked in tokens)
    for number in numbers:
        earlier = [(audit.LABEL_RENDERED, PRINTER.actor, {"format": "zpl"})] if number == numbers[1] else []
        printed = [(audit.LABEL_RENDERED, PRINTER.actor, {"format": fmt})] * asked.count(number)
        assert _prints(runtime, number) == earlier + printed
    # A reprint carries the token the batch printed: the single print of each number is the very same label
    # (PDFs differ only in their creation date and document id, so they are compared by their token).
    for number, label in zip(asked, labels, strict=True):
        again = render_label(runtime.ctx, number, fmt, principal=PRINTER)  # type: ignore[arg-type]
        if fmt == "pdf":
            assert label.startswith(b"%PDF") and again.startswith(b"%PDF")
        else:
            assert label == again
    assert _tokens(runtime) == tokens


def test_zpl_batch_labels_carry_tokens_that_resolve_to_their_own_waybills(runtime: Runtime) -> None:
    numbers = _issue(runtime, 4)
    labels = render_labels(runtime.ctx, numbers, "zpl", principal=PRINTER)
    texts = [_TOKEN.findall(label) for label in labels]
    assert all(len(found) == 1 for found in texts)
    for number, (token,) in zip(numbers, texts, strict=True):
        assert resolve_label_token(runtime.ctx, token.decode(), principal=SCANNER).tracking_number == number
    assert len(set(texts[0] + texts[1] + texts[2] + texts[3])) == 4


def test_a_revoked_token_is_replaced_by_the_next_batch_and_stays_revoked(runtime: Runtime) -> None:
    numbers = _issue(runtime, 2)
    (first,) = _TOKEN.findall(render_labels(runtime.ctx, numbers[:1], "zpl", principal=PRINTER)[0])
    assert revoke_label_tokens(runtime.ctx, numbers[0], principal=PRINTER) == 1
    labels = render_labels(runtime.ctx, numbers, "zpl", principal=PRINTER)
    (second,) = _TOKEN.findall(labels[0])
    assert second != first
    assert [revoked for n, _, revoked in _tokens(runtime) if n == numbers[0]].count(True) == 1
    with pytest.raises(TokenError) as caught:
        resolve_label_token(runtime.ctx, first.decode(), principal=SCANNER)
    assert caught.value.code is ErrorCode.TOKEN_REVOKED
    assert resolve_label_token(runtime.ctx, second.decode(), principal=SCANNER).tracking_number == numbers[0]


def test_a_batch_with_one_refused_label_writes_nothing_at_all(runtime: Runtime) -> None:
    numbers = _issue(runtime, 3)
    render_label(runtime.ctx, numbers[0], "zpl", principal=PRINTER)
    written = _written(runtime)

    def refuse_the_last(data: LabelData) -> None:
        privacy_gate(data)
        if data.tracking_number == numbers[2]:
            raise LabelComplianceError("refused for the test")

    renderer = LabelRenderer(refuse_the_last, fonts=runtime.ctx.renderer.fonts)
    ctx = dataclasses.replace(runtime.ctx, renderer=renderer)
    for fmt in ("zpl", "png", "pdf"):
        with pytest.raises(LabelComplianceError):
            render_labels(ctx, numbers, fmt, principal=PRINTER)
    with pytest.raises(LabelComplianceError):
        render_label_batch(ctx, numbers, principal=PRINTER)
    assert _written(runtime) == written


def test_a_batch_with_an_unknown_or_another_tenants_number_writes_nothing(runtime: Runtime) -> None:
    shop = add_organisation(runtime.ctx, actor="t", name="shop", kind=OrganisationKind.PLATFORM)
    ours = _issue(runtime, 2)
    theirs = _issue(runtime, 1, seed=6, organisation_id=shop.id)
    platform = Principal(
        actor="apikey:shop",
        scopes=frozenset({Scope.LABEL_PRINT}),
        organisation_id=shop.id,
        organisation_kind=OrganisationKind.PLATFORM,
    )
    written = _written(runtime)
    for asked, principal in (
        ([*ours, TrackingNumber.generate("ZZ").value], PRINTER),
        ([*theirs, ours[0]], platform),
    ):
        with pytest.raises(NotFoundError) as caught:
            render_labels(runtime.ctx, asked, "zpl", principal=principal)
        assert caught.value.code is ErrorCode.WAYBILL_NOT_FOUND
    assert _written(runtime) == written
    assert len(render_labels(runtime.ctx, theirs, "zpl", principal=platform)) == 1


def test_a_batch_is_checked_before_anything_is_read(runtime: Runtime) -> None:
    (number,) = _issue(runtime, 1)
    for asked, code, field in (
        ([], ErrorCode.BATCH_TOO_LARGE, "tracking_numbers"),
        ([number] * 1001, ErrorCode.BATCH_TOO_LARGE, "tracking_numbers"),
        ([number, "not a number"], ErrorCode.INVALID_TRACKING_NUMBER, "tracking_numbers.1"),
    ):
        with pytest.raises(ValidationError) as caught:
            render_labels(runtime.ctx, asked, "zpl", principal=PRINTER)
        assert (caught.value.code, caught.value.field) == (code, field)
    with pytest.raises(ValidationError) as bad_format:
        render_labels(runtime.ctx, [number], "gif", principal=PRINTER)  # type: ignore[arg-type]
    assert bad_format.value.code is ErrorCode.INVALID_LABEL_FORMAT
    assert _written(runtime) == (0, 0)


# -- the unit of work -----------------------------------------------------------------------------------


def test_repositories_exist_only_inside_their_unit_of_work(runtime: Runtime) -> None:
    uow = SqlUnitOfWork(runtime.engine)
    with pytest.raises(RuntimeError):
        _ = uow.waybills
    with uow:
        first = uow.waybills
        assert uow.waybills is first and uow.label_tokens is not None
    with pytest.raises(RuntimeError):
        _ = uow.label_tokens
    with uow:
        assert uow.waybills is not first, "a new unit of work binds new repositories to its connection"
