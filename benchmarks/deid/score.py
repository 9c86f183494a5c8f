"""Scores free-text PII findings against the gold spans of a corpus.

Matching rule (the same for every detector scored here):
- a gold entity is FOUND when one prediction of the same type overlaps at least 50% of the gold span's
  characters (so a prediction may be longer or shorter than the gold span, and ``王`` in ``王先生`` is found
  by a prediction covering ``王先生``); recall = found / gold, per type;
- a prediction is CORRECT when it overlaps any gold entity of its own type by at least one character;
  every other prediction is a false positive; precision = correct / predictions, per type;
- LEFT READABLE = share of gold PII characters (whitespace not counted) that no prediction of any type
  covers: what a reader still sees after redacting everything the detector found, whatever it called it;
- HARD NEGATIVES HIT = share of hard-negative characters (tracking numbers, amounts, dates ...) that some
  prediction covers, and how many of those strings were touched at all.

    python benchmarks/deid/score.py --corpus corpus.jsonl --pred predictions.jsonl

where each prediction line is ``{"id": ..., "entities": [{"type", "start", "end"}, ...]}`` (the output of
``parcelguard deid detect``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

TYPES = ("PERSON", "PHONE", "CN_ID", "ADDRESS", "EMAIL", "BANK_CARD", "PASSPORT", "LICENSE_PLATE", "IP")
TARGET_RECALL = 0.98
TARGET_PRECISION = 0.95
TARGET_READABLE = 0.005

Span = Mapping[str, Any]
Example = Mapping[str, Any]


def _overlap(a: Span, b: Span) -> int:
    return max(0, int(min(a["end"], b["end"])) - int(max(a["start"], b["start"])))


def _covered(spans: Iterable[Span], length: int) -> list[bool]:
    mask = [False] * length
    for s in spans:
        for i in range(max(0, s["start"]), min(length, s["end"])):
            mask[i] = True
    return mask


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def score(corpus: Sequence[Example], predictions: Mapping[str, Sequence[Span]]) -> dict[str, Any]:
    """Per-type precision/recall/F1, the readable share and hard-negative hits; see the module docstring."""
    gold_n: Counter[str] = Counter()
    found: Counter[str] = Counter()
    pred_n: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    pii_chars = readable = neg_chars = neg_covered = neg_touched = neg_total = 0
    class_chars: Counter[str] = Counter()
    class_readable: Counter[str] = Counter()
    neg_kind_touched: Counter[str] = Counter()
    for ex in corpus:
        text: str = ex["text"]
        golds: list[Span] = ex["entities"]
        preds = predictions.get(ex["id"], ())
        for g in golds:
            gold_n[g["type"]] += 1
            need = 0.5 * (g["end"] - g["start"])
            if any(p["type"] == g["type"] and _overlap(p, g) >= need for p in preds):
                found[g["type"]] += 1
        for p in preds:
            pred_n[p["type"]] += 1
            if any(g["type"] == p["type"] and _overlap(p, g) > 0 for g in golds):
                correct[p["type"]] += 1
        mask = _covered(preds, len(text))
        for g in golds:
            for i in range(g["start"], g["end"]):
                if text[i].isspace():
                    continue
                pii_chars += 1
                class_chars[ex.get("class", "-")] += 1
                if not mask[i]:
                    readable += 1
                    class_readable[ex.get("class", "-")] += 1
        for n in ex.get("negatives", ()):
            neg_total += 1
            hit = [mask[i] for i in range(n["start"], n["end"]) if not text[i].isspace()]
            neg_chars += len(hit)
            neg_covered += sum(hit)
            if any(hit):
                neg_touched += 1
                neg_kind_touched[n["kind"]] += 1
    per_type: dict[str, dict[str, Any]] = {}
    for t in sorted(set(TYPES) | set(gold_n) | set(pred_n), key=lambda t: (t not in TYPES, t)):
        prec, rec = _ratio(correct[t], pred_n[t]), _ratio(found[t], gold_n[t])
        f1 = (
            2 * prec * rec / (prec + rec) if prec is not None and rec is not None and prec + rec > 0 else None
        )
        per_type[t] = {
            "gold": gold_n[t],
            "found": found[t],
            "pred": pred_n[t],
            "precision": prec,
            "recall": rec,
            "f1": f1,
        }
    mp = _ratio(sum(correct.values()), sum(pred_n.values()))
    mr = _ratio(sum(found.values()), sum(gold_n.values()))
    share = _ratio(readable, pii_chars)
    meets = share is not None and share <= TARGET_READABLE
    for t, row in per_type.items():
        if row["gold"] and (
            (row["recall"] or 0) < TARGET_RECALL
            or row["precision"] is None
            or row["precision"] < TARGET_PRECISION
        ):
            meets = False
        if not row["gold"] and row["pred"] and t in TYPES:
            meets = False
    return {
        "texts": len(corpus),
        "per_type": per_type,
        "micro": {
            "precision": mp,
            "recall": mr,
            "f1": 2 * mp * mr / (mp + mr) if mp is not None and mr is not None and mp + mr > 0 else None,
        },
        "pii_chars": pii_chars,
        "readable_chars": readable,
        "readable_share": share,
        "readable_by_class": {c: class_readable[c] / n for c, n in sorted(class_chars.items())},
        "negative_chars": neg_chars,
        "negative_chars_covered": neg_covered,
        "negative_share_covered": _ratio(neg_covered, neg_chars),
        "negatives_total": neg_total,
        "negatives_touched": neg_touched,
        "negatives_touched_by_kind": dict(neg_kind_touched.most_common()),
        "meets_targets": meets,
    }


def _fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "-"
    return f"{100 * x:.2f}%" if pct else f"{x:.3f}"


def format_report(result: Mapping[str, Any], title: str) -> str:
    """A plain-text table with the targets beside the figures."""
    lines = [
        f"== {title}: {result['texts']} texts ==",
        f"{'type':<14}{'gold':>6}{'found':>7}{'pred':>7}{'precision':>11}{'recall':>9}{'F1':>8}  target",
    ]
    others: dict[str, int] = {}
    for t, row in result["per_type"].items():
        if not row["gold"] and not row["pred"]:
            continue
        if t not in TYPES and not row["gold"]:
            others[t] = row["pred"]
            continue
        ok = (
            row["gold"] > 0
            and (row["recall"] or 0) >= TARGET_RECALL
            and (row["precision"] or 0) >= TARGET_PRECISION
        )
        lines.append(
            f"{t:<14}{row['gold']:>6}{row['found']:>7}{row['pred']:>7}{_fmt(row['precision']):>11}"
            f"{_fmt(row['recall']):>9}{_fmt(row['f1']):>8}  {'ok' if ok else 'MISS'}"
        )
    if others:
        lines.append(f"other labels, no PII type (they still hide characters): {_kinds(others)}")
    m = result["micro"]
    lines.append(f"{'(all types)':<34}{_fmt(m['precision']):>11}{_fmt(m['recall']):>9}{_fmt(m['f1']):>8}")
    share = result["readable_share"]
    lines.append(
        f"PII characters left readable: {_fmt(share, pct=True)} ({result['readable_chars']} of "
        f"{result['pii_chars']}); target <= {100 * TARGET_READABLE:.1f}%  "
        f"{'ok' if share is not None and share <= TARGET_READABLE else 'MISS'}"
    )
    by_class = ", ".join(f"{c} {_fmt(v, pct=True)}" for c, v in result["readable_by_class"].items())
    lines.append(f"  readable by text class: {by_class}")
    lines.append(
        f"Hard negatives: {_fmt(result['negative_share_covered'], pct=True)} of their characters covered, "
        f"{result['negatives_touched']} of {result['negatives_total']} strings touched"
        + (f" ({_kinds(result['negatives_touched_by_kind'])})" if result["negatives_touched"] else "")
    )
    lines.append(
        f"Targets (recall >= {TARGET_RECALL}, precision >= {TARGET_PRECISION} for every type, readable <= "
        f"{100 * TARGET_READABLE:.1f}%): {'MET' if result['meets_targets'] else 'NOT MET'}"
    )
    return "\n".join(lines)


def _kinds(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items())


def errors(
    corpus: Sequence[Example], predictions: Mapping[str, Sequence[Span]], limit: int = 10
) -> list[str]:
    """Examples of misses and false positives, to see what a detector gets wrong (synthetic text only)."""
    out: list[str] = []
    per_kind: defaultdict[str, int] = defaultdict(int)
    for ex in corpus:
        text, preds = ex["text"], predictions.get(ex["id"], ())
        for g in ex["entities"]:
            need = 0.5 * (g["end"] - g["start"])
            if not any(p["type"] == g["type"] and _overlap(p, g) >= need for p in preds):
                key = f"miss {g['type']}"
                if per_kind[key] < limit:
                    got = [f"{p['type']}:{text[p['start'] : p['end']]}" for p in preds if _overlap(p, g)]
                    out.append(f"{key}: {text[g['start'] : g['end']]!r} got {got} in {ex['id']}")
                per_kind[key] += 1
        for p in preds:
            if not any(g["type"] == p["type"] and _overlap(p, g) > 0 for g in ex["entities"]):
                key = f"false {p['type']}"
                if per_kind[key] < limit:
                    out.append(f"{key}: {text[p['start'] : p['end']]!r} in {ex['id']}")
                per_kind[key] += 1
    return out


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score PII predictions against a gold corpus.")
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--pred", type=Path, required=True)
    parser.add_argument("--errors", type=int, default=0, help="show up to N examples of each kind of error")
    args = parser.parse_args(argv)
    corpus = load_jsonl(args.corpus)
    preds = {row["id"]: row["entities"] for row in load_jsonl(args.pred)}
    result = score(corpus, preds)
    print(format_report(result, args.pred.name))
    for line in errors(corpus, preds, args.errors) if args.errors else ():
        print(line)
    return 0 if result["meets_targets"] else 1


if __name__ == "__main__":
    sys.exit(main())
