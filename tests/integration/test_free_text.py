"""Free text in orders is stored redacted; the original is kept only encrypted (issue 3)."""

from __future__ import annotations

from pathlib import Path

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import ALL_SCOPES, Principal
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.services.issuance import issue_waybill
from parcelguard.services.labels import render_label
from parcelguard.services.unseal import original_free_text
from parcelguard.services.waybills import view_waybill

OPERATOR = Principal(actor="test:operator", scopes=ALL_SCOPES)
REMARKS = "到了别敲门，打13912345678找王建国，或者放到北京市朝阳区建国路88号3号楼2单元1201室门口"
DESCRIPTION = "给李娜的生日礼物 联系18612345678"


def issued(runtime: Runtime) -> str:
    order = SyntheticPeople(31).order()
    order["remarks"] = REMARKS
    order["parcel"]["description"] = DESCRIPTION
    return issue_waybill(runtime.ctx, order, actor="t").tracking_number


def test_remarks_and_description_are_shown_and_printed_redacted(runtime: Runtime) -> None:
    number = issued(runtime)
    masked = view_waybill(runtime.ctx, number, principal=OPERATOR).masked
    for text in (masked.remarks or "", masked.parcel_description):
        for secret in ("13912345678", "18612345678", "王建国", "李娜", "1201"):
            assert secret not in text
    assert "139" in (masked.remarks or "") and "*" in (masked.remarks or "")
    zpl = render_label(runtime.ctx, number, "zpl", principal=OPERATOR).decode()
    assert "18612345678" not in zpl


def test_the_originals_are_kept_encrypted_for_the_platform(runtime: Runtime) -> None:
    number = issued(runtime)
    with runtime.ctx.uow() as uow:
        sealed = uow.waybills.get(number)
    assert sealed is not None
    originals = original_free_text(runtime.ctx, sealed)
    assert originals == {"remarks.original": REMARKS, "parcel.description.original": DESCRIPTION}


def test_no_free_text_secret_rests_readable_in_the_sqlite_file(sqlite_runtime: Runtime) -> None:
    issued(sqlite_runtime)
    with sqlite_runtime.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db_file = Path(sqlite_runtime.settings.resolved_database_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
    for secret in ("13912345678", "18612345678", "王建国", "李娜", "建国路88号"):
        assert secret.encode() not in raw
