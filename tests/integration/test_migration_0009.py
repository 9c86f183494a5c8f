"""Migration 0009 on a database that already holds duplicate active label tokens (overlapping first prints
before it): each waybill keeps its newest, the others are revoked, and from then on the database refuses a
second active token; vnum_binding.courier_id gets its index. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from parcelguard.adapters.db import migrate
from parcelguard.adapters.db import models as m
from parcelguard.bootstrap import Runtime
from tests.integration.test_migration_0003 import _downgrade, _row

_T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
_EARLIER_REVOCATION = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _token(name: str) -> bytes:
    return name.encode().ljust(16, b"\0")


# waybill -> its tokens at 0008: (token, issued at, revoked at)
_TOKENS = {
    "w1": [  # three active (the greater id wins the later instant) and one revoked long ago
        ("a-oldest", _T0, None),
        ("b-later", _T0 + timedelta(hours=1), None),
        ("c-later", _T0 + timedelta(hours=1), None),
        ("d-revoked", _T0 + timedelta(hours=2), _EARLIER_REVOCATION),
    ],
    "w2": [("e-only", _T0, None)],
    "w3": [("f-newer", _T0 + timedelta(minutes=5), None), ("g-older", _T0, None)],
    "w4": [("h-revoked", _T0, _EARLIER_REVOCATION)],
}
_KEPT = {"c-later", "e-only", "f-newer"}


def _at_0008_with_duplicates(engine: Engine) -> None:
    _downgrade(engine, "0008_transparency_log")
    assert "uq_label_token_active_waybill_id" not in {
        i["name"] for i in inspect(engine).get_indexes("label_token")
    }
    with engine.begin() as connection:
        for number, waybill_id in enumerate(_TOKENS):
            values = _row(m.waybill, id=waybill_id, tracking_number=f"PG{number:013d}")
            connection.execute(insert(m.waybill).values(values))
            for name, issued_at, revoked_at in _TOKENS[waybill_id]:
                connection.execute(
                    insert(m.label_token).values(
                        token_id=_token(name),
                        waybill_id=waybill_id,
                        issued_at=issued_at,
                        revoked_at=revoked_at,
                    )
                )


def _stored(engine: Engine) -> dict[str, datetime | None]:
    t = m.label_token.c
    with engine.connect() as connection:
        rows = connection.execute(select(t.token_id, t.revoked_at)).all()
    return {bytes(token_id).rstrip(b"\0").decode(): revoked_at for token_id, revoked_at in rows}


def test_the_upgrade_keeps_each_waybills_newest_active_token_and_revokes_the_other_active_ones(
    runtime: Runtime,
) -> None:
    _at_0008_with_duplicates(runtime.engine)
    before = datetime.now(UTC)
    migrate.upgrade(runtime.engine)
    assert migrate.current_revision(runtime.engine) == migrate.HEAD_REVISION
    assert migrate.schema_differences(runtime.engine) == []
    stored = _stored(runtime.engine)
    assert {name for name, revoked_at in stored.items() if revoked_at is None} == _KEPT
    assert stored["d-revoked"] == stored["h-revoked"] == _EARLIER_REVOCATION, "revocations kept as they were"
    for name in ("a-oldest", "b-later", "g-older"):  # revoked by the upgrade, at the time it ran
        revoked_at = stored[name]
        assert revoked_at is not None and before - timedelta(seconds=1) <= revoked_at <= datetime.now(UTC)
    with runtime.ctx.uow() as uow:  # what the printing path reads
        assert {w: r.token_id for w, r in uow.label_tokens.active_for_many(list(_TOKENS)).items()} == {
            "w1": _token("c-later"),
            "w2": _token("e-only"),
            "w3": _token("f-newer"),
        }


def test_after_the_upgrade_the_database_refuses_a_second_active_token_but_not_a_revoked_one(
    runtime: Runtime,
) -> None:
    _at_0008_with_duplicates(runtime.engine)
    migrate.upgrade(runtime.engine)
    later = _T0 + timedelta(days=1)
    with runtime.engine.begin() as connection:  # revoked tokens are as many as ever
        connection.execute(
            insert(m.label_token).values(
                token_id=_token("i"), waybill_id="w2", issued_at=later, revoked_at=later
            )
        )
    with pytest.raises(IntegrityError), runtime.engine.begin() as connection:
        connection.execute(
            insert(m.label_token).values(token_id=_token("j"), waybill_id="w2", issued_at=later)
        )
    with runtime.engine.begin() as connection:  # revoked first, a new active token is welcome
        t = m.label_token.c
        connection.execute(update(m.label_token).where(t.waybill_id == "w2").values(revoked_at=later))
        connection.execute(
            insert(m.label_token).values(token_id=_token("k"), waybill_id="w2", issued_at=later)
        )
    assert {name for name, revoked_at in _stored(runtime.engine).items() if revoked_at is None} == {
        "c-later",
        "k",
        "f-newer",
    }


def test_the_upgrade_indexes_vnum_binding_courier_id_and_goes_down_and_up_again(runtime: Runtime) -> None:
    indexes = {i["name"]: i for i in inspect(runtime.engine).get_indexes("vnum_binding")}
    assert indexes["ix_vnum_binding_courier_id"]["column_names"] == ["courier_id"]
    if runtime.engine.dialect.name == "sqlite":  # a courier's live bindings are read through it
        with runtime.engine.connect() as connection:
            plan = connection.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT id FROM vnum_binding WHERE courier_id = 7 AND ended_at IS NULL"
                )
            ).all()
        assert "ix_vnum_binding_courier_id" in " ".join(str(row[-1]) for row in plan)
    _downgrade(runtime.engine, "0008_transparency_log")
    assert "ix_vnum_binding_courier_id" not in {
        i["name"] for i in inspect(runtime.engine).get_indexes("vnum_binding")
    }
    assert "uq_label_token_active_waybill_id" not in {
        i["name"] for i in inspect(runtime.engine).get_indexes("label_token")
    }
    migrate.upgrade(runtime.engine)
    assert migrate.schema_differences(runtime.engine) == []
    unique = {i["name"]: i for i in inspect(runtime.engine).get_indexes("label_token")}
    assert unique["uq_label_token_active_waybill_id"]["unique"]
