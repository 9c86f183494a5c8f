"""Two batch prints of the same waybills on PostgreSQL, with a revocation between them, must not deadlock.

Rows go in waybill order so two batches take the unique index's waits in one order, but a print that
re-stores a token (the one its first insert was skipped for was revoked before its re-read) inserts a
waybill before one it already holds. Batch A stores [w0, w2] (w0 skipped: an earlier print's token is
active), w0's token is revoked, batch B stores w0 and waits for A on w2, and A's second store of w0 waited
for B: PostgreSQL killed one of them (DeadlockDetected, a 500). Both must print, one active token each."""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select, text

from parcelguard.adapters.db import models as m
from parcelguard.bootstrap import Runtime
from parcelguard.services.labels import render_label, render_labels, revoke_label_tokens
from parcelguard.services.ports import LabelTokenRecord
from tests.integration.test_label_batches import PRINTER, _issue


class _Pauses:
    """Where batch A stops: after reading its waybills' active tokens (``read``, until ``go_store``) and
    after its first store (``stored``, until ``go_on``)."""

    def __init__(self) -> None:
        self.read, self.go_store = threading.Event(), threading.Event()
        self.stored, self.go_on = threading.Event(), threading.Event()


class _PausedTokens:
    def __init__(self, inner: Any, pauses: _Pauses) -> None:
        self._inner, self._pauses = inner, pauses

    def active_for_many(self, waybill_ids: list[str]) -> dict[str, LabelTokenRecord]:
        found: dict[str, LabelTokenRecord] = self._inner.active_for_many(waybill_ids)
        if not self._pauses.read.is_set():
            self._pauses.read.set()
            assert self._pauses.go_store.wait(30)
        return found

    def add_many(self, records: list[LabelTokenRecord]) -> list[str]:
        skipped = list(self._inner.add_many(records))
        if not self._pauses.stored.is_set():
            self._pauses.stored.set()
            assert self._pauses.go_on.wait(30)
        return skipped

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


class _PausedUow:
    def __init__(self, inner: Any, pauses: _Pauses) -> None:
        self._inner, self._pauses = inner, pauses

    def __enter__(self) -> _PausedUow:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.__exit__(*exc)

    @property
    def label_tokens(self) -> _PausedTokens:
        return _PausedTokens(self._inner.label_tokens, self._pauses)

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


def _waiting(runtime: Runtime) -> int:
    with runtime.engine.connect() as connection:
        return int(connection.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")) or 0)


@pytest.mark.postgres
def test_two_batches_and_a_revocation_between_them_do_not_deadlock(runtime: Runtime) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("row locks and deadlocks are PostgreSQL's")
    numbers = _issue(runtime, 2)
    with runtime.engine.connect() as connection:
        ids = dict(connection.execute(select(m.waybill.c.tracking_number, m.waybill.c.id)).all())
    low, high = sorted(numbers, key=ids.__getitem__)  # w0 and w2: the waybill order rows go in
    pauses = _Pauses()
    paused = dataclasses.replace(runtime.ctx, uow=lambda: _PausedUow(runtime.ctx.uow(), pauses))
    answers: dict[str, Any] = {}

    def batch(name: str, ctx: Any) -> None:
        try:
            answers[name] = render_labels(ctx, [low, high], "zpl", principal=PRINTER)
        except Exception as error:  # the test reports what either print raised
            answers[name] = error

    a = threading.Thread(target=batch, args=("a", paused))
    a.start()
    assert pauses.read.wait(30), "batch A found no active token for either waybill"
    render_label(runtime.ctx, low, "zpl", principal=PRINTER)  # another print stores w0's token first
    pauses.go_store.set()
    assert pauses.stored.wait(30), "batch A stored its tokens: w0 skipped, w2 held"
    revoke_label_tokens(runtime.ctx, low, principal=PRINTER)  # w0's token revoked before A re-reads it
    b = threading.Thread(target=batch, args=("b", runtime.ctx))
    b.start()
    deadline = time.monotonic() + 10
    while _waiting(runtime) == 0 and time.monotonic() < deadline:  # B waits for A
        time.sleep(0.02)
    assert _waiting(runtime) > 0, "batch B waits for batch A"
    pauses.go_on.set()
    a.join(60)
    b.join(60)

    assert not a.is_alive() and not b.is_alive()
    assert isinstance(answers["a"], list) and isinstance(answers["b"], list), answers
    assert answers["a"] == answers["b"], "both batches print the same labels"
    t = m.label_token.c
    with runtime.engine.connect() as connection:
        active = connection.execute(
            select(t.waybill_id, func.count()).where(t.revoked_at.is_(None)).group_by(t.waybill_id)
        ).all()
    assert sorted(count for _, count in active) == [1, 1]
