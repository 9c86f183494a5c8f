"""What printing writes: a first print's token and every print's audit event, only once the label is drawn."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from parcelguard.adapters.db import models as m
from parcelguard.adapters.render import LabelRenderer
from parcelguard.bootstrap import Runtime
from parcelguard.domain import audit
from parcelguard.domain.access import Principal, Scope
from parcelguard.domain.label import LabelData
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.errors import ErrorCode, LabelComplianceError, ValidationError
from parcelguard.services.issuance import issue_waybill
from parcelguard.services.labels import render_label, render_label_batch

PRINTER = Principal(actor="apikey:printer", scopes=frozenset({Scope.LABEL_PRINT}))


def issued(runtime: Runtime, seed: int) -> str:
    return issue_waybill(runtime.ctx, SyntheticPeople(seed).order(), actor="t").tracking_number


def tokens_of(runtime: Runtime, number: str) -> int:
    w, t = m.waybill.c, m.label_token.c
    query = (
        select(func.count())
        .select_from(m.label_token.join(m.waybill, t.waybill_id == w.id))
        .where(w.tracking_number == number)
    )
    with runtime.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def prints_of(runtime: Runtime, number: str) -> list[str]:
    with runtime.ctx.uow() as uow:
        events = uow.audit.for_subject(number)
    return [e.details["format"] for e in events if e.action == audit.LABEL_RENDERED]


def test_a_number_listed_twice_in_a_batch_prints_twice_with_one_token(runtime: Runtime) -> None:
    first, second = issued(runtime, 31), issued(runtime, 32)
    pdf = render_label_batch(runtime.ctx, [first, second, first], principal=PRINTER)
    assert pdf.count(b"/Type /Page\n") == 3
    assert (tokens_of(runtime, first), tokens_of(runtime, second)) == (1, 1)
    assert prints_of(runtime, first) == ["pdf", "pdf"] and prints_of(runtime, second) == ["pdf"]
    render_label(runtime.ctx, first, "zpl", principal=PRINTER)
    assert tokens_of(runtime, first) == 1, "a reprint reuses the token the batch stored"
    assert prints_of(runtime, first) == ["pdf", "pdf", "zpl"]


def test_a_label_the_gate_refuses_writes_no_token_and_no_print(runtime: Runtime) -> None:
    def refuse(_data: LabelData) -> None:
        raise LabelComplianceError("refused for the test")

    ctx = dataclasses.replace(runtime.ctx, renderer=LabelRenderer(refuse, fonts=runtime.ctx.renderer.fonts))
    number = issued(runtime, 33)
    with pytest.raises(LabelComplianceError):
        render_label(ctx, number, "png", principal=PRINTER)
    with pytest.raises(LabelComplianceError):
        render_label_batch(ctx, [number], principal=PRINTER)
    assert tokens_of(runtime, number) == 0 and prints_of(runtime, number) == []


def test_an_unknown_format_writes_no_token_and_no_print(runtime: Runtime) -> None:
    number = issued(runtime, 34)
    with pytest.raises(ValidationError) as caught:
        render_label(runtime.ctx, number, "gif", principal=PRINTER)  # type: ignore[arg-type]
    assert caught.value.code == ErrorCode.INVALID_LABEL_FORMAT
    assert tokens_of(runtime, number) == 0 and prints_of(runtime, number) == []


def test_a_first_print_stores_its_token_and_its_print(runtime: Runtime) -> None:
    number = issued(runtime, 35)
    render_label(runtime.ctx, number, "pdf", principal=PRINTER)
    render_label(runtime.ctx, number, "png", principal=PRINTER)
    assert tokens_of(runtime, number) == 1
    assert prints_of(runtime, number) == ["pdf", "png"]
