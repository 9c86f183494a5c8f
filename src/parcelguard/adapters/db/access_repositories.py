"""SQL repositories of who may act: organisations (tenants), their API keys, and the key canary.

Kept apart from the waybill repositories (``repositories.py``): these tables are small and change rarely,
while those are the hot path.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, Select, bindparam, delete, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError

from parcelguard.adapters.db import models as m
from parcelguard.domain.access import parse_scopes
from parcelguard.domain.organisation import Organisation, OrganisationKind
from parcelguard.errors import ConflictError, ErrorCode
from parcelguard.services.ports import ApiKeyRecord, KeyCanaryRecord


@cache
def _key_by_id() -> Select[Any]:
    statement: Select[Any] = SqlApiKeyRepository._select()
    return statement.where(m.api_key.c.key_id == bindparam("key_id"))


class SqlApiKeyRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, record: ApiKeyRecord) -> None:
        self._c.execute(
            insert(m.api_key).values(
                key_id=record.key_id,
                name=record.name,
                secret_hash=record.secret_hash,
                scopes=",".join(sorted(s.value for s in record.scopes)),
                created_at=record.created_at,
                revoked_at=record.revoked_at,
                organisation_id=record.organisation_id,
            )
        )

    def get(self, key_id: str) -> ApiKeyRecord | None:
        # One query with the organisation joined, built once: authentication runs on every request.
        row = self._c.execute(_key_by_id(), {"key_id": key_id}).first()
        return None if row is None else _api_key(row)

    def list(self, organisation_id: int | None = None) -> list[ApiKeyRecord]:
        query = self._select().order_by(m.api_key.c.created_at, m.api_key.c.key_id)
        if organisation_id is not None:
            query = query.where(m.api_key.c.organisation_id == organisation_id)
        return [_api_key(row) for row in self._c.execute(query)]

    @staticmethod
    def _select() -> Any:
        o = m.organisation.c
        return select(m.api_key, o.kind.label("organisation_kind"), o.name.label("organisation_name")).join(
            m.organisation, m.organisation.c.id == m.api_key.c.organisation_id
        )

    def revoke(self, key_id: str, at: datetime) -> bool:
        a = m.api_key.c
        result = self._c.execute(
            update(m.api_key).where(a.key_id == key_id, a.revoked_at.is_(None)).values(revoked_at=at)
        )
        return bool(result.rowcount)


def _api_key(row: Any) -> ApiKeyRecord:
    return ApiKeyRecord(
        key_id=row.key_id,
        name=row.name,
        secret_hash=row.secret_hash,
        scopes=parse_scopes(row.scopes),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        organisation_id=row.organisation_id,
        organisation_kind=OrganisationKind(row.organisation_kind),
        organisation_name=row.organisation_name,
    )


class SqlOrganisationRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, name: str, kind: OrganisationKind, at: datetime) -> Organisation:
        # Checked first so that the usual case is a clean error; the unique constraint still guards a race.
        if self.get_by_name(name) is not None:
            raise _organisation_exists()
        try:
            self._c.execute(insert(m.organisation).values(name=name, kind=kind.value, created_at=at))
        except IntegrityError:
            # The caller's unit of work rolls back; nothing of it is kept.
            raise _organisation_exists() from None
        added = self.get_by_name(name)
        if added is None:  # pragma: no cover - the row was inserted in this very transaction
            raise ConflictError("the organisation vanished while being added", code=ErrorCode.INTERNAL)
        return added

    def get(self, organisation_id: int) -> Organisation | None:
        row = self._c.execute(select(m.organisation).where(m.organisation.c.id == organisation_id)).first()
        return None if row is None else _organisation(row)

    def get_by_name(self, name: str) -> Organisation | None:
        row = self._c.execute(select(m.organisation).where(m.organisation.c.name == name)).first()
        return None if row is None else _organisation(row)

    def list(self) -> list[Organisation]:
        rows = self._c.execute(select(m.organisation).order_by(m.organisation.c.id))
        return [_organisation(row) for row in rows]


def _organisation(row: Any) -> Organisation:
    return Organisation(id=row.id, name=row.name, kind=OrganisationKind(row.kind), created_at=row.created_at)


def _organisation_exists() -> ConflictError:
    return ConflictError(
        "an organisation with this name exists", code=ErrorCode.ORGANISATION_EXISTS, field="name"
    )


class SqlKeyCanaryRepository:
    _ID = 1

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self) -> KeyCanaryRecord | None:
        row = self._c.execute(select(m.key_canary).where(m.key_canary.c.id == self._ID)).first()
        if row is None:
            return None
        return KeyCanaryRecord(
            kek_version=row.kek_version,
            wrapped_key=bytes(row.wrapped_key),
            index_check=bytes(row.index_check),
            token_check=bytes(row.token_check),
            created_at=row.created_at,
        )

    def put(self, record: KeyCanaryRecord) -> None:
        self._c.execute(delete(m.key_canary).where(m.key_canary.c.id == self._ID))
        try:
            self._insert(record)
        except IntegrityError:
            raise ConflictError(
                "another process stored the key canary first", code=ErrorCode.KEY_FILE_MISMATCH
            ) from None

    def _insert(self, record: KeyCanaryRecord) -> None:
        self._c.execute(
            insert(m.key_canary).values(
                id=self._ID,
                kek_version=record.kek_version,
                wrapped_key=record.wrapped_key,
                index_check=record.index_check,
                token_check=record.token_check,
                created_at=record.created_at,
            )
        )


def database_holds_sealed_data(engine: Engine) -> bool:
    """Whether this database already holds anything the key file was used for: waybills, API keys issued
    to platforms, or a key canary. False for an empty or not yet migrated database (tables missing).

    Used before a missing key file is created afresh: a new key file over such a database would strand it.
    """
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        for table in (m.waybill, m.api_key, m.key_canary):
            if table.name in tables and connection.execute(select(1).select_from(table).limit(1)).first():
                return True
    return False
