"""The free-text part of issuance alone: own values, the detector over a batch's texts, the label gate.

``FreeTextRedactor`` as ``issue_batch`` runs it (one per batch: ``prefetch`` over the batch, then ``order``
for each order), on orders already parsed, in batches of 1,000 with 20% of orders carrying a remark of their
own; every order from a different sender (the worst case) and merchant batches (20 shops). CPU time per
order, split into ``prefetch`` (own values and the detector) and ``order`` (the label gate on the label the
waybill will print, and the masked views), beside the sequence model's own encoder calls measured in the
same run: the part no Python work can remove. The encoder's cost is per character it reads (about 13 us on
one core here, flat from 4 rows a call on: two BiGRU layers of 128 units, about 1 MFLOP a character), so
its figure per order is the characters it read per order (the batch's texts no memory answered) times that.

Run: python benchmarks/bench_free_text.py [--batches N]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from _common import LoadAverage, fresh_runtime, orders
from parcelguard.domain.order import Order, SenderCache, parse_order
from parcelguard.errors import LabelComplianceError
from parcelguard.services.free_text import FreeTextRedactor
from parcelguard.services.issuance import issue_batch

BATCH = 1000


def _timed_encoder(spent: list[float]) -> Callable[[], None]:
    """Wrap the LAC encoder call to add its CPU time to ``spent[0]`` and the characters it read to
    ``spent[1]``; returns the undo."""
    module = importlib.import_module("parcelguard.adapters.ner.lac_tagger")
    original = module.LacTagger._emissions

    def emissions(self: Any, batch: Any) -> Any:
        started = time.process_time()
        try:
            return original(self, batch)
        finally:
            spent[0] += time.process_time() - started
            spent[1] += batch.size

    module.LacTagger._emissions = emissions

    def undo() -> None:
        module.LacTagger._emissions = original

    return undo


def _run(ctx: Any, batches: list[list[Order]]) -> tuple[float, float, float, float]:
    """(prefetch, order, encoder) CPU seconds over ``batches``, and the characters the encoder read."""
    prefetch = order = 0.0
    spent = [0.0, 0.0]
    undo = _timed_encoder(spent)
    try:
        for batch in batches:
            started = time.process_time()
            redactor = FreeTextRedactor(ctx)
            redactor.prefetch(batch)
            fetched = time.process_time()
            for k, item in enumerate(batch):
                with contextlib.suppress(LabelComplianceError):  # a refused order is work too, as in a batch
                    redactor.order(item, tracking_number="PG" + str(k).zfill(13), issued_on=date(2026, 1, 1))
            order += time.process_time() - fetched
            prefetch += fetched - started
    finally:
        undo()
    return prefetch, order, spent[0], spent[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--batches", type=int, default=9, help="batches of 1,000 orders per corpus")
    args = parser.parse_args()
    count = BATCH * (args.batches + 1)
    corpora = {
        "every order from a different sender": orders(count, seed=2026),
        "merchant batches (20 shops)": orders(count, seed=2026, merchants=20),
    }
    gc.freeze()
    with fresh_runtime(None) as rt, LoadAverage() as load:
        issue_batch(rt.ctx, orders(BATCH, seed=7), actor="bench")  # the model loaded, caches warm
        for name, corpus in corpora.items():
            batches: list[list[Order]] = []
            for first in range(BATCH, count, BATCH):
                senders: SenderCache = {}
                batches.append([parse_order(raw, senders=senders) for raw in corpus[first : first + BATCH]])
            n = sum(len(batch) for batch in batches)
            prefetch, order, encoder, chars = _run(rt.ctx, batches)
            total = prefetch + order
            print(
                f"{name}: {total / n * 1e6:.1f} us CPU per order (prefetch {prefetch / n * 1e6:.1f}, "
                f"order {order / n * 1e6:.1f}); the model's encoder {encoder / n * 1e6:.1f} "
                f"({encoder / total:.0%} of it: {chars / n:.1f} characters per order at "
                f"{encoder / max(chars, 1) * 1e6:.1f} us each)"
            )
    print(load.summary())


if __name__ == "__main__":
    main()
