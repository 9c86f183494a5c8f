"""ParcelGuard's free-text PII detector against Microsoft Presidio: quality tables, throughput, speed ratio.

Both run in this one process on the same generated texts, pinned to one CPU core with BLAS threads off.
Rates come from process CPU time (time.process_time), the fair figure for "one core" on a shared machine;
wall-clock rates are printed beside them. Each detector sees each timed text once, after a warm-up on other
texts, and ParcelGuard and Presidio are timed chunk by chunk in turn, so both run under the same load.
Presidio runs on the first ``--presidio-n`` texts (default: all), and the ratio is taken on exactly those;
ParcelGuard then runs alone on the rest, so it too sees every text once.

    .venv/bin/pip install -e '.[bench]'          # Presidio + an English spaCy model, for the comparison
    .venv/bin/python benchmarks/deid/bench_deid.py [--n 2000] [--seed 1] [--vocab alt]
        [--presidio-n 2000] [--no-zh] [--errors 5] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import corpus as corpus_mod
import presidio_baseline
import score as scoring

Predict = Callable[[str], list[dict[str, Any]]]
_CHUNK = 50


def _pin_one_core() -> str:
    # Before numpy/spaCy are imported (Presidio loads lazily): their thread pools would use the second core.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned (no sched_setaffinity)"


def parcelguard_detector(mode: str = "fast") -> tuple[Predict, bool]:
    """The real Detector when it imports; else the naive stand-in, flagged so nobody quotes its figures.

    ``mode``: ``fast`` (rules) or ``accurate`` (Baidu LAC and rules; texts one by one here, unbatched)."""
    try:
        from parcelguard.domain.deid import Detector  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        from standin import StandInDetector

        return StandInDetector().detect, False
    if mode == "accurate":
        from parcelguard.adapters.ner import lac_tagger

        detector = Detector(tagger=lac_tagger())
    else:
        detector = Detector()

    def predict(text: str) -> list[dict[str, Any]]:
        return [{"type": str(e.type), "start": e.start, "end": e.end} for e in detector.detect(text)]

    return predict, True


@dataclass
class Timing:
    """CPU and wall seconds one detector spent, and what it found."""

    predictions: list[list[dict[str, Any]]] = field(default_factory=list)
    cpu: float = 0.0
    wall: float = 0.0
    texts: int = 0
    chars: int = 0

    def add(self, predict: Predict, chunk: Sequence[str]) -> None:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        found = [predict(t) for t in chunk]
        self.cpu += time.process_time() - cpu0
        self.wall += time.perf_counter() - wall0
        self.predictions += found
        self.texts += len(chunk)
        self.chars += sum(len(t) for t in chunk)

    def rates(self) -> dict[str, float]:
        return {
            "cpu_seconds": self.cpu,
            "texts": self.texts,
            "texts_per_s": self.texts / self.cpu,
            "chars_per_s": self.chars / self.cpu,
            "wall_texts_per_s": self.texts / self.wall,
        }

    def line(self, label: str) -> str:
        r = self.rates()
        return (
            f"{label:<40}{r['texts_per_s']:>9,.0f} texts/s {r['chars_per_s']:>11,.0f} chars/s  "
            f"(CPU time over {self.texts} texts; wall {r['wall_texts_per_s']:,.0f} texts/s)"
        )


def side_by_side(predictors: Sequence[Predict], texts: Sequence[str], warmup: Sequence[str]) -> list[Timing]:
    """Times each predictor once over every text, interleaved chunk by chunk.

    Interleaving puts every detector under the same load from whatever else shares the machine, and each
    text is seen once (the warm-up uses other texts), so per-text caches cannot flatter anyone.
    """
    for predict in predictors:
        for text in warmup:
            predict(text)  # lazy tables, compiled regexes, spaCy's first call
    timings = [Timing() for _ in predictors]
    for i in range(0, len(texts), _CHUNK):
        chunk = texts[i : i + _CHUNK]
        for predict, timing in zip(predictors, timings, strict=True):
            timing.add(predict, chunk)
    return timings


def _merge(a: Timing, b: Timing) -> Timing:
    return Timing(
        a.predictions + b.predictions, a.cpu + b.cpu, a.wall + b.wall, a.texts + b.texts, a.chars + b.chars
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=2000, help="texts in the generated corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vocab", choices=("main", "alt"), default="main", help="alt: a disjoint word list")
    parser.add_argument("--presidio-n", type=int, default=2000, help="texts Presidio runs on (0: skip it)")
    parser.add_argument("--no-zh", action="store_true", help="skip Presidio's blank-zh configuration")
    parser.add_argument("--errors", type=int, default=0, help="show N examples of each ParcelGuard error")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--mode", choices=("fast", "accurate"), default="fast", help="ParcelGuard's mode")
    args = parser.parse_args(argv)

    print(f"Single core: {_pin_one_core()}; BLAS threads {os.environ['OMP_NUM_THREADS']}")
    corpus = corpus_mod.generate(args.n, args.seed, args.vocab)
    st = corpus_mod.stats(corpus)
    print(
        f"Corpus: {st['texts']} texts, {st['chars']:,} chars, {st['templates']} templates, seed {args.seed}, "
        f"{args.vocab} vocabulary; {sum(st['entities'].values())} PII entities, "
        f"{sum(st['negatives'].values())} hard negatives"
    )
    texts = [ex["text"] for ex in corpus]
    warmup = [ex["text"] for ex in corpus_mod.generate(_CHUNK, args.seed + 1000, args.vocab)]
    report: dict[str, Any] = {"corpus": st}

    predict, real = parcelguard_detector(args.mode)
    who = "ParcelGuard" if real else "STAND-IN"
    name = (
        f"ParcelGuard Detector ({args.mode})"
        if real
        else "STAND-IN regex detector (parcelguard.domain.deid missing)"
    )
    if not real:
        print(
            "!! parcelguard.domain.deid.Detector does not import: these are the naive stand-in's figures !!"
        )
    configs: list[tuple[str, Predict]] = []
    if args.presidio_n and not presidio_baseline.available():
        print(
            "Presidio is not installed, so there is no comparison. Install it with: "
            + presidio_baseline.INSTALL_HINT
        )
    elif args.presidio_n:
        configs.append(("Presidio en (default + CN patterns)", presidio_baseline.english_analyzer()))
        if not args.no_zh:
            configs.append(("Presidio zh (blank spaCy + patterns)", presidio_baseline.chinese_analyzer()))
    n = min(args.presidio_n, len(texts)) if configs else 0
    # Presidio's texts first, all detectors in turn; then ParcelGuard alone on the rest: each text seen once.
    head = (
        side_by_side([predict] + [analyze for _, analyze in configs], texts[:n], warmup) if n else [Timing()]
    )
    (tail,) = side_by_side([predict], texts[n:], [] if n else warmup)
    pg = _merge(head[0], tail)
    pg_preds = {ex["id"]: p for ex, p in zip(corpus, pg.predictions, strict=True)}
    pg_score = scoring.score(corpus, pg_preds)
    print()
    print(scoring.format_report(pg_score, name))
    for line in scoring.errors(corpus, pg_preds, args.errors) if args.errors else ():
        print("  " + line)
    report["parcelguard"] = {"real_detector": real, "quality": pg_score, "speed": pg.rates()}

    rate_lines = [pg.line(f"{who}, whole corpus")]
    if configs:
        sub = corpus[:n]
        note = "the whole corpus" if n == len(corpus) else f"the first {n} texts (a subset)"
        if n != len(corpus):
            rate_lines.append(head[0].line(f"{who}, Presidio's {n} texts"))
        for (label, _), timing in zip(configs, head[1:], strict=True):
            result = scoring.score(sub, {ex["id"]: p for ex, p in zip(sub, timing.predictions, strict=True)})
            print()
            print(scoring.format_report(result, f"{label}, on {note}"))
            ratio = timing.cpu / head[0].cpu
            short = label.split(" (")[0]
            rate_lines.append(timing.line(label))
            rate_lines.append(f"{'':<40}speed ratio {who} / {short}: {ratio:,.0f}x on the same {n} texts")
            report[label] = {"quality": result, "speed": timing.rates(), "speed_ratio": ratio}
        report["parcelguard_on_presidio_texts"] = head[0].rates()
    print("\nThroughput (one core):")
    print("\n".join(rate_lines))
    en = next((v for k, v in report.items() if k.startswith("Presidio en")), None)
    if en is not None:
        print(f"Speed target {who} >= 50x Presidio (en): {'MET' if en['speed_ratio'] >= 50 else 'NOT MET'}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
