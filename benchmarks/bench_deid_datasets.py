"""Dataset de-identification throughput (local engine vs Dask) and FF1 / pseudonym rates.

Builds a synthetic CSV (generated people only): name, mobile, resident ID, address, age, order date,
gender, a free-text remark and an amount; the policy masks the name, pseudonymises the phone, FF1-encrypts
the ID, generalises four quasi-identifiers to k=5 and redacts the remark through the detector. It is run
once by the local engine and once by the Dask engine on a LocalCluster of ``--workers`` processes, and
both outputs are compared byte for byte.

The free-text remark goes through the real detector when ``parcelguard.domain.deid.Detector`` exists,
else through a small regex stand-in (printed in the header); ``--no-free-text`` leaves the column out.

Run: python benchmarks/bench_deid_datasets.py [--rows 100000] [--workers 2] [--quick] [--no-free-text]
Needs the ``datasets`` extra for the Dask run.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from parcelguard.adapters.crypto.ff1 import FF1
from parcelguard.adapters.crypto.pseudonym import HmacPseudonymizer
from parcelguard.adapters.datasets import DaskEngine, LocalEngine, dataset_ref
from parcelguard.adapters.db import migrate
from parcelguard.bootstrap import bootstrap
from parcelguard.config import Settings
from parcelguard.domain.anonymize import canonical_value, parse_policy
from parcelguard.domain.deid.entity import Entity, EntityType
from parcelguard.domain.pii import SyntheticPeople
from parcelguard.services.deid import deidentify_dataset
from parcelguard.services.ports import EntityDetector


class RegexDetector:
    """Stand-in used only while the real detector is absent: mobiles and two names."""

    _PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

    def detect(self, text: str) -> list[Entity]:
        found = [Entity(m.start(), m.end(), EntityType.PHONE, 0.9, "re") for m in self._PHONE.finditer(text)]
        for name in ("张伟", "李娜"):
            at = text.find(name)
            if at >= 0:
                found.append(Entity(at, at + len(name), EntityType.PERSON, 0.8, "re"))
        return sorted(found)


def detector() -> tuple[EntityDetector | None, str]:
    try:
        from parcelguard.domain.deid import Detector  # type: ignore[attr-defined,unused-ignore]  # noqa: F401
    except ImportError:
        return RegexDetector(), "regex stand-in (domain.deid.Detector not available)"
    return None, "parcelguard.domain.deid.Detector"


def write_csv(path: Path, rows: int, free_text: bool) -> None:
    people, rnd = SyntheticPeople(42), random.Random(42)
    pool = [people.person() for _ in range(min(rows, 20_000))]
    header = ["name", "phone", "id_number", "address", "age", "order_date", "gender", "amount"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*header, "remark"] if free_text else header)
        for i in range(rows):
            p = pool[i % len(pool)]
            row: list[Any] = [
                p.name,
                p.mobile,
                p.resident_id,
                p.address,
                rnd.randint(18, 80),
                f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                rnd.choice("MF"),
                f"{rnd.random() * 300:.2f}",
            ]
            if free_text:
                row.append(f"张伟留言：请联系{p.mobile}，快递放{rnd.choice(['门口', '驿站', '前台'])}，谢谢")
            writer.writerow(row)


def policy(free_text: bool) -> Any:
    columns: dict[str, Any] = {
        "name": {"type": "PERSON", "operator": "mask"},
        "phone": {"type": "PHONE", "operator": "pseudonymize"},
        "id_number": {"type": "CN_ID", "operator": "encrypt"},
        "address": {"type": "ADDRESS", "quasi_identifier": True, "generalize": "district"},
        "age": {"quasi_identifier": True, "generalize": "band5"},
        "order_date": {"quasi_identifier": True, "generalize": "month"},
        "gender": {"quasi_identifier": True},
        "amount": "keep",
    }
    if free_text:
        columns["remark"] = {"free_text": True}
    return parse_policy({"columns": columns, "k": 5, "max_suppression": 0.05})


def crypto_rates(seconds: float) -> None:
    cipher, pseudonyms = FF1(bytes(range(32))), HmacPseudonymizer(bytes(range(32)))
    for label, length in (
        ("FF1 encrypt, 8 digits (mobile)", 8),
        ("FF1 encrypt, 17 digits (resident ID)", 17),
    ):
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for i in range(500):
                cipher.encrypt(str(i).zfill(length), b"tweak")
            count += 500
        print(f"{label:<40} {count / (time.perf_counter() - started):>12,.0f} ops/s")
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for i in range(2000):
            pseudonyms.pseudonym("tenant", "PHONE", canonical_value(EntityType.PHONE, f"138{i:08d}"))
        count += 2000
    print(
        f"{'pseudonym (canonical form + HMAC)':<40} {count / (time.perf_counter() - started):>12,.0f} ops/s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="10,000 rows, shorter crypto timing")
    parser.add_argument("--no-free-text", action="store_true")
    args = parser.parse_args()
    rows = 10_000 if args.quick else args.rows
    free_text = not args.no_free_text
    found, name = detector()
    print(f"rows: {rows:,}   free text: {'yes, ' + name if free_text else 'no'}")
    crypto_rates(0.5 if args.quick else 2.0)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        runtime = bootstrap(Settings(environment="test", home=home / "home"))
        migrate.upgrade(runtime.engine)
        source = home / "in.csv"
        write_csv(source, rows, free_text)
        results = {}
        engines: list[tuple[str, Any]] = [
            ("local", LocalEngine()),
            (f"dask ({args.workers} worker processes)", DaskEngine(workers=args.workers, blocksize=4 << 20)),
        ]
        for label, engine in engines:
            out = home / f"out-{label.split()[0]}.csv"
            started = time.perf_counter()
            try:
                report = deidentify_dataset(
                    runtime.ctx,
                    engine,
                    dataset_ref(str(source)),
                    dataset_ref(str(out)),
                    policy(free_text),
                    actor="bench",
                    detector=found,
                )
            finally:
                engine.close()
            seconds = time.perf_counter() - started
            results[label] = out.read_bytes()
            k = report.recoding
            print(
                f"{label:<34} {rows / seconds:>10,.0f} rows/s  ({seconds:.2f} s, "
                f"{report.partitions} partitions, k={k.k_achieved if k else '-'}, "
                f"suppressed {report.stats.rows_suppressed})"
            )
        outputs = list(results.values())
        print("outputs identical:", all(o == outputs[0] for o in outputs))
        runtime.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
