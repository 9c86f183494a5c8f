"""What every benchmark here shares: a fresh database per run (SQLite or PostgreSQL), the order corpora,
and the load average sampled while it runs (a figure from a busy 2-core machine means little without it).

The database is SQLite in a temporary folder unless ``--database-url`` or PARCELGUARD_DATABASE_URL names a
PostgreSQL server, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``: each run then creates a
database of its own on that server (``pgbench_<random>``) and drops it at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from parcelguard.adapters.db import migrate
from parcelguard.bootstrap import Runtime, bootstrap
from parcelguard.config import Settings
from parcelguard.domain.pii.synthetic import SyntheticPeople

REMARK_SHARE = 0.2
"""Issue 9: a fifth of the orders carry a remark of their own (remarks mostly do not repeat)."""

_REMARK_PARTS = (
    "放门口鞋柜",
    "到了打电话",
    "请放丰巢快递柜",
    "周末不在家，放物业",
    "送到{n}号楼下",
    "{h}点以后再送",
    "别按门铃，孩子在睡觉",
    "放{n}号快递柜",
    "联系{name}",
    "打这个电话 {mobile}",
    "收件人不在就交给{name}",
    "订单号 {order}",
    "易碎，轻拿轻放",
    "工作日{h}点前送到公司前台",
)


@dataclass
class LoadAverage:
    """The 1-minute load average sampled every second while a benchmark runs (2 cores here)."""

    samples: list[float] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> LoadAverage:
        self.samples.append(os.getloadavg()[0])
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.samples.append(os.getloadavg()[0])

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.samples.append(os.getloadavg()[0])

    def summary(self) -> str:
        s = self.samples or [os.getloadavg()[0]]
        cores = os.cpu_count() or 1
        return f"load average during the run: mean {sum(s) / len(s):.1f}, max {max(s):.1f} ({cores} cores)"


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=os.environ.get("PARCELGUARD_DATABASE_URL"),
        help="a PostgreSQL server URL (a fresh database is created on it per run); default SQLite",
    )


def backend_name(url: str | None) -> str:
    return "SQLite" if url is None or make_url(url).get_backend_name() == "sqlite" else "PostgreSQL"


@contextlib.contextmanager
def fresh_database(server_url: str | None, folder: Path) -> Iterator[str]:
    """A URL for an empty database: a SQLite file in ``folder``, or a new database on ``server_url``."""
    if server_url is None or make_url(server_url).get_backend_name() == "sqlite":
        yield f"sqlite:///{folder / f'bench-{secrets.token_hex(4)}.db'}"
        return
    name = f"pgbench_{secrets.token_hex(6)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def fresh_runtime(server_url: str | None) -> Iterator[Runtime]:
    """A bootstrapped, migrated ParcelGuard on an empty database with its own data folder and key file."""
    with tempfile.TemporaryDirectory() as home, fresh_database(server_url, Path(home)) as url:
        runtime = bootstrap(Settings(environment="test", home=Path(home), database_url=url))
        try:
            migrate.upgrade(runtime.engine)
            yield runtime
        finally:
            runtime.close()


def remark(people: SyntheticPeople, rnd: random.Random) -> str:
    """A remark of the order's own: one to three parts, some naming a person or a phone number."""
    parts = rnd.sample(_REMARK_PARTS, rnd.randint(1, 3))
    return "，".join(
        p.format(
            n=rnd.randint(1, 40),
            h=rnd.randint(8, 21),
            name=people.name(),
            mobile=people.mobile(),
            order=rnd.randrange(10**11, 10**12),
        )
        for p in parts
    )


def orders(
    count: int, *, seed: int = 2026, merchants: int = 0, remark_share: float = REMARK_SHARE
) -> list[dict[str, Any]]:
    """Synthetic orders in the API's shape; ``remark_share`` of them carry a remark of their own.

    ``merchants`` > 0: merchant batches, orders from that many shops in turn, each shop sending the same
    sender and a few descriptions of its own (descriptions repeat within a shop's batch). 0: every order from
    a different sender (the worst case).
    """
    people = SyntheticPeople(seed)
    rnd = random.Random(seed)
    shops = [people.order() for _ in range(merchants)]
    shop_goods = [[people.order()["parcel"]["description"] for _ in range(3)] for _ in range(merchants)]
    result = []
    for n in range(count):
        order = people.order()
        if merchants:
            shop = n % merchants
            order["sender"] = dict(shops[shop]["sender"])
            order["parcel"]["description"] = rnd.choice(shop_goods[shop])
        if rnd.random() < remark_share:
            order["remarks"] = remark(people, rnd)
        result.append(order)
    return result


def write_jsonl(path: Path, count: int, *, seed: int, merchants: int = 20) -> None:
    """``count`` orders as JSON lines, generated and written in chunks (memory stays small)."""
    import json

    with path.open("w", encoding="utf-8") as out:
        done = 0
        while done < count:
            chunk = min(10_000, count - done)
            for order in orders(chunk, seed=seed + done, merchants=merchants):
                out.write(json.dumps(order, ensure_ascii=False) + "\n")
            done += chunk
