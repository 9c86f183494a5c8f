"""Real-data benchmark: names and addresses in hand-labelled public corpora, ParcelGuard beside its peers.

Reads ../shared/datasets (or ``--data`` / ``$PARCELGUARD_DATASETS``; see real_corpora.py for the formats) and
prints, per data set and system:

- PERSON (CLUENER train, Weibo train/dev, résumés train/dev): precision and recall, exact and by overlap.
  Exact: a predicted span equals a labelled one. Overlap: a labelled name counts as found when any predicted
  PERSON span shares a character with it, and a predicted span counts as right when it shares one with any
  labelled name. The corpora do not label every name (吴小姐, some nicknames), so read the false alarms
  (written to ``--false-alarms``, never to stdout) before judging precision.
- ADDRESS (customer addresses train/dev; each line is one address): the share found whole (every character of
  its labelled components inside ADDRESS findings), the share found at all, and the share of household-detail
  characters (roadno, houseno, cellno, floorno, roomno, subpoi) that no finding of any type hides.
- Throughput: texts/s and chars/s, CPU time of the calling process on one core (ONNX Runtime held to one
  thread). ParcelGuard reads each set in one ``detect_many`` call (its model batches the texts, as the API,
  CLI and dataset paths do); peers take texts one by one, as their libraries do.

Systems: ParcelGuard ``accurate`` (Baidu LAC + rules, the default) and ``fast`` (rules only), then the peers.
Peers run on the first ``--peer-n`` texts of each set (Presidio is slow); every system's row says on how many
texts it was measured. ``--quick`` samples 200 texts per set (peers 100) for run_all.py. The closing table
is issue 8's: PERSON recall per set, addresses found whole and household details left readable, and the
speed targets (accurate >= 2x jionlp+LAC, fast >= 50x Presidio, chars/s).

    python benchmarks/deid/bench_real.py [--quick] [--peers lac,presidio|none] [--modes accurate,fast]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import real_corpora  # noqa: E402 - a script beside its helpers
import real_peers  # noqa: E402
from real_corpora import HOUSEHOLD_DETAILS, CorpusSet, Sample  # noqa: E402

from parcelguard.domain.pii.address_finder import clear_address_span_cache  # noqa: E402


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _overlaps(a: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else float("nan")


def _run(detect: real_peers.System, samples: list[Sample]) -> tuple[list[list[real_peers.Finding]], float]:
    start = time.process_time()
    found = detect([s.text for s in samples])
    return found, time.process_time() - start


def score_persons(
    samples: list[Sample], found: list[list[real_peers.Finding]]
) -> tuple[dict[str, Any], list[str]]:
    gold_n = pred_n = exact = gold_hit = pred_hit = 0
    alarms: list[str] = []
    for sample, findings in zip(samples, found, strict=True):
        gold = set(sample.persons)
        pred = {(s, e) for s, e, kind in findings if kind == "PERSON"}
        gold_n += len(gold)
        pred_n += len(pred)
        exact += len(gold & pred)
        gold_hit += sum(_overlaps(g, list(pred)) for g in gold)
        for p in sorted(pred):
            if _overlaps(p, list(gold)):
                pred_hit += 1
            else:
                text = sample.text
                context = text[max(0, p[0] - 12) : p[1] + 12].replace("\n", " ")
                alarms.append(f"{text[p[0] : p[1]]}\t{context}")
    return {
        "gold": gold_n,
        "pred": pred_n,
        "precision_exact": _ratio(exact, pred_n),
        "recall_exact": _ratio(exact, gold_n),
        "precision_overlap": _ratio(pred_hit, pred_n),
        "recall_overlap": _ratio(gold_hit, gold_n),
    }, alarms


def score_addresses(samples: list[Sample], found: list[list[real_peers.Finding]]) -> dict[str, Any]:
    whole = anywhere = detail_total = detail_readable = 0
    for sample, findings in zip(samples, found, strict=True):
        addresses = [(s, e) for s, e, kind in findings if kind == "ADDRESS"]
        hidden = [(s, e) for s, e, _ in findings]
        chars = {i for s, e, _ in sample.address_parts for i in range(s, e) if not sample.text[i].isspace()}
        covered = {i for i in chars if _overlaps((i, i + 1), addresses)}
        whole += bool(chars) and covered == chars
        anywhere += bool(covered)
        for s, e, tag in sample.address_parts:
            if tag in HOUSEHOLD_DETAILS:
                for i in range(s, e):
                    detail_total += 1
                    detail_readable += not _overlaps((i, i + 1), hidden)
    n = len(samples)
    return {
        "addresses": n,
        "found_whole": _ratio(whole, n),
        "found_any": _ratio(anywhere, n),
        "detail_chars": detail_total,
        "detail_readable": _ratio(detail_readable, detail_total),
    }


def _fmt(x: float) -> str:
    return "  n/a" if x != x else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--data", type=Path, default=None, help="datasets folder (default: ../shared/datasets)"
    )
    parser.add_argument("--n", type=int, default=None, help="texts per set for ParcelGuard (default: all)")
    parser.add_argument("--peer-n", type=int, default=1000, help="texts per set for each peer")
    parser.add_argument("--peers", default="lac,presidio", help="comma list of lac, presidio, or none")
    parser.add_argument("--modes", default="accurate,fast", help="ParcelGuard modes: accurate, fast")
    parser.add_argument("--quick", action="store_true", help="200 texts per set, peers 100")
    parser.add_argument("--false-alarms", type=Path, default=None, help="folder for false-alarm listings")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.peer_n = 200, 100
    _pin_one_core()

    root = args.data or real_corpora.default_root()
    sets, missing = real_corpora.load_all(root, args.n)
    if not sets:
        print(f"No data sets under {root}; give --data or PARCELGUARD_DATASETS.")
        return 1
    for path in missing:
        print(f"missing, skipped: {path}")

    systems: list[tuple[str, real_peers.System, int | None]] = [
        (f"PG {mode}", real_peers.parcelguard(mode), args.n)
        for mode in (m.strip() for m in args.modes.split(","))
        if mode in ("accurate", "fast")
    ]
    for name, detect, _ in systems:
        if name == "PG accurate":
            detect(["预热：加载模型"])  # load the model before the clock runs (once per process)
    wanted = {p.strip() for p in args.peers.split(",") if p.strip() and p.strip() != "none"}
    for peer in real_peers.peers(wanted):
        if peer.detect is None:
            print(f"peer {peer.name}: {peer.note}")
        else:
            print(f"peer {peer.name}: {peer.note}")
            systems.append((peer.name, peer.detect, args.peer_n))

    alarm_dir = args.false_alarms or Path(tempfile.gettempdir()) / "parcelguard-bench-real"
    alarm_dir.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {}
    for corpus in sets:
        _report_set(corpus, systems, alarm_dir, figures, args.peer_n if len(systems) > 2 else None)
    _summary(sets, systems, figures)
    print(f"\nFalse alarms (PERSON findings overlapping no labelled name): {alarm_dir}/<set>.<system>.tsv")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


def _report_set(
    corpus: CorpusSet,
    systems: list[tuple[str, real_peers.System, int | None]],
    alarm_dir: Path,
    figures: dict[str, Any],
    peer_n: int | None = None,
) -> None:
    print(f"\n== {corpus.name} ({len(corpus.samples)} texts) ==")
    if corpus.kind == "person":
        print(
            f"{'system':<12} {'texts':>6} {'gold':>6} {'pred':>6}  P-exact R-exact  P-overlap R-overlap"
            f"  {'texts/s':>8} {'chars/s':>10}"
        )
    else:
        print(
            f"{'system':<12} {'texts':>6}  found-whole found-any  detail-readable  "
            f"{'texts/s':>8} {'chars/s':>10}"
        )
    for name, detect, limit in systems:
        samples = corpus.samples[:limit] if limit else corpus.samples
        clear_address_span_cache()  # each system reads the texts afresh: no findings left by the one before
        found, seconds = _run(detect, samples)
        chars = sum(len(s.text) for s in samples)
        speed = {"texts_per_s": _ratio(len(samples), seconds), "chars_per_s": _ratio(chars, seconds)}
        if corpus.kind == "person":
            row, alarms = score_persons(samples, found)
            safe = name.replace("+", "_").replace(" ", "_")
            (alarm_dir / f"{corpus.name}.{safe}.tsv").write_text("\n".join(alarms) + "\n", encoding="utf-8")
            print(
                f"{name:<12} {len(samples):>6} {row['gold']:>6} {row['pred']:>6}  "
                f"{_fmt(row['precision_exact'])}   {_fmt(row['recall_exact'])}    "
                f"{_fmt(row['precision_overlap'])}     "
                f"{_fmt(row['recall_overlap'])}  {speed['texts_per_s']:>8,.0f} {speed['chars_per_s']:>10,.0f}"
            )
        else:
            row = score_addresses(samples, found)
            print(
                f"{name:<12} {len(samples):>6}  {_fmt(row['found_whole']):>11} {_fmt(row['found_any']):>9}  "
                f"{_fmt(row['detail_readable']):>15}  "
                f"{speed['texts_per_s']:>8,.0f} {speed['chars_per_s']:>10,.0f}"
            )
        figures.setdefault(corpus.name, {})[name] = {"texts": len(samples), **row, **speed}
        if peer_n and name.startswith("PG") and len(samples) > peer_n:
            # the same texts as the peers, for the targets' precision comparison
            head = samples[:peer_n]
            same = (
                score_persons(head, found[:peer_n])[0]
                if corpus.kind == "person"
                else score_addresses(head, found[:peer_n])
            )
            figures[corpus.name][name]["on_peer_texts"] = {"texts": len(head), **same}


def _summary(sets: list[CorpusSet], systems: list[tuple[str, Any, Any]], figures: dict[str, Any]) -> None:
    names = [name for name, _, _ in systems]
    print(
        "\n== Summary: PERSON recall (overlap) / precision (overlap); "
        "ADDRESS found whole / details readable =="
    )
    print(f"{'set':<15}" + "".join(f"{n:>22}" for n in names))
    for corpus in sets:
        cells = []
        for n in names:
            row = figures[corpus.name][n]
            if corpus.kind == "person":
                cells.append(f"R {_fmt(row['recall_overlap'])} P {_fmt(row['precision_overlap'])}")
            else:
                cells.append(f"W {_fmt(row['found_whole'])} D {_fmt(row['detail_readable'])}")
        print(f"{corpus.name:<15}" + "".join(f"{c:>22}" for c in cells))
    _targets(sets, names, figures)


def _speed(figures: dict[str, Any], sets: list[CorpusSet], name: str) -> float:
    """chars/s over every set, from each set's chars and seconds (a weighted mean)."""
    chars = seconds = 0.0
    for corpus in sets:
        row = figures[corpus.name].get(name)
        if row and row["chars_per_s"] == row["chars_per_s"] and row["chars_per_s"] > 0:
            n = sum(len(s.text) for s in corpus.samples[: row["texts"]])
            chars += n
            seconds += n / row["chars_per_s"]
    return chars / seconds if seconds else float("nan")


