"""Keys that fail closed: no new key file over sealed data, a key file that must open what the database
holds, a running process that follows rotations, and errors that name no path and no key version."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, update

from parcelguard.adapters.crypto import keyfile as keyfile_module
from parcelguard.adapters.crypto.keyfile import KeyFile
from parcelguard.adapters.db import migrate
from parcelguard.adapters.db import models as m
from parcelguard.bootstrap import Runtime, bootstrap, require_current_schema
from parcelguard.config import Settings
from parcelguard.domain.access import Scope
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.errors import ErrorCode, KeyStoreError
from parcelguard.services.api_keys import create_api_key
from parcelguard.services.issuance import issue_batch, issue_waybill
from parcelguard.services.keys import rotate_keys, verify_key_file
from parcelguard.web.app import create_app


def started(settings: Settings) -> Runtime:
    """What `serve` does: bootstrap, then the schema and key-file checks."""
    runtime = bootstrap(settings)
    try:
        require_current_schema(runtime)
    except BaseException:
        runtime.close()
        raise
    return runtime


def refusal(settings: Settings) -> KeyStoreError:
    with pytest.raises(KeyStoreError) as caught:
        started(settings).close()
    return caught.value


def assert_names_no_path_or_version(error: KeyStoreError, settings: Settings) -> None:
    for text in (error.message, str(error), repr(error)):
        assert str(settings.home) not in text
        assert settings.resolved_key_file.name not in text
        assert "version " not in text


def issue_some(runtime: Runtime, count: int = 3, seed: int = 1) -> None:
    people = SyntheticPeople(seed)
    issue_batch(runtime.ctx, [people.order() for _ in range(count)], actor="t")


def test_a_deleted_key_file_is_not_recreated_over_a_database_that_holds_waybills(
    runtime: Runtime, settings: Settings
) -> None:
    require_current_schema(runtime)
    issue_some(runtime)
    key_file = settings.resolved_key_file
    key_file.unlink()
    error = refusal(settings)
    assert error.code is ErrorCode.KEY_FILE_MISSING
    assert not key_file.exists()  # nothing was created in its place
    assert_names_no_path_or_version(error, settings)


def test_a_deleted_key_file_is_not_recreated_over_a_database_that_holds_only_api_keys(
    runtime: Runtime, settings: Settings
) -> None:
    create_api_key(runtime.ctx, actor="t", name="shop", scopes=[Scope.WAYBILL_READ])
    settings.resolved_key_file.unlink()
    assert refusal(settings).code is ErrorCode.KEY_FILE_MISSING


def test_a_fresh_database_gets_a_fresh_key_file_and_its_canary(settings: Settings) -> None:
    built = bootstrap(settings)
    migrate.upgrade(built.engine)
    require_current_schema(built)
    with built.ctx.uow() as uow:
        assert uow.key_canary.get() is not None
        assert [e.action for e in uow.audit.for_subject("kek")] == ["keys:canary:sealed"]
    built.close()
    started(settings).close()  # the next start opens the canary


def test_another_key_file_over_the_same_database_is_refused_before_it_wraps_anything(
    runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    require_current_schema(runtime)
    settings.resolved_key_file.unlink()
    KeyFile.create(settings.resolved_key_file)  # e.g. created by hand, or another installation's
    error = refusal(settings)
    assert error.code is ErrorCode.KEY_FILE_MISMATCH
    assert_names_no_path_or_version(error, settings)


def test_an_old_backup_of_the_key_file_is_refused_once_waybills_use_a_newer_version(
    runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    require_current_schema(runtime)
    backup = tmp_path / "keys.backup"
    shutil.copy2(settings.resolved_key_file, backup)
    rotate_keys(runtime.ctx, actor="t", settle_seconds=0)
    issue_some(runtime)
    shutil.copy2(backup, settings.resolved_key_file)
    error = refusal(settings)
    assert error.code is ErrorCode.KEY_FILE_MISMATCH
    assert_names_no_path_or_version(error, settings)


def test_rotation_rewraps_the_canary_so_it_opens_with_the_current_version(runtime: Runtime) -> None:
    require_current_schema(runtime)
    rotate_keys(runtime.ctx, actor="t", settle_seconds=0)
    with runtime.ctx.uow() as uow:
        canary = uow.key_canary.get()
    assert canary is not None and canary.kek_version == 2
    assert verify_key_file(runtime.ctx, actor="t") is False


def test_a_database_from_before_the_canary_is_checked_against_a_stored_data_key(
    runtime: Runtime, settings: Settings
) -> None:
    issue_some(runtime)
    with runtime.engine.begin() as connection:  # as upgraded from 0002: waybills, no canary
        connection.execute(delete(m.key_canary))
    settings.resolved_key_file.unlink()
    KeyFile.create(settings.resolved_key_file)
    fresh = bootstrap(settings)  # the key file exists, so bootstrap itself does not refuse
    with pytest.raises(KeyStoreError) as caught:
        verify_key_file(fresh.ctx, actor="t")
    fresh.close()
    assert caught.value.code is ErrorCode.KEY_FILE_MISMATCH
    with runtime.ctx.uow() as uow:
        assert uow.key_canary.get() is None  # nothing sealed with the wrong file


def test_a_running_process_wraps_with_the_version_another_process_added(
    runtime: Runtime, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keyfile_module, "RECHECK_SECONDS", 0)
    other_process = KeyFile.load(settings.resolved_key_file)
    assert other_process.add_kek_version() == 2  # `parcelguard keys rotate` elsewhere
    number = issue_waybill(runtime.ctx, SyntheticPeople(2).order(), actor="t").tracking_number
    with runtime.ctx.uow() as uow:
        sealed = uow.waybills.get(number)
    assert sealed is not None and sealed.wrapped_key.kek_version == 2


def test_the_key_ring_is_rechecked_at_most_every_recheck_interval(
    runtime: Runtime, settings: Settings
) -> None:
    keys = runtime.keyfile
    assert keys.current_kek_version == 1
    KeyFile.load(settings.resolved_key_file).add_kek_version()
    assert keys.current_kek_version == 1  # within the interval: no stat() on the hot path
    time.sleep(keyfile_module.RECHECK_SECONDS * 1.5)
    assert keys.current_kek_version == 2


def test_a_key_file_that_vanished_while_running_stops_new_wrapping(
    runtime: Runtime, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keyfile_module, "RECHECK_SECONDS", 0)
    settings.resolved_key_file.unlink()
    with pytest.raises(KeyStoreError) as caught:
        issue_waybill(runtime.ctx, SyntheticPeople(3).order(), actor="t")
    assert caught.value.code is ErrorCode.KEY_FILE_MISSING
    assert_names_no_path_or_version(caught.value, settings)
    with runtime.ctx.uow() as uow:
        assert uow.waybills.any_tracking_number() is None


def test_key_errors_over_http_and_in_the_logs_name_no_path_and_no_version(
    runtime: Runtime, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = create_api_key(runtime.ctx, actor="t", name="carrier", scopes=[Scope.ADMIN])
    number = issue_waybill(runtime.ctx, SyntheticPeople(4).order(), actor="t").tracking_number
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
        with runtime.engine.begin() as connection:  # a row wrapped under a version this key file lacks
            connection.execute(
                update(m.waybill).where(m.waybill.c.tracking_number == number).values(kek_version=7)
            )
        response = client.get(f"/v1/waybills/{number}", headers={"Authorization": f"Bearer {key.presented}"})
    assert response.status_code >= 500
    assert response.json()["code"] == "key_version_unknown"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for text in (response.text, logged):
        assert str(settings.home) not in text and settings.resolved_key_file.name not in text
        assert "version 7" not in text and "version 1" not in text


def test_the_key_file_repr_names_no_path_and_no_version(runtime: Runtime, settings: Settings) -> None:
    for text in (repr(runtime.keyfile), repr(runtime.ctx.envelope)):
        assert str(settings.home) not in text and "version" not in text
