"""Loaders for the hand-labelled public corpora in ../shared/datasets (see its README for sources and terms).

Nothing here is copied into the repository: the files are read from the folder given to :func:`load_all`
(default ``$PARCELGUARD_DATASETS`` or ``../shared/datasets`` relative to the repository root). Every loader
returns :class:`Sample` objects with end-exclusive character offsets into ``text``:

- CLUENER2020 (JSON lines, offsets inclusive at the end): ``name`` labels are persons.
- Weibo NER 2nd version (CoNLL, BIO): ``PER.NAM`` are persons (``PER.NOM`` such as 妈妈 are not names); each
  token is one character followed by a segmentation digit, which is stripped.
- Resume NER (BMES): ``NAME`` are persons.
- Customer addresses (BIO, a token may be several characters such as ``602``): the whole line is one address;
  its component spans keep their tag (``roadno``, ``roomno`` ...).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ADDRESS_PARTS", "HOUSEHOLD_DETAILS", "CorpusSet", "Sample", "default_root", "load_all"]

# Tags of the address corpus that are part of the address itself (person, assist, redundant and otherinfo
# are not: a name typed in the address line, 附近, repeated words, remarks).
ADDRESS_PARTS = frozenset(
    {
        *("country", "prov", "city", "district", "devzone", "town", "community", "road", "subroad"),
        *("roadno", "subroadno", "poi", "subpoi", "houseno", "cellno", "floorno", "roomno"),
    }
)
# The details GB/T 41833-2022 wants hidden on a label: road number, building, unit, floor, room, sub-POI.
HOUSEHOLD_DETAILS = frozenset({"roadno", "houseno", "cellno", "floorno", "roomno", "subpoi"})


@dataclass
class Sample:
    text: str
    persons: list[tuple[int, int]] = field(default_factory=list)
    # (start, end, tag) of every labelled address component; empty outside the address corpus.
    address_parts: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class CorpusSet:
    name: str
    kind: str  # "person" (names labelled in running text) or "address" (one address per line)
    samples: list[Sample]


def default_root() -> Path:
    """``$PARCELGUARD_DATASETS``, else ``../shared/datasets`` beside the repository."""
    env = os.environ.get("PARCELGUARD_DATASETS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


def _cluener(path: Path) -> Iterator[Sample]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            names = record.get("label", {}).get("name", {})
            spans = sorted({(s, e + 1) for positions in names.values() for s, e in positions})
            yield Sample(record["text"], persons=spans)


def _token_blocks(path: Path) -> Iterator[list[tuple[str, str]]]:
    """(token, tag) lists, one per blank-line separated block."""
    block: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as lines:
        for raw in lines:
            line = raw.rstrip("\n")
            if not line.strip():
                if block:
                    yield block
                block = []
                continue
            token, _, tag = line.rpartition("\t") if "\t" in line else line.rpartition(" ")
            block.append((token, tag.strip()))
    if block:
        yield block


def _spans(tokens: list[tuple[str, str]], wanted: str | None) -> tuple[str, list[tuple[int, int, str]]]:
    """Text and labelled spans from BIO/BMES tags (``wanted``: keep only this label)."""
    text = ""
    spans: list[tuple[int, int, str]] = []
    current: tuple[int, str] | None = None
    for token, tag in tokens:
        start = len(text)
        text += token
        prefix, _, label = tag.partition("-")
        if prefix in ("B", "S") or (prefix in ("I", "M", "E") and (current is None or current[1] != label)):
            if current is not None:
                spans.append((current[0], start, current[1]))
            current = (start, label) if label else None
        elif prefix == "O" or not label:
            if current is not None:
                spans.append((current[0], start, current[1]))
            current = None
        if prefix in ("E", "S") and current is not None:
            spans.append((current[0], len(text), current[1]))
            current = None
    if current is not None:
        spans.append((current[0], len(text), current[1]))
    if wanted is not None:
        spans = [s for s in spans if s[2] == wanted]
    return text, spans


def _weibo(path: Path) -> Iterator[Sample]:
    for block in _token_blocks(path):
        tokens = [
            (token[:-1] if len(token) > 1 and token[-1].isdigit() else token, tag) for token, tag in block
        ]
        text, spans = _spans(tokens, "PER.NAM")
        yield Sample(text, persons=[(s, e) for s, e, _ in spans])


def _resume(path: Path) -> Iterator[Sample]:
    for block in _token_blocks(path):
        text, spans = _spans(block, "NAME")
        yield Sample(text, persons=[(s, e) for s, e, _ in spans])


def _address(path: Path) -> Iterator[Sample]:
    for block in _token_blocks(path):
        text, spans = _spans(block, None)
        yield Sample(text, address_parts=[s for s in spans if s[2] in ADDRESS_PARTS])


_SETS = (
    ("cluener-train", "person", "cluener/train.json", _cluener),
    ("weibo-train", "person", "weibo/train.conll", _weibo),
    ("weibo-dev", "person", "weibo/dev.conll", _weibo),
    ("resume-train", "person", "resume/train.char.bmes", _resume),
    ("resume-dev", "person", "resume/dev.char.bmes", _resume),
    ("address-train", "address", "address/train.txt", _address),
    ("address-dev", "address", "address/dev.txt", _address),
)


def load_all(root: Path, limit: int | None = None) -> tuple[list[CorpusSet], list[str]]:
    """Every set under ``root`` (the first ``limit`` samples of each), and the paths that are missing."""
    sets: list[CorpusSet] = []
    missing: list[str] = []
    for name, kind, relative, loader in _SETS:
        path = root / relative
        if not path.is_file():
            missing.append(str(path))
            continue
        samples: list[Sample] = []
        for sample in loader(path):
            if sample.text:
                samples.append(sample)
            if limit is not None and len(samples) >= limit:
                break
        sets.append(CorpusSet(name, kind, samples))
    return sets, missing