def _targets(sets: list[CorpusSet], names: list[str], figures: dict[str, Any]) -> None:
    """Issue 8's table and targets: recall >= 0.90 with precision >= the peer's; speed ratios."""
    print("\n== Issue 8: PERSON recall (overlap) | ADDRESS found whole, details readable ==")
    print(f"{'set':<15}" + "".join(f"{n:>16}" for n in names))
    peer = "jionlp+LAC" if "jionlp+LAC" in names else None
    for corpus in sets:
        cells = []
        for n in names:
            row = figures[corpus.name][n]
            if corpus.kind == "person":
                cells.append(f"{row['recall_overlap']:.0%}")
            else:
                cells.append(f"{row['found_whole']:.0%}, {row['detail_readable']:.1%}")
        print(f"{corpus.name:<15}" + "".join(f"{c:>16}" for c in cells))
    if "PG accurate" in names:
        print("\nTargets for PG accurate:")
        for corpus in sets:
            row = figures[corpus.name]["PG accurate"]
            if corpus.kind == "person":
                recall = row["recall_overlap"]
                same = row.get("on_peer_texts", row)  # precision on exactly the peer's texts
                precision = same["precision_overlap"]
                floor = figures[corpus.name][peer]["precision_overlap"] if peer else float("nan")
                met = recall >= 0.90 and (peer is None or precision >= floor)
                print(
                    f"  {corpus.name:<15} recall {recall:.3f} (>= 0.90), precision {precision:.3f} on the "
                    f"same {same['texts']} texts (peer {_fmt(floor)}; "
                    f"recall there {same['recall_overlap']:.3f}): "
                    f"{'MET' if met else 'NOT MET'}"
                )
            else:
                met = row["found_whole"] >= 0.95 and row["detail_readable"] <= 0.05
                print(
                    f"  {corpus.name:<15} found whole {row['found_whole']:.3f} (>= 0.95), details readable "
                    f"{row['detail_readable']:.3f} (<= 0.05): {'MET' if met else 'NOT MET'}"
                )
    speeds = {n: _speed(figures, sets, n) for n in names}
    print(
        "\nThroughput over all sets (chars/s, CPU, one core): "
        + ", ".join(f"{n} {v:,.0f}" for n, v in speeds.items())
    )
    if "PG accurate" in speeds and peer:
        ratio = speeds["PG accurate"] / speeds[peer]
        print(f"  accurate / jionlp+LAC: {ratio:.1f}x (target >= 2x): {'MET' if ratio >= 2 else 'NOT MET'}")
    if "PG fast" in speeds and "Presidio" in speeds:
        ratio = speeds["PG fast"] / speeds["Presidio"]
        print(f"  fast / Presidio: {ratio:,.0f}x (target >= 50x): {'MET' if ratio >= 50 else 'NOT MET'}")
    figures["throughput_chars_per_s"] = speeds


if __name__ == "__main__":
    sys.exit(main())
