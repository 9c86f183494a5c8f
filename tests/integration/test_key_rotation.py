"""`keys rotate`: a new key version, every data key rewrapped, field ciphertexts untouched."""

from __future__ import annotations

import stat

from sqlalchemy import select

from parcelguard.adapters.db import models as m
from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import ALL_SCOPES, Principal
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.issuance import IssuedWaybill, issue_batch
from parcelguard.services.keys import rotate_keys, waybills_under_older_versions
from parcelguard.services.waybills import view_waybill

OPERATOR = Principal(actor="test:operator", scopes=ALL_SCOPES)


def snapshot(runtime: Runtime) -> tuple[dict[str, bytes], dict[str, tuple[int, bytes]]]:
    with runtime.engine.connect() as connection:
        rows = connection.execute(select(m.waybill)).mappings().all()
    cts = {r["id"]: b"".join(bytes(r[c] or b"") for c in r if c.startswith("ct_")) for r in rows}
    keys = {r["id"]: (r["kek_version"], bytes(r["wrapped_key"])) for r in rows}
    return cts, keys


def test_rotation_rewraps_every_data_key_and_leaves_field_ciphertexts_alone(runtime: Runtime) -> None:
    people = SyntheticPeople(3)
    result = issue_batch(runtime.ctx, [people.order() for _ in range(25)], actor="t")
    before_views = {
        item.tracking_number: view_waybill(runtime.ctx, item.tracking_number, principal=OPERATOR).masked
        for item in result.items
        if isinstance(item, IssuedWaybill)
    }
    cts_before, keys_before = snapshot(runtime)

    report = rotate_keys(runtime.ctx, actor="test", batch_size=7, settle_seconds=0)

    cts_after, keys_after = snapshot(runtime)
    assert report.new_version == 2 and report.rewrapped == 25
    assert cts_after == cts_before
    assert {v for v, _ in keys_after.values()} == {2}
    assert all(keys_after[i][1] != keys_before[i][1] for i in keys_before)
    for number, masked in before_views.items():
        assert view_waybill(runtime.ctx, number, principal=OPERATOR).masked == masked


def test_new_waybills_after_rotation_use_the_new_key_version(runtime: Runtime) -> None:
    rotate_keys(runtime.ctx, actor="test", settle_seconds=0)
    issue_batch(runtime.ctx, [SyntheticPeople(4).order()], actor="t")
    _, keys = snapshot(runtime)
    assert {v for v, _ in keys.values()} == {2}


def test_the_key_file_is_private_to_its_owner(runtime: Runtime) -> None:
    mode = runtime.settings.resolved_key_file.stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_waybills_not_yet_rewrapped_are_counted_until_a_resumed_rotation_finishes(runtime: Runtime) -> None:
    issue_batch(runtime.ctx, [SyntheticPeople(5).order() for _ in range(4)], actor="t")
    runtime.ctx.keyring.add_kek_version()  # as if a rotation stopped right after adding the version
    assert waybills_under_older_versions(runtime.ctx) == 4
    report = rotate_keys(runtime.ctx, actor="t", add_version=False, settle_seconds=0)
    assert report.rewrapped == 4 and waybills_under_older_versions(runtime.ctx) == 0
