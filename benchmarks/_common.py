"""What every benchmark here shares: a fresh database per run (SQLite or PostgreSQL), the order corpora,
and the load average sampled while it runs (a figure from a busy 2-core machine means little without it).

It also holds the physical floor every benchmark prints its ratio to, measured in the same run: bare
``cryptography`` AES-GCM for the personal fields and a wrapped data key, HMAC-SHA256 blind indexes, and an
executemany of the same rows and audit rows into the real schema (``Floor``); for labels, a fetch by tracking
number on the driver, the same decryption, the renderer with no gate, an audit row and a commit.

The database is SQLite in a temporary folder unless ``--database-url`` or PARCELGUARD_DATABASE_URL names a
PostgreSQL server, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``: each run then creates a
database of its own on that server (``pgbench_<random>``) and drops it at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import json
import os
import random
import secrets
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from parcelguard.adapters.db import migrate
from parcelguard.adapters.db import models as m
from parcelguard.adapters.db.bulk import bulk_insert
from parcelguard.bootstrap import Runtime, bootstrap
from parcelguard.config import Settings
from parcelguard.domain import waybill as wb
from parcelguard.domain.label import LabelData, LabelParty
from parcelguard.domain.order import Order, parse_order
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.domain.tracking import TrackingNumber

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


# --- the physical floor --------------------------------------------------------------------------------

CT_COLUMNS = {name: m.ciphertext_column(name) for name in wb.ENCRYPTED_FIELDS}
BI_COLUMNS = (
    "bi_recipient_mobile",
    "bi_recipient_mobile_last4",
    "bi_sender_mobile",
    "bi_sender_mobile_last4",
    "bi_sender_id_number",
)
FloorInput = tuple[dict[str, str], tuple[str, ...]]
"""An order already parsed: its personal fields by name, and the values its blind indexes are made of."""


def base_row(number: str, now: datetime) -> dict[str, Any]:
    """A waybill row with its plain columns filled and every ciphertext column empty."""
    row: dict[str, Any] = {
        "id": secrets.token_hex(16),
        "tracking_number": number,
        "status": "created",
        "created_at": now,
        "created_by": "bench",
        "weight_grams": 1000,
        "sender_id_type": "resident_id",
        "routing_code": "110105",
        "routing_text": "北京 朝阳区",
        "kek_version": 1,
        "organisation_id": 1,
    }
    for column in CT_COLUMNS.values():
        row[column] = None
    return row


def audit_row(number: str, row_id: str, now: datetime) -> dict[str, Any]:
    details = json.dumps({"waybill_id": row_id}, sort_keys=True, separators=(",", ":"))
    return {
        "occurred_at": now,
        "actor": "bench",
        "action": "waybill:issued",
        "subject": number,
        "details": details,
    }


def order_fields(order: Order) -> dict[str, str]:
    """The personal fields issuance encrypts, by field name."""
    s, r = order.sender, order.recipient
    fields = {
        wb.SENDER_NAME: s.name.value,
        wb.SENDER_MOBILE: s.mobile.value,
        wb.SENDER_ADDRESS: s.address.full,
        wb.SENDER_ID_NUMBER: order.sender_id.number.value,
        wb.RECIPIENT_NAME: r.name.value,
        wb.RECIPIENT_MOBILE: r.mobile.value,
        wb.RECIPIENT_ADDRESS: r.address.full,
        wb.PARCEL_DESCRIPTION: order.parcel.description,
    }
    if order.remarks is not None:
        fields[wb.REMARKS] = order.remarks
    return fields


def floor_input(raw: dict[str, Any]) -> FloorInput:
    """Parsed outside the timed part: the floor starts from values already validated."""
    order = parse_order(raw)
    s, r = order.sender, order.recipient
    lookups = (
        r.mobile.value,
        r.mobile.last4,
        s.mobile.value,
        s.mobile.last4,
        order.sender_id.number.index_value,
    )
    return order_fields(order), lookups


class Floor:
    """Bare AES-GCM, HMAC and executemany: what storing (and printing) these waybills privately cannot go
    below with this schema. Rows go into the real ``waybill`` and ``audit_event`` tables of ``engine``."""

    def __init__(self, engine: Engine, prefix: str = "PF") -> None:
        self.engine = engine
        self.prefix = prefix
        self.kek = AESGCM(AESGCM.generate_key(bit_length=256))
        self.hmac_key = os.urandom(32)

    def _row(self, fields: dict[str, str], lookups: tuple[str, ...], now: datetime) -> dict[str, Any]:
        row = base_row(TrackingNumber.generate(self.prefix).value, now)
        dek = AESGCM.generate_key(bit_length=256)
        aead = AESGCM(dek)
        nonce = os.urandom(12)
        row["wrapped_key"] = b"\x01" + nonce + self.kek.encrypt(nonce, dek, row["id"].encode())
        for name, value in fields.items():
            nonce = os.urandom(12)
            row[CT_COLUMNS[name]] = b"\x01" + nonce + aead.encrypt(nonce, value.encode(), name.encode())
        for column, value in zip(BI_COLUMNS, lookups, strict=True):
            row[column] = hmac.digest(self.hmac_key, value.encode(), hashlib.sha256)[:16]
        return row

    def store(self, batch: list[FloorInput]) -> list[str]:
        """One transaction for the whole batch (as a batch of issuance); the tracking numbers."""
        now = datetime.now(UTC)
        rows = [self._row(fields, lookups, now) for fields, lookups in batch]
        events = [audit_row(row["tracking_number"], row["id"], now) for row in rows]
        with self.engine.begin() as connection:
            bulk_insert(connection, m.waybill, rows)
            bulk_insert(connection, m.audit_event, events)
        return [row["tracking_number"] for row in rows]

    def store_one(self, item: FloorInput) -> str:
        """One order, one transaction (as a single POST /v1/waybills)."""
        return self.store([item])[0]

    def label_data(self, connection: Connection, number: str) -> LabelData:
        """Fetch by tracking number on the driver, unwrap the data key, decrypt, mask by slicing."""
        columns = ", ".join(["id", "wrapped_key", "routing_code", "routing_text", *CT_COLUMNS.values()])
        row = connection.exec_driver_sql(
            f"SELECT {columns} FROM waybill WHERE tracking_number = {_placeholder(connection)}",  # noqa: S608
            (number,),
        ).one()
        blob = bytes(row[1])
        aead = AESGCM(self.kek.decrypt(blob[1:13], blob[13:], row[0].encode()))
        plain = {}
        for name, value in zip(CT_COLUMNS, row[4:], strict=True):
            if value is not None:
                value = bytes(value)
                plain[name] = aead.decrypt(value[1:13], value[13:], name.encode()).decode()

        def party(prefix: str) -> LabelParty:
            name, mobile = plain[f"{prefix}.name"], plain[f"{prefix}.mobile"]
            return LabelParty(
                name[0] + "*" * (len(name) - 1),
                mobile[:3] + "******" + mobile[-2:],
                plain[f"{prefix}.address"][:12] + "****",
            )

        return LabelData(
            carrier_name="ParcelGuard Express",
            tracking_number=number,
            routing_code=row[2],
            routing_text=row[3],
            recipient=party("recipient"),
            sender=party("sender"),
            qr_payload="PGT1" + "A" * 48,
            parcel_description=plain[wb.PARCEL_DESCRIPTION],
            weight_kg=1.0,
            issued_on=datetime.now(UTC).date(),
            remarks=None,
        )

    def print_label(self, number: str, render: Any) -> bytes:
        """One label at the floor: fetch, decrypt, mask, ``render`` (no gate), an audit row, a commit."""
        now = datetime.now(UTC)
        with self.engine.begin() as connection:
            data = self.label_data(connection, number)
            content = render(data)
            event = {
                "occurred_at": now,
                "actor": "bench",
                "action": "label:rendered",
                "subject": number,
                "details": "{}",
            }
            bulk_insert(connection, m.audit_event, [event])
        return bytes(content)


def _placeholder(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"
