"""Fit the one scalar of ParcelGuard's accurate mode, the person recall bias, on TRAINING splits only.

The bias is added to Baidu LAC's person-tag scores for a second, recall-biased reading
(parcelguard.adapters.ner.lac_tagger); names found only there are accepted where their shape agrees. A larger
bias finds more names and more false alarms. The criterion follows issue 8's targets: the largest mean
PERSON recall (overlap) over the training splits such that, on every training split, precision (overlap)
stays at least that of LAC's own reading (what the jionlp + LAC peer reports). Development splits are only
reported, never used to choose.

    .venv/bin/python benchmarks/deid/tune_bias.py [--n 3000] [--biases 0,0.5,1,1.5,2,3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import real_corpora  # noqa: E402 - a script beside its helpers
from bench_real import score_persons  # noqa: E402

TRAIN = ("cluener-train", "weibo-train", "resume-train")


def _persons(tagger: Any, texts: list[str]) -> list[list[tuple[int, int, str]]]:
    from parcelguard.domain.pii.fold import fold

    out = []
    for tagging in tagger.tag_many([fold(t).text for t in texts]):
        out.append([(w.start, w.end, "PERSON") for w in tagging.words if w.tag == "PER"])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=3000, help="texts per split")
    parser.add_argument("--biases", default="0,0.5,1,1.5,2,3")
    args = parser.parse_args(argv)
    from parcelguard.adapters.ner import LacTagger
    from parcelguard.domain.deid import Detector

    sets, _ = real_corpora.load_all(real_corpora.default_root(), args.n)
    person_sets = [s for s in sets if s.kind == "person"]
    floor: dict[str, float] = {}
    plain = LacTagger(person_bias=0.0)
    for corpus in person_sets:
        found = _persons(plain, [s.text for s in corpus.samples])
        floor[corpus.name] = score_persons(corpus.samples, found)[0]["precision_overlap"]
    print("precision floor (LAC's own reading):", {k: round(v, 3) for k, v in floor.items()})
    best: tuple[float, float] | None = None
    closest: tuple[float, float] | None = None
    for bias in (float(b) for b in args.biases.split(",")):
        detector = Detector(tagger=LacTagger(person_bias=bias))
        cells = []
        recalls = []
        precisions: dict[str, float] = {}
        ok = True
        for corpus in person_sets:
            found = [
                [(e.start, e.end, e.type.value) for e in entities]
                for entities in detector.detect_many([s.text for s in corpus.samples])
            ]
            row = score_persons(corpus.samples, found)[0]
            cells.append(f"{corpus.name} R {row['recall_overlap']:.3f} P {row['precision_overlap']:.3f}")
            if corpus.name in TRAIN:
                precisions[corpus.name] = row["precision_overlap"]
                recalls.append(row["recall_overlap"])
                ok = ok and row["precision_overlap"] >= floor[corpus.name]
        mean = sum(recalls) / len(recalls)
        print(
            f"bias {bias:>4}: " + " | ".join(cells) + f"  train mean R {mean:.3f} {'ok' if ok else 'P<floor'}"
        )
        margin = min(precisions[name] - floor[name] for name in TRAIN if name in precisions)
        if ok and (best is None or mean > best[1]):
            best = (bias, mean)
        if closest is None or margin > closest[1]:
            closest = (bias, margin)
    if best is not None:
        print(f"chosen bias: {best[0]} (highest training recall at the peer's precision or above)")
    elif closest is not None:
        print(
            f"no bias keeps every training split at the peer's precision; closest: {closest[0]} "
            f"(worst split {closest[1]:+.3f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
