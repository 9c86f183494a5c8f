"""Review of batch printing (issue 9): two first prints of one waybill that overlap both find no active
token and each issue one. Before migration 0009 both were stored, so the waybill had two active tokens and
its labels carried different QR codes. Now the database keeps one active token per waybill (a partial unique
index), the later insert is skipped, and the print that lost re-reads the winner's token and prints with it:
one active token, the same label from both prints, each print audited once, no error. On both databases."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from parcelguard.adapters.db import models as m
from parcelguard.adapters.render import LabelRenderer
from parcelguard.bootstrap import Runtime
from parcelguard.cli.common import EXIT_FAILURE, exit_code_for
from parcelguard.domain import audit
from parcelguard.domain.label import LabelData
from parcelguard.domain.label_gate import privacy_gate
from parcelguard.errors import ConflictError, ErrorCode
from parcelguard.services.context import ServiceContext
from parcelguard.services.labels import render_label, render_labels, resolve_label_token
from parcelguard.services.ports import LabelTokenRecord
from parcelguard.web.errors import status_for
from tests.integration.test_label_batches import PRINTER, SCANNER, _issue, _prints

_TOKEN = re.compile(rb"PGT1[A-Z2-7]{52}")


def _batch(ctx: ServiceContext, number: str) -> bytes:
    [label] = render_labels(ctx, [number, number], "zpl", principal=PRINTER)[:1]
    return label


def _single(ctx: ServiceContext, number: str) -> bytes:
    return render_label(ctx, number, "zpl", principal=PRINTER)


@pytest.mark.parametrize("loser", [_batch, _single], ids=["batch-loses", "single-print-loses"])
def test_overlapping_first_prints_of_a_waybill_leave_one_active_token_and_print_the_same_label(
    runtime: Runtime, loser: Callable[[ServiceContext, str], bytes]
) -> None:
    [number] = _issue(runtime, 1)
    elsewhere: list[bytes] = []
    other = threading.Thread(target=lambda: elsewhere.append(_single(runtime.ctx, number)))
    started = [False]

    def gate_then_print_elsewhere(data: LabelData) -> None:
        privacy_gate(data)
        if not started[0]:  # while this print draws, another print of the same waybill runs to its commit
            started[0] = True
            other.start()
            other.join(30)

    renderer = LabelRenderer(gate_then_print_elsewhere, fonts=runtime.ctx.renderer.fonts)
    label = loser(dataclasses.replace(runtime.ctx, renderer=renderer), number)

    assert started[0] and not other.is_alive() and len(elsewhere) == 1, "the other print ran to its commit"
    t = m.label_token.c
    with runtime.engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(m.label_token))
        active = connection.scalar(select(func.count()).where(t.revoked_at.is_(None)))
    assert (stored, active) == (1, 1), "the loser's token was never stored"
    [token] = set(_TOKEN.findall(label))
    assert _TOKEN.findall(elsewhere[0]) == [token] and label == elsewhere[0], "one QR code on both labels"
    assert resolve_label_token(runtime.ctx, token.decode(), principal=SCANNER).tracking_number == number
    printed = 3 if loser is _batch else 2  # the batch lists the number twice
    assert _prints(runtime, number) == [(audit.LABEL_RENDERED, PRINTER.actor, {"format": "zpl"})] * printed


class _SkippedInserts:
    """The label tokens of a unit of work whose first ``skips`` stores are skipped, as when another print's
    token was stored first and revoked before the re-read (PostgreSQL, Read Committed): none is active."""

    def __init__(self, inner: Any, skips: list[int]) -> None:
        self._inner = inner
        self._skips = skips

    def add_many(self, records: list[LabelTokenRecord]) -> list[str]:
        if self._skips[0] > 0:
            self._skips[0] -= 1
            return [record.waybill_id for record in records]
        return list(self._inner.add_many(records))

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


class _Uow:
    """A unit of work whose label tokens are :class:`_SkippedInserts`; everything else is the real one."""

    def __init__(self, inner: Any, skips: list[int]) -> None:
        self._inner = inner
        self._skips = skips

    def __enter__(self) -> _Uow:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.__exit__(*exc)

    @property
    def label_tokens(self) -> _SkippedInserts:
        return _SkippedInserts(self._inner.label_tokens, self._skips)

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


@pytest.mark.parametrize("print_", [_batch, _single], ids=["batch", "single-print"])
def test_a_first_print_whose_token_was_skipped_and_finds_none_active_stores_its_own_again(
    runtime: Runtime, print_: Callable[[ServiceContext, str], bytes]
) -> None:
    [number] = _issue(runtime, 1)
    skips = [2]
    ctx = dataclasses.replace(runtime.ctx, uow=lambda: _Uow(runtime.ctx.uow(), skips))

    label = print_(ctx, number)

    assert skips == [0]
    [token] = set(_TOKEN.findall(label))
    assert resolve_label_token(runtime.ctx, token.decode(), principal=SCANNER).tracking_number == number
    t = m.label_token.c
    with runtime.engine.connect() as connection:
        assert connection.scalar(select(func.count()).where(t.revoked_at.is_(None))) == 1
    assert len(_prints(runtime, number)) == (2 if print_ is _batch else 1)


@pytest.mark.parametrize("print_", [_batch, _single], ids=["batch", "single-print"])
def test_a_first_print_that_keeps_finding_no_active_token_gives_up_with_a_conflict_and_writes_nothing(
    runtime: Runtime, print_: Callable[[ServiceContext, str], bytes]
) -> None:
    [number] = _issue(runtime, 1)
    ctx = dataclasses.replace(runtime.ctx, uow=lambda: _Uow(runtime.ctx.uow(), [3]))

    with pytest.raises(ConflictError) as raised:
        print_(ctx, number)

    assert raised.value.code is ErrorCode.LABEL_TOKEN_CONFLICT
    assert status_for(raised.value.code) == 409 and exit_code_for(raised.value) == EXIT_FAILURE  # README
    with runtime.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(m.label_token)) == 0
    assert _prints(runtime, number) == []


class _LoggedTokens:
    """The label tokens of a unit of work, logging the stores and active-token reads in ``calls``."""

    def __init__(self, inner: Any, calls: list[str]) -> None:
        self._inner = inner
        self._calls = calls

    def add_many(self, records: list[LabelTokenRecord]) -> list[str]:
        self._calls.append("add_many")
        return list(self._inner.add_many(records))

    def active_for(self, waybill_id: str) -> LabelTokenRecord | None:
        self._calls.append("active_for")
        return self._inner.active_for(waybill_id)  # type: ignore[no-any-return]

    def active_for_many(self, waybill_ids: list[str]) -> dict[str, LabelTokenRecord]:
        self._calls.append("active_for_many")
        return self._inner.active_for_many(waybill_ids)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


class _LoggedUow(_Uow):
    """A unit of work whose label tokens are :class:`_LoggedTokens`; everything else is the real one."""

    def __init__(self, inner: Any, calls: list[str]) -> None:
        super().__init__(inner, [0])
        self._calls = calls

    @property
    def label_tokens(self) -> Any:
        return _LoggedTokens(self._inner.label_tokens, self._calls)


@pytest.mark.parametrize("print_", [_batch, _single], ids=["batch", "single-print"])
def test_a_first_print_that_races_nobody_reads_no_token_after_storing_its_own(
    runtime: Runtime, print_: Callable[[ServiceContext, str], bytes]
) -> None:
    [number] = _issue(runtime, 1)
    calls: list[str] = []
    ctx = dataclasses.replace(runtime.ctx, uow=lambda: _LoggedUow(runtime.ctx.uow(), calls))

    print_(ctx, number)

    read = "active_for_many" if print_ is _batch else "active_for"
    assert calls == [read, "add_many"], "add_many answers what was skipped: nothing to re-read"
    with runtime.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(m.label_token)) == 1
