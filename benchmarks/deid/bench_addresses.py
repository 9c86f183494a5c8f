"""Address benchmark: how much of real customer addresses the detector finds, and what it wrongly calls one.

Reads ../shared/datasets (or ``--data`` / ``$PARCELGUARD_DATASETS``; loaders in real_corpora.py) and runs
ParcelGuard's :class:`~parcelguard.domain.deid.Detector` (all types, as a caller would) over:

- customer addresses (train, dev; each line is one address), printing
  - ``whole``: every character of the labelled address components (person names, ``附近``, repeated words
    and remarks are not components) lies inside ADDRESS findings: bench_real.py's ``found whole``;
  - ``one-span``: one single ADDRESS finding covers all those characters (the address is not cut in pieces);
  - ``any``: at least one component character lies inside an ADDRESS finding;
  - ``detail-addr``: the share of household-detail characters (roadno, houseno, cellno, floorno, roomno,
    subpoi) outside every ADDRESS finding, and ``detail-any``: outside every finding of any type
    (bench_real.py's ``detail readable``);
- running text whose places are labelled by hand (CLUENER ``address``; Weibo ``GPE``/``LOC``; résumés
  ``LOC``), printing every ADDRESS finding and how many overlap no labelled place: the false alarms, listed
  with their context in ``--out`` (never on stdout: the corpora hold real people's text);
- throughput of the whole detector on each set (CPU time of this process, one core).

With ``--accurate`` the detector runs in its ``accurate`` mode (what bench_real.py measures by default).
With ``--places`` the address finder is also given the LOC and ORG words of Baidu LAC (the ``accurate``
mode's model, ``parcelguard.adapters.ner``), as the detector's accurate mode does; throughput then includes
the model.

    python benchmarks/deid/bench_addresses.py [--n 2000] [--sets address-dev,cluener-train] [--misses 40]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import real_corpora  # noqa: E402 - a script beside its helpers
from real_corpora import HOUSEHOLD_DETAILS, Sample  # noqa: E402

Span = tuple[int, int]


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _covered(i: int, spans: Sequence[Span]) -> bool:
    return any(s <= i < e for s, e in spans)


def _overlaps(a: Span, spans: Sequence[Span]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def _places_cluener(path: Path) -> Iterator[tuple[str, list[Span]]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                spans = record.get("label", {}).get("address", {})
                yield record["text"], sorted({(s, e + 1) for ps in spans.values() for s, e in ps})


def _places_bio(path: Path, wanted: tuple[str, ...], weibo: bool) -> Iterator[tuple[str, list[Span]]]:
    for block in real_corpora._token_blocks(path):
        if weibo:
            block = [(t[:-1] if len(t) > 1 and t[-1].isdigit() else t, tag) for t, tag in block]
        text, spans = real_corpora._spans(block, None)
        yield text, [(s, e) for s, e, label in spans if label.split(".")[0] in wanted]


def _place_sets(root: Path) -> dict[str, Iterator[tuple[str, list[Span]]]]:
    return {
        "cluener-train": _places_cluener(root / "cluener/train.json"),
        "weibo-train": _places_bio(root / "weibo/train.conll", ("GPE", "LOC"), True),
        "weibo-dev": _places_bio(root / "weibo/dev.conll", ("GPE", "LOC"), True),
        "resume-train": _places_bio(root / "resume/train.char.bmes", ("LOC",), False),
        "resume-dev": _places_bio(root / "resume/dev.char.bmes", ("LOC",), False),
    }


Finding = tuple[int, int, str]


def _findings(texts: list[str], detect: object, places: bool) -> list[list[Finding]]:
    """The detector's findings; with ``places``, its ADDRESS findings are replaced by those of the address
    finder given the LAC model's LOC and ORG words (what the ``accurate`` mode passes it)."""
    from parcelguard.domain.deid import Detector
    from parcelguard.domain.deid.address import find_addresses
    from parcelguard.domain.pii.fold import fold

    assert isinstance(detect, Detector)
    results = [[(e.start, e.end, e.type.value) for e in found] for found in detect.detect_many(texts)]
    if not places:
        return results
    from parcelguard.adapters.ner.lac_tagger import lac_tagger

    folded = [fold(t) for t in texts]
    taggings = lac_tagger().tag_many([f.text for f in folded])
    out = []
    for f, tagging, found in zip(folded, taggings, results, strict=True):
        words = [(w.start, w.end, w.tag) for w in tagging.words if w.tag in ("LOC", "ORG")]
        offsets = f.offsets

        def back(s: int, e: int, offsets: Sequence[int] | None = offsets) -> tuple[int, int]:
            return (s, e) if offsets is None else (offsets[s], offsets[e - 1] + 1)

        addresses = [(*back(c.start, c.end), "ADDRESS") for c in find_addresses(f.text, words)]
        out.append([x for x in found if x[2] != "ADDRESS"] + addresses)
    return out


