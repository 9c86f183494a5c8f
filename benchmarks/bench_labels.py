"""Label rendering throughput per format, against the targets for one core.

Targets: ZPL >= 5,000 labels/s, PDF >= 200/s, PNG >= 200/s. Rates are labels per second of this process's
CPU time (time.process_time), the fairest figure for "one core" on a machine shared with other work; wall
clock rates are printed beside them. Every label differs (names, phones, addresses, tracking numbers,
tokens), so no cache is flattered by repeats, and each goes through a small regex gate like the real one.
The first label of each format is rendered before timing: it loads the fonts once per process.

Run: python benchmarks/bench_labels.py [--quick] [--scale 0.2] [--repeat 3]. Exits 1 when any rate misses
its target.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Callable, Sequence
from datetime import date

from parcelguard.adapters.render import LabelRenderer
from parcelguard.domain.label import LabelData, LabelParty
from parcelguard.errors import LabelComplianceError

TARGETS = {"zpl": 5000.0, "pdf": 200.0, "pdf batch": 200.0, "png": 200.0}
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the label counts (e.g. 0.2)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per format; the best is reported")
    parser.add_argument("--quick", action="store_true", help="a fifth of the labels, one run per format")
    args = parser.parse_args(argv)
    if args.quick:
        args.scale, args.repeat = args.scale * 0.2, 1

    def n(count: int) -> int:
        return max(10, int(count * args.scale))

    renderer = LabelRenderer(gate)
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
        "first label per format (loads fonts): "
        + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in cold.items())
    )
    failed = False
    for name, (run, count) in cases.items():
        cpu_rate, wall_rate = measure(run, count, args.repeat)
        target = TARGETS[name]
        label = f"{name} ({count:,} labels)" if name == "pdf batch" else name
        print(
            f"{label}: {cpu_rate:,.0f}/s (target {target:,.0f}/s: {cpu_rate / target:.1f}x)"
            f"  [wall {wall_rate:,.0f}/s]"
        )
        failed |= cpu_rate < target
        if cpu_rate < target:
            print(f"  {name} is BELOW its target")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
