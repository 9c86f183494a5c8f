"""Seeded generator of an annotated de-identification corpus in the delivery domain.

Texts are built by concatenation while recording offsets, so gold spans are exact by construction (no
re-finding values in the text afterwards, which breaks when a value occurs twice). Each line of the output:
``{"id", "text", "entities": [{"type", "start", "end"}], "negatives": [{"kind", "start", "end"}],
"template", "class"}``; the scorer needs only id, text and entities; ``negatives`` feeds the hard-negative
count.

    python benchmarks/deid/corpus.py --out corpus.jsonl --n 2000 --seed 1 [--vocab alt]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from negatives import Negatives
from templates import AGENT_LABELS, CLASS_WEIGHTS, CUSTOMER_LABELS, TEMPLATES, Template
from values import Values
from vocab_alt import ALT_VOCAB

Example = dict[str, Any]

_ALTERNATIVE = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{([A-Za-z_]+)(?::(\w+))?\}")
_BANKS = ("中国工商银行", "招商银行", "中国建设银行", "中国农业银行", "交通银行", "中国银行", "兴业银行")


@dataclass
class _Builder:
    """Accumulates text and the spans of what was inserted."""

    parts: list[str] = field(default_factory=list)
    pos: int = 0
    entities: list[dict[str, Any]] = field(default_factory=list)
    negatives: list[dict[str, Any]] = field(default_factory=list)

    def add(self, text: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(text)
        self.pos += len(text)
        return start, self.pos

    def text(self) -> str:
        return "".join(self.parts)


class CorpusGenerator:
    """Expands templates with synthetic values; the same seed yields the same corpus, line for line."""

    def __init__(self, seed: int, vocab: str = "main") -> None:
        self.rng = random.Random(seed)
        self.values = Values(self.rng, ALT_VOCAB if vocab == "alt" else None)
        self.negatives = Negatives(self.rng)
        v = self.values
        self.entity_slots: dict[str, tuple[str, Callable[[], str]]] = {
            "NAME": ("PERSON", v.name),
            "SNAME": ("PERSON", v.surname),
            "ENAME": ("PERSON", v.en_name),
            "ELAST": ("PERSON", v.en_last),
            "MOBILE": ("PHONE", v.mobile),
            "LANDLINE": ("PHONE", v.landline),
            "PHONE": ("PHONE", lambda: v.mobile() if self.rng.random() < 0.8 else v.landline()),
            "ID": ("CN_ID", v.resident_id),
            "ADDR": ("ADDRESS", v.address),
            "EADDR": ("ADDRESS", v.en_address),
            "EMAIL": ("EMAIL", v.email),
            "CARD": ("BANK_CARD", v.bank_card),
            "PASSPORT": ("PASSPORT", v.passport),
            "PLATE": ("LICENSE_PLATE", v.plate),
            "IP": ("IP", v.ip),
        }
        self.fillers: dict[str, Callable[[], str]] = {
            "ext": lambda: str(self.rng.randint(100, 9999)),
            "bank": lambda: self.rng.choice(_BANKS),
            "n": lambda: str(self.rng.randint(2, 40)),
        }
        self.by_class: dict[str, list[Template]] = {}
        for template in TEMPLATES:
            self.by_class.setdefault(template[1], []).append(template)

    def _resolve(self, text: str) -> str:
        while (m := _ALTERNATIVE.search(text)) is not None:
            text = text[: m.start()] + self.rng.choice(m.group(1).split("|")) + text[m.end() :]
        return text

    def example(self, ident: str) -> Example:
        rng = self.rng
        cls = rng.choices(list(CLASS_WEIGHTS), weights=list(CLASS_WEIGHTS.values()))[0]
        name, _, template = rng.choice(self.by_class[cls])
        colon = "：" if rng.random() < 0.85 else ":"
        text = template.replace("$C：", rng.choice(AGENT_LABELS) + colon)
        text = text.replace("$U：", rng.choice(CUSTOMER_LABELS) + colon)
        text = self._resolve(text)
        b, bound = _Builder(), dict[str, str]()
        last = 0
        for m in _SLOT.finditer(text):
            b.add(text[last : m.start()])
            last = m.end()
            slot, key = m.group(1), m.group(2)
            if slot in self.entity_slots:
                etype, make = self.entity_slots[slot]
                value = bound.get(key) if key else None
                value = value or make()
                if key:
                    bound[key] = value
                start, end = b.add(value)
                b.entities.append({"type": etype, "start": start, "end": end})
            elif slot in self.fillers:
                b.add(self.fillers[slot]())
            else:
                start, end = b.add(self.negatives.make(slot))
                b.negatives.append({"kind": slot, "start": start, "end": end})
        b.add(text[last:])
        return {
            "id": ident,
            "text": b.text(),
            "entities": b.entities,
            "negatives": b.negatives,
            "template": name,
            "class": cls,
        }

    def generate(self, n: int, prefix: str) -> Iterator[Example]:
        for i in range(n):
            yield self.example(f"{prefix}-{i:05d}")


def generate(n: int = 2000, seed: int = 1, vocab: str = "main") -> list[Example]:
    """The corpus as a list; the benchmark calls this so it never depends on a stale file on disk."""
    prefix = f"deid-s{seed}" if vocab == "main" else f"deid-{vocab}-s{seed}"
    return list(CorpusGenerator(seed, vocab).generate(n, prefix))


def stats(corpus: list[Example]) -> dict[str, Any]:
    """Counts that say what the corpus holds, for the README and for a quick sanity look."""
    return {
        "texts": len(corpus),
        "chars": sum(len(ex["text"]) for ex in corpus),
        "templates": len({ex["template"] for ex in corpus}),
        "classes": dict(Counter(ex["class"] for ex in corpus).most_common()),
        "entities": dict(Counter(e["type"] for ex in corpus for e in ex["entities"]).most_common()),
        "negatives": dict(Counter(n["kind"] for ex in corpus for n in ex.get("negatives", [])).most_common()),
        "texts_without_pii": sum(1 for ex in corpus if not ex["entities"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, required=True, help="JSONL file to write")
    parser.add_argument("--n", type=int, default=2000, help="number of texts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vocab", choices=("main", "alt"), default="main", help="alt: a disjoint word list")
    args = parser.parse_args(argv)
    corpus = generate(args.n, args.seed, args.vocab)
    with args.out.open("w", encoding="utf-8") as fh:
        for ex in corpus:
            fh.write(json.dumps(ex, ensure_ascii=False) + "\n")
    json.dump(stats(corpus), sys.stdout, ensure_ascii=False, indent=2)
    print(f"\nwrote {len(corpus)} texts to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