def _address_set(
    name: str, samples: list[Sample], detect: object, misses: Path, show: int, places: bool
) -> None:
    n = whole = one = anywhere = total = readable_addr = readable_any = 0
    chars_n = 0
    lines: list[str] = []
    start = time.process_time()
    results = _findings([s.text for s in samples], detect, places)
    seconds = time.process_time() - start
    for sample, found in zip(samples, results, strict=True):
        text = sample.text
        chars_n += len(text)
        addresses = [(s, e) for s, e, kind in found if kind == "ADDRESS"]
        hidden = [(s, e) for s, e, _ in found]
        chars = {i for s, e, _ in sample.address_parts for i in range(s, e) if not text[i].isspace()}
        covered = {i for i in chars if _covered(i, addresses)}
        n += 1
        ok_whole = bool(chars) and covered == chars
        whole += ok_whole
        one += bool(chars) and any(all(s <= i < e for i in chars) for s, e in addresses)
        anywhere += bool(covered)
        leaked = []
        for s, e, tag in sample.address_parts:
            if tag in HOUSEHOLD_DETAILS:
                for i in range(s, e):
                    total += 1
                    readable_addr += not _covered(i, addresses)
                    readable_any += not _covered(i, hidden)
                    if not _covered(i, addresses):
                        leaked.append(i)
        if not ok_whole or leaked:
            marked = "".join(f"[{text[s:e]}]" if (s, e) in addresses else "" for s, e in sorted(addresses))
            missing = "".join(text[i] if i in chars and i not in covered else "_" for i in range(len(text)))
            lines.append(f"{text}\t{marked}\t{missing.strip('_')}")
    (misses / f"{name}.misses.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(
        f"{name:<15} {n:>6}  whole {whole / n:.3f}  one-span {one / n:.3f}  any {anywhere / n:.3f}  "
        f"detail-addr {readable_addr / total:.3f}  detail-any {readable_any / total:.3f}  "
        f"{n / seconds:>8,.0f} texts/s {chars_n / seconds:>10,.0f} chars/s"
    )
    for line in lines[:show]:
        print("   miss:", line)


def _place_set(
    name: str, texts: list[tuple[str, list[Span]]], detect: object, out: Path, places: bool
) -> None:
    start = time.process_time()
    results = _findings([t for t, _ in texts], detect, places)
    seconds = time.process_time() - start
    pred = wrong = 0
    alarms: list[str] = []
    for (text, labelled), found in zip(texts, results, strict=True):
        for s, e, kind in found:
            if kind != "ADDRESS":
                continue
            pred += 1
            if not _overlaps((s, e), labelled):
                wrong += 1
                alarms.append(f"{text[s:e]}\t{text[max(0, s - 12) : e + 12]}")
    (out / f"{name}.address-alarms.tsv").write_text("\n".join(alarms) + "\n", encoding="utf-8")
    chars = sum(len(t) for t, _ in texts)
    precision = (pred - wrong) / pred if pred else float("nan")
    print(
        f"{name:<15} {len(texts):>6}  ADDRESS findings {pred:>5}  on no labelled place {wrong:>4}  "
        f"precision {precision:.3f}  {len(texts) / seconds:>8,.0f} texts/s {chars / seconds:>10,.0f} chars/s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--n", type=int, default=None, help="texts per set (default: all)")
    parser.add_argument("--sets", default="", help="comma list of set names (default: all)")
    parser.add_argument("--misses", type=int, default=0, help="misses to print per address set")
    parser.add_argument(
        "--accurate", action="store_true", help="the detector in accurate mode (Baidu LAC and rules)"
    )
    parser.add_argument(
        "--places", action="store_true", help="give the address finder LAC's LOC/ORG words (accurate mode)"
    )
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "parcelguard-bench-addr")
    args = parser.parse_args(argv)
    _pin_one_core()
    from parcelguard.domain.deid import Detector

    root = args.data or real_corpora.default_root()
    wanted = {s for s in args.sets.split(",") if s}
    args.out.mkdir(parents=True, exist_ok=True)
    if args.accurate:
        from parcelguard.adapters.ner import lac_tagger

        detect = Detector(tagger=lac_tagger(threads=1))
    else:
        detect = Detector()
    detect.detect("预热")
    sets, _ = real_corpora.load_all(root, args.n)
    for corpus in sets:
        if corpus.kind == "address" and (not wanted or corpus.name in wanted):
            _address_set(corpus.name, corpus.samples, detect, args.out, args.misses, args.places)
    for name, rows in _place_sets(root).items():
        if wanted and name not in wanted:
            continue
        texts = []
        for text, places in rows:
            if text:
                texts.append((text, places))
            if args.n is not None and len(texts) >= args.n:
                break
        _place_set(name, texts, detect, args.out, args.places)
    print(f"misses and false alarms: {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
