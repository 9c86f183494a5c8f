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

import pytest
from sqlalchemy import func, select

from parcelguard.adapters.db import models as m
from parcelguard.adapters.render import LabelRenderer
from parcelguard.bootstrap import Runtime
from parcelguard.domain import audit
from parcelguard.domain.label import LabelData
from parcelguard.domain.label_gate import privacy_gate
from parcelguard.services.context import ServiceContext
from parcelguard.services.labels import render_label, render_labels, resolve_label_token
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
