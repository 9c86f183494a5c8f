"""Labels per second through the service, as users print them, and the renderer alone beside it.

Through the service (the figure the targets apply to): ``render_label`` / ``render_label_batch`` on waybills
issued in this run from orders with remarks: fetch, decrypt, mask, the real label gate, the QR token (issued
at first print), the audit event, the commit. Targets (issue 9): ZPL >= 5,000/s, PDF and PNG >= 300/s, a
1,000-label PDF in under 2 s. Beside each format, the floor measured right after it in this run (a fetch
tracking number on the driver, AES-GCM of the data key and fields, masking by slicing, the same renderer with
no gate, an audit row, a commit) and the real gate's own CPU time per label. Then the batch path carriers
print a shift's labels with, 100 labels a call (``render_labels`` for ZPL and PNG, the multi-page
``render_label_batch`` for PDF: one transaction, each label audited, each waybill its own token), beside the
same target and the single-print rate of this run. Renderer only (labelled so):
the renderer on synthetic masked labels, once with the real gate and once with a small regex stand-in, to
show where the time goes.

Rates are labels per second of this process's CPU time (time.process_time), the fairest figure for "one core"
on a machine shared with other work; wall clock rates are printed beside them, and the load average. The
first labels of each format are printed before timing (WARM_UP, the same with --quick or --scale): fonts
load and common glyphs are cached, as in a server that has printed for a while.

Run: python benchmarks/bench_labels.py [--quick] [--scale 0.2] [--repeat 3] [--database-url URL].
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
import time
from collections.abc import Callable, Sequence
from datetime import date

from _common import (
    Floor,
    LoadAverage,
    add_database_argument,
    backend_name,
    floor_input,
    fresh_runtime,
    orders,
)
from parcelguard.adapters.render import LabelRenderer
from parcelguard.domain.access import Principal, Scope
from parcelguard.domain.label import LabelData, LabelParty
from parcelguard.domain.label_gate import privacy_gate
from parcelguard.errors import LabelComplianceError
from parcelguard.services.context import ServiceContext
from parcelguard.services.issuance import issue_batch
from parcelguard.services.labels import render_label, render_label_batch, render_labels

TARGETS = {"zpl": 5000.0, "pdf": 300.0, "pdf batch": 300.0, "png": 300.0}
BATCH_PDF_TARGET_S = 2.0
BATCH_LABELS = 1000
SHIFT_BATCH = 100
"""Labels per call on the batch path (a carrier printing a shift's labels)."""
WARM_UP = 200
"""Labels per format printed before timing, whatever the scale: the fonts load and the glyphs of common
characters are cached, as in a server that has been printing for a while. Scaled with --quick (20 labels) it
left the glyph cache cold, so the PNG figure timed the rasterising of new glyphs (a fifth of a label's time
over the next 50 labels), not printing."""
QUICK_MIN = 100
"""PDF and PNG labels timed through the service at the least, whatever the scale."""
PRINTER = Principal(actor="bench", scopes=frozenset({Scope.ADMIN}))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗欧阳司马"
PLACES = [
    ("110105", "北京 朝阳区", "北京市朝阳区建国路"),
    ("200120", "上海 浦东新区", "上海市浦东新区世纪大道"),
    ("518057", "深圳 南山区", "广东省深圳市南山区粤海街道科技园南区高新南七道"),
    ("310012", "杭州 西湖区", "浙江省杭州市西湖区文三路"),
    ("610041", "成都 武侯区", "四川省成都市武侯区天府大道北段"),
]
GOODS = ["服装 / 2 件", "图书", "电子产品配件", "日用品", "食品（干货）"]
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_DIGIT_RUN = re.compile(r"\d{7,}")


def gate(data: LabelData) -> None:
    for party in (data.recipient, data.sender):
        if "*" not in party.name or any(_DIGIT_RUN.search(s) for s in (party.phone, party.address)):
            raise LabelComplianceError("unmasked personal data")


def synthetic_labels(count: int, seed: int = 7) -> list[LabelData]:
    rnd = random.Random(seed)

    def party() -> LabelParty:
        _, _, street = rnd.choice(PLACES)
        phone = f"1{rnd.randint(30, 99)}******{rnd.randint(0, 99):02d}"
        return LabelParty(f"{rnd.choice(SURNAMES)}*", phone, f"{street}**号{rnd.choice(['', '*栋'])}****")

    labels = []
    for n in range(count):
        code, text, _ = rnd.choice(PLACES)
        labels.append(
            LabelData(
                carrier_name="ParcelGuard Express",
                tracking_number=f"PG{rnd.randrange(10**13):013d}",
                routing_code=code,
                routing_text=text,
                recipient=party(),
                sender=party(),
                qr_payload="PGT1" + "".join(rnd.choice(BASE32) for _ in range(rnd.randint(40, 56))),
                parcel_description=rnd.choice(GOODS),
                weight_kg=round(rnd.uniform(0.1, 30), 2),
                issued_on=date(2024, 5, 1 + n % 28),
            )
        )
    return labels


def measure(run: Callable[[], object], labels: int, repeat: int) -> tuple[float, float]:
    """Best of ``repeat`` runs: (labels per CPU second, labels per wall second)."""
    best_cpu, best_wall = 0.0, 0.0
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        run()
        best_cpu = max(best_cpu, labels / (time.process_time() - cpu))
        best_wall = max(best_wall, labels / (time.perf_counter() - wall))
    return best_cpu, best_wall


def issue(ctx: ServiceContext, count: int) -> list[str]:
    """``count`` fresh waybills (20% with a remark of their own), their tracking numbers."""
    numbers: list[str] = []
    corpus = orders(count, seed=99, merchants=20)
    for start in range(0, count, 1000):
        result = issue_batch(ctx, corpus[start : start + 1000], actor="bench")
        numbers.extend(getattr(item, "tracking_number", "") for item in result.items)
    return [n for n in numbers if n]


class TimedGate:
    """The real gate, timed: its CPU seconds over all the labels it checked."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def __call__(self, data: LabelData) -> None:
        start = time.process_time()
        try:
            privacy_gate(data)
        finally:
            self.seconds += time.process_time() - start
            self.calls += 1


def _no_gate(_data: LabelData) -> None:
    """The floor's renderer: drawing only (the glyph check stays, it is part of drawing)."""


def through_service(n: Callable[[int], int], server: str | None) -> bool:
    """Labels as users print them, each format beside the floor measured right after it; True when a
    target is missed."""
    # at least 100 PDF and PNG labels: with --quick, 30 PDFs (0.1 s) varied by a third between runs
    counts = {"zpl": n(5000), "pdf": max(QUICK_MIN, n(300)), "png": max(QUICK_MIN, n(500))}
    failed = False
    with fresh_runtime(server) as runtime:
        gate = TimedGate()
        ctx = dataclasses.replace(runtime.ctx, renderer=LabelRenderer(gate, fonts=runtime.ctx.renderer.fonts))
        bare = LabelRenderer(_no_gate, fonts=runtime.ctx.renderer.fonts)
        floor = Floor(runtime.engine)
        batch_labels = n(BATCH_LABELS)
        # whole batches of 100, at least one per format
        batch_counts = {f: max(SHIFT_BATCH, c // SHIFT_BATCH * SHIFT_BATCH) for f, c in counts.items()}
        warm = WARM_UP
        total = sum(counts.values()) + sum(batch_counts.values()) + batch_labels + 3 * warm
        numbers = issue(ctx, total)
        corpus = orders(total, seed=99, merchants=20)
        floor_numbers = floor.store([floor_input(o) for o in corpus])
        for fmt in ("zpl", "pdf", "png"):  # warm-up per format: fonts load, glyphs are cached
            for _ in range(warm):
                render_label(ctx, numbers.pop(), fmt, principal=PRINTER)  # type: ignore[arg-type]
                floor.print_label(floor_numbers.pop(), lambda d, f=fmt: bare.render_label(d, f))
        print(
            f"through the service ({backend_name(server)}: fetch, decrypt, mask, gate, token, audit, commit);"
            " floor: driver fetch, AES-GCM, slice-masking, the renderer without gate, audit row, commit:"
        )
        single: dict[str, float] = {}
        for fmt, count in counts.items():
            chosen, numbers = numbers[:count], numbers[count:]
            floor_chosen, floor_numbers = floor_numbers[:count], floor_numbers[count:]
            gate.seconds, gate.calls = 0.0, 0
            cpu, wall = time.process_time(), time.perf_counter()
            for number in chosen:
                render_label(ctx, number, fmt, principal=PRINTER)  # type: ignore[arg-type]
            cpu_rate = count / (time.process_time() - cpu)
            wall_rate = count / (time.perf_counter() - wall)
            gate_us = gate.seconds / max(gate.calls, 1) * 1e6
            cpu = time.process_time()
            for number in floor_chosen:
                floor.print_label(number, lambda d, f=fmt: bare.render_label(d, f))
            floor_rate = count / (time.process_time() - cpu)
            target = TARGETS[fmt]
            print(
                f"  {fmt}: {cpu_rate:,.0f}/s (target {target:,.0f}/s: {cpu_rate / target:.2f}x; "
                f"floor {floor_rate:,.0f}/s: {floor_rate / cpu_rate:.2f}x faster)  "
                f"gate {gate_us:.0f} us/label ({gate_us * cpu_rate / 1e4:.0f}% of the time)"
                f"  [wall {wall_rate:,.0f}/s, {count:,} labels]"
            )
            failed |= cpu_rate < target
            single[fmt] = cpu_rate
        print(
            f"  batches of {SHIFT_BATCH} through the service (one call, one transaction, each label audited,"
            " each waybill its own token):"
        )
        for fmt, count in batch_counts.items():
            chosen, numbers = numbers[:count], numbers[count:]
            gate.seconds, gate.calls = 0.0, 0
            cpu, wall = time.process_time(), time.perf_counter()
            for start in range(0, count, SHIFT_BATCH):
                batch = chosen[start : start + SHIFT_BATCH]
                if fmt == "pdf":  # one multi-page PDF, as POST /v1/labels/batch answers
                    render_label_batch(ctx, batch, principal=PRINTER)
                else:
                    render_labels(ctx, batch, fmt, principal=PRINTER)  # type: ignore[arg-type]
            cpu_rate = count / (time.process_time() - cpu)
            wall_rate = count / (time.perf_counter() - wall)
            gate_us = gate.seconds / max(gate.calls, 1) * 1e6
            target = TARGETS[fmt]
            print(
                f"  {fmt} batch of {SHIFT_BATCH}: {cpu_rate:,.0f}/s (target {target:,.0f}/s:"
                f" {cpu_rate / target:.2f}x; {cpu_rate / single[fmt]:.2f}x single prints)"
                f"  gate {gate_us:.0f} us/label"
                f"  [wall {wall_rate:,.0f}/s, {count:,} labels]"
            )
        chosen = numbers[:batch_labels]
        gate.seconds, gate.calls = 0.0, 0
        cpu, wall = time.process_time(), time.perf_counter()
        pdf = render_label_batch(ctx, chosen, principal=PRINTER)
        cpu_s, wall_s = time.process_time() - cpu, time.perf_counter() - wall
        gate_us = gate.seconds / max(gate.calls, 1) * 1e6
        print(
            f"  one {len(chosen):,}-label PDF: {cpu_s:.2f} s CPU, {len(chosen) / cpu_s:,.0f} labels/s"
            f" (target: 1,000 labels < {BATCH_PDF_TARGET_S:.0f} s: {cpu_s * BATCH_LABELS / len(chosen):.2f} s"
            f" per 1,000), gate {gate_us:.0f} us/label  [wall {wall_s:.2f} s, {len(pdf) / 1e6:.1f} MB]"
        )
        failed |= cpu_s * BATCH_LABELS / len(chosen) > BATCH_PDF_TARGET_S
    return failed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the label counts (e.g. 0.2)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per format; the best is reported")
    parser.add_argument("--quick", action="store_true", help="a tenth of the labels, one run per format")
    add_database_argument(parser)
    args = parser.parse_args(argv)
    if args.quick:
        args.scale, args.repeat = args.scale * 0.1, 1

    def n(count: int) -> int:
        return max(10, int(count * args.scale))

    with LoadAverage() as load:
        failed = through_service(n, args.database_url)
        renderer_only(n, args.repeat)
    print(load.summary())
    if failed:
        print("a label target is missed through the service (a figure, not a failure: see issue 9)")
    return 0


def renderer_only(n: Callable[[int], int], repeat: int) -> None:
    print("renderer only (synthetic masked labels, no database, no token, no audit):")
    for gate_name, chosen_gate in (("real gate", privacy_gate), ("regex stand-in gate", gate)):
        print(f"  with the {gate_name}:")
        _renderer_rates(LabelRenderer(chosen_gate), n, repeat)


def _renderer_rates(renderer: LabelRenderer, n: Callable[[int], int], repeat: int) -> None:
    labels = synthetic_labels(max(n(5000), 1000))
    cold = {}
    for fmt in ("zpl", "pdf", "png"):
        started = time.perf_counter()
        renderer.render_label(labels[0], fmt)
        cold[fmt] = time.perf_counter() - started

    batch = labels[: n(1000)]
    cases: dict[str, tuple[Callable[[], object], int]] = {
        "zpl": (lambda: [renderer.render_zpl(d) for d in labels[: n(5000)]], n(5000)),
        "pdf": (lambda: [renderer.render_pdf(d) for d in labels[: n(300)]], n(300)),
        "pdf batch": (lambda: renderer.render_pdf_batch(batch), len(batch)),
        "png": (lambda: [renderer.render_png(d) for d in labels[: n(500)]], n(500)),
    }
    print(
        "    first label per format (loads fonts): "
        + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in cold.items())
    )
    for name, (run, count) in cases.items():
        cpu_rate, wall_rate = measure(run, count, repeat)
        label = f"{name} ({count:,} labels)" if name == "pdf batch" else name
        print(f"    {label}: {cpu_rate:,.0f}/s  [wall {wall_rate:,.0f}/s]")


if __name__ == "__main__":
    raise SystemExit(main())
