"""One database transaction per use case, with the repositories bound to it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, RootTransaction

from parcelguard.adapters.db.access_repositories import (
    SqlApiKeyRepository,
    SqlKeyCanaryRepository,
    SqlOrganisationRepository,
)
from parcelguard.adapters.db.access_transparency_repositories import (
    SqlAccessChallengeRepository,
    SqlSubjectAuditReader,
)
from parcelguard.adapters.db.people_repositories import (
    SqlLoginThrottleRepository,
    SqlSessionRepository,
    SqlStationRepository,
    SqlUserRepository,
)
from parcelguard.adapters.db.repositories import (
    SqlAuditLog,
    SqlIdempotencyStore,
    SqlLabelTokenRepository,
    SqlWaybillRepository,
)
from parcelguard.adapters.db.reveal_repositories import (
    SqlAlertRepository,
    SqlAuditSearch,
    SqlDispatchRepository,
    SqlParcelEventRepository,
    SqlPickupCodeRepository,
    SqlRevealCounterRepository,
    SqlRevealGrantRepository,
)
from parcelguard.adapters.db.telephony_repositories import SqlVirtualNumberRepository
from parcelguard.adapters.db.transparency_repository import SqlTransparencyStore


class SqlUnitOfWork:
    """Opens a connection and a transaction on enter; anything not committed is rolled back on exit."""

    waybills: SqlWaybillRepository
    label_tokens: SqlLabelTokenRepository
    audit: SqlAuditLog
    api_keys: SqlApiKeyRepository
    idempotency: SqlIdempotencyStore
    organisations: SqlOrganisationRepository
    key_canary: SqlKeyCanaryRepository
    stations: SqlStationRepository
    users: SqlUserRepository
    sessions: SqlSessionRepository
    login_throttle: SqlLoginThrottleRepository
    dispatch: SqlDispatchRepository
    pickup_codes: SqlPickupCodeRepository
    reveal_grants: SqlRevealGrantRepository
    reveal_counters: SqlRevealCounterRepository
    alerts: SqlAlertRepository
    parcel_events: SqlParcelEventRepository
    audit_search: SqlAuditSearch
    virtual_numbers: SqlVirtualNumberRepository
    access_challenges: SqlAccessChallengeRepository  # access transparency for customers (issue 11)
    subject_audit: SqlSubjectAuditReader
    transparency: SqlTransparencyStore  # the audit log's Merkle tree (issue 11)

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None

    def __enter__(self) -> Self:
        connection = self._engine.connect()
        self._connection = connection
        self._transaction = connection.begin()
        self.waybills = SqlWaybillRepository(connection)
        self.label_tokens = SqlLabelTokenRepository(connection)
        self.audit = SqlAuditLog(connection)
        self.api_keys = SqlApiKeyRepository(connection)
        self.idempotency = SqlIdempotencyStore(connection)
        self.organisations = SqlOrganisationRepository(connection)
        self.key_canary = SqlKeyCanaryRepository(connection)
        self.stations = SqlStationRepository(connection)
        self.users = SqlUserRepository(connection)
        self.sessions = SqlSessionRepository(connection)
        self.login_throttle = SqlLoginThrottleRepository(connection)
        self.dispatch = SqlDispatchRepository(connection)
        self.pickup_codes = SqlPickupCodeRepository(connection)
        self.reveal_grants = SqlRevealGrantRepository(connection)
        self.reveal_counters = SqlRevealCounterRepository(connection)
        self.alerts = SqlAlertRepository(connection)
        self.parcel_events = SqlParcelEventRepository(connection)
        self.audit_search = SqlAuditSearch(connection)
        self.virtual_numbers = SqlVirtualNumberRepository(connection)
        self.access_challenges = SqlAccessChallengeRepository(connection)
        self.subject_audit = SqlSubjectAuditReader(connection)
        self.transparency = SqlTransparencyStore(connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._transaction is not None and self._transaction.is_active:
                self._transaction.rollback()
        finally:
            if self._connection is not None:
                self._connection.close()
            self._connection = None
            self._transaction = None

    def commit(self) -> None:
        if self._transaction is None:
            raise RuntimeError("commit outside a unit of work")
        self._transaction.commit()

    def rollback(self) -> None:
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.rollback()
