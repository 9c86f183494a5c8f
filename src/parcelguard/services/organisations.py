"""Organisations (tenants): added and listed by the carrier's operators, each change audited."""

from __future__ import annotations

from parcelguard.domain import audit
from parcelguard.domain.audit import AuditEvent
from parcelguard.domain.organisation import (
    Organisation,
    OrganisationKind,
    parse_organisation_name,
)
from parcelguard.errors import ErrorCode, NotFoundError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import UnitOfWork


def add_organisation(ctx: ServiceContext, *, actor: str, name: str, kind: OrganisationKind) -> Organisation:
    """A new carrier or platform organisation; names are unique (ConflictError ``organisation_exists``)."""
    clean = parse_organisation_name(name)
    with ctx.uow() as uow:
        now = ctx.clock()
        organisation = uow.organisations.add(clean, kind, now)
        uow.audit.append_many(
            [
                AuditEvent(
                    action=audit.ORGANISATION_CREATED,
                    actor=actor,
                    occurred_at=now,
                    subject=f"organisation:{organisation.id}",
                    details={"kind": kind.value},
                )
            ]
        )
        uow.commit()
    return organisation


def list_organisations(ctx: ServiceContext) -> list[Organisation]:
    """Every organisation, in the order they were added (the carrier first)."""
    with ctx.uow() as uow:
        return uow.organisations.list()


def find_organisation(ctx: ServiceContext, ref: str) -> Organisation:
    """The organisation named ``ref`` (or with that numeric id); NotFoundError ``organisation_not_found``."""
    with ctx.uow() as uow:
        return organisation_by_ref(uow, ref)


def organisation_by_ref(uow: UnitOfWork, ref: str) -> Organisation:
    """Names win over ids, so an organisation named "2" is still reachable by its name."""
    name = ref.strip()
    found = uow.organisations.get_by_name(name) if name else None
    if found is None and name.isascii() and name.isdigit() and len(name) <= 9:
        found = uow.organisations.get(int(name))
    if found is None:
        raise NotFoundError("no organisation with this name or id", code=ErrorCode.ORGANISATION_NOT_FOUND)
    return found
