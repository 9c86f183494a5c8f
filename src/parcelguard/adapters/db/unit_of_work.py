"""One database transaction per use case, with the repositories bound to it."""

from __future__ import annotations

from functools import cached_property
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
    """Opens a connection and a transaction on enter; anything not committed is rolled back on exit.

    Each repository is built on first use and forgotten on exit: a use case touches two or three of the
    twenty-odd, and building them all cost every print and lookup about 10 us (issue 9). Outside the
    ``with`` block a repository raises RuntimeError instead of running on a closed connection.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None

    def __enter__(self) -> Self:
        connection = self._engine.connect()
        self._connection = connection
        self._transaction = connection.begin()
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
            bound = vars(self)
            for name in _REPOSITORIES:
                bound.pop(name, None)

    def commit(self) -> None:
        if self._transaction is None:
            raise RuntimeError("commit outside a unit of work")
        self._transaction.commit()

    def rollback(self) -> None:
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.rollback()

    def _bound(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("a repository is used outside its unit of work")
        return self._connection

    @cached_property
    def waybills(self) -> SqlWaybillRepository:
        return SqlWaybillRepository(self._bound())

    @cached_property
    def label_tokens(self) -> SqlLabelTokenRepository:
        return SqlLabelTokenRepository(self._bound())

    @cached_property
    def audit(self) -> SqlAuditLog:
        return SqlAuditLog(self._bound())

    @cached_property
    def api_keys(self) -> SqlApiKeyRepository:
        return SqlApiKeyRepository(self._bound())

    @cached_property
    def idempotency(self) -> SqlIdempotencyStore:
        return SqlIdempotencyStore(self._bound())

    @cached_property
    def organisations(self) -> SqlOrganisationRepository:
        return SqlOrganisationRepository(self._bound())

    @cached_property
    def key_canary(self) -> SqlKeyCanaryRepository:
        return SqlKeyCanaryRepository(self._bound())

    @cached_property
    def stations(self) -> SqlStationRepository:
        return SqlStationRepository(self._bound())

    @cached_property
    def users(self) -> SqlUserRepository:
        return SqlUserRepository(self._bound())

    @cached_property
    def sessions(self) -> SqlSessionRepository:
        return SqlSessionRepository(self._bound())

    @cached_property
    def login_throttle(self) -> SqlLoginThrottleRepository:
        return SqlLoginThrottleRepository(self._bound())

    @cached_property
    def dispatch(self) -> SqlDispatchRepository:
        return SqlDispatchRepository(self._bound())

    @cached_property
    def pickup_codes(self) -> SqlPickupCodeRepository:
        return SqlPickupCodeRepository(self._bound())

    @cached_property
    def reveal_grants(self) -> SqlRevealGrantRepository:
        return SqlRevealGrantRepository(self._bound())

    @cached_property
    def reveal_counters(self) -> SqlRevealCounterRepository:
        return SqlRevealCounterRepository(self._bound())

    @cached_property
    def alerts(self) -> SqlAlertRepository:
        return SqlAlertRepository(self._bound())

    @cached_property
    def parcel_events(self) -> SqlParcelEventRepository:
        return SqlParcelEventRepository(self._bound())

    @cached_property
    def audit_search(self) -> SqlAuditSearch:
        return SqlAuditSearch(self._bound())

    @cached_property
    def virtual_numbers(self) -> SqlVirtualNumberRepository:
        return SqlVirtualNumberRepository(self._bound())

    @cached_property
    def access_challenges(
        self,
    ) -> SqlAccessChallengeRepository:  # access transparency for customers (issue 11)
        return SqlAccessChallengeRepository(self._bound())

    @cached_property
    def subject_audit(self) -> SqlSubjectAuditReader:
        return SqlSubjectAuditReader(self._bound())

    @cached_property
    def transparency(self) -> SqlTransparencyStore:  # the audit log's Merkle tree (issue 11)
        return SqlTransparencyStore(self._bound())


_REPOSITORIES = tuple(
    name for name, value in vars(SqlUnitOfWork).items() if isinstance(value, cached_property)
)
"""The cached repositories, dropped on exit so none outlives its connection."""
