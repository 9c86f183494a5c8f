"""Virtual numbers on SQLite and PostgreSQL: the pool, bindings, their route keys, the people's phones.

Every route key of a live binding is a row of ``vnum_route`` whose primary key is (number, key), so two
bindings can never make a call ambiguous, whoever commits first; a number takes one more binding only
through a conditional UPDATE, so concurrent binds never push it over its capacity.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from parcelguard.adapters.db import models as m
from parcelguard.domain.keys import WrappedKey
from parcelguard.domain.virtual_number import CAPACITY, BindingModel, BindingView, NumberState
from parcelguard.errors import ConflictError, ErrorCode
from parcelguard.services.ports import BindingRecord, PartyPhoneRecord, RouteSnapshot, VirtualNumberRecord

_n = m.vnum_number
_b = m.vnum_binding
_r = m.vnum_route
_p = m.vnum_party_phone


def _number(row: Any) -> VirtualNumberRecord:
    return VirtualNumberRecord(
        number=row.number,
        pool=row.pool,
        state=NumberState(row.state),
        model=BindingModel(row.model) if row.model else None,
        bindings=row.bindings,
        quarantined_until=row.quarantined_until,
    )


def _binding(row: Any) -> BindingRecord:
    return BindingRecord(
        id=row.id,
        number=row.number,
        model=BindingModel(row.model),
        extension=row.extension,
        waybill_id=row.waybill_id,
        courier_id=row.courier_id,
        bi_a=bytes(row.bi_a) if row.bi_a is not None else None,
        bi_b=bytes(row.bi_b),
        wrapped_key=WrappedKey(row.kek_version, bytes(row.wrapped_key)),
        ct_a=bytes(row.ct_a) if row.ct_a is not None else None,
        ct_b=bytes(row.ct_b),
        created_at=row.created_at,
        expires_at=row.expires_at,
        ended_at=row.ended_at,
        ended_reason=row.ended_reason,
        provider_ref=row.provider_ref,
    )


# Routing reads one number and the bindings its matching route keys point at, in one statement built
# once (routing is the hot path: the SIP server asks for every INVITE).
_ROUTE = (
    select(
        _n.c.pool,
        _n.c.state,
        _n.c.model.label("number_model"),
        _n.c.bindings,
        _n.c.quarantined_until,
        _b.c.id,
        _b.c.model,
        _b.c.bi_a,
        _b.c.bi_b,
        _b.c.extension,
        _b.c.expires_at,
        _b.c.kek_version,
        _b.c.wrapped_key,
        _b.c.ct_a,
        _b.c.ct_b,
    )
    .select_from(
        _n.outerjoin(
            _r, and_(_r.c.number == _n.c.number, _r.c.route_key.in_(bindparam("keys", expanding=True)))
        ).outerjoin(_b, _b.c.id == _r.c.binding_id)
    )
    .where(_n.c.number == bindparam("number"))
)


class SqlVirtualNumberRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # -- the pool ---------------------------------------------------------------------------------------

    def add_numbers(self, numbers: Sequence[tuple[str, str]], at: datetime) -> list[str]:
        wanted = [number for number, _ in numbers]
        present: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            present.update(self._c.execute(select(_n.c.number).where(_n.c.number.in_(chunk))).scalars())
        rows = [
            {
                "number": number,
                "pool": pool,
                "state": NumberState.FREE.value,
                "model": None,
                "bindings": 0,
                "quarantined_until": None,
                "imported_at": at,
            }
            for number, pool in numbers
            if number not in present
        ]
        if rows:
            try:
                self._c.execute(insert(_n), rows)
            except IntegrityError:
                raise ConflictError(
                    "another import added some of these numbers meanwhile", code=ErrorCode.NUMBER_EXISTS
                ) from None
        return sorted(present)

    def get_number(self, number: str) -> VirtualNumberRecord | None:
        row = self._c.execute(select(_n).where(_n.c.number == number)).first()
        return None if row is None else _number(row)

    def pools_with_numbers(self, pools: Sequence[str]) -> list[str]:
        found = set(self._c.execute(select(_n.c.pool).where(_n.c.pool.in_(list(pools))).distinct()).scalars())
        return [pool for pool in pools if pool in found]

    def usable(
        self, pools: Sequence[str], model: BindingModel, keys: Sequence[bytes], now: datetime, limit: int
    ) -> list[VirtualNumberRecord]:
        shares = model is not BindingModel.AXN
        fresh = or_(
            _n.c.state == NumberState.FREE.value,
            and_(_n.c.state == NumberState.QUARANTINED.value, _n.c.quarantined_until <= now),
        )
        sharing = and_(
            _n.c.state == NumberState.BOUND.value,
            _n.c.model == model.value,
            _n.c.bindings < CAPACITY[model],
        )
        holds_key = (
            select(_r.c.number).where(_r.c.number == _n.c.number, _r.c.route_key.in_(list(keys))).exists()
        )
        for pool in self.pools_with_numbers(pools):
            query = (
                select(_n)
                .where(_n.c.pool == pool, or_(sharing, fresh) if shares else fresh, ~holds_key)
                .order_by(
                    case((_n.c.state == NumberState.BOUND.value, 0), else_=1),
                    _n.c.bindings.desc(),
                    _n.c.number,
                )
                .limit(limit)
            )
            rows = self._c.execute(query).all()
            return [_number(row) for row in rows]
        return []

    def take(self, number: str, model: BindingModel, capacity: int, now: datetime) -> bool:
        fresh = or_(
            _n.c.state == NumberState.FREE.value,
            and_(_n.c.state == NumberState.QUARANTINED.value, _n.c.quarantined_until <= now),
        )
        sharing = and_(
            _n.c.state == NumberState.BOUND.value, _n.c.model == model.value, _n.c.bindings < capacity
        )
        condition = or_(fresh, sharing) if model is not BindingModel.AXN else fresh
        result = self._c.execute(
            update(_n)
            .where(_n.c.number == number, condition)
            .values(
                state=NumberState.BOUND.value,
                model=model.value,
                quarantined_until=None,
                bindings=case((_n.c.state == NumberState.BOUND.value, _n.c.bindings + 1), else_=1),
            )
        )
        return result.rowcount == 1

    def give_back(self, number: str, now: datetime, cooldown: timedelta) -> None:
        self._c.execute(
            update(_n)
            .where(_n.c.number == number, _n.c.bindings > 0)
            .values(
                bindings=_n.c.bindings - 1,
                state=case(
                    (_n.c.bindings <= 1, NumberState.QUARANTINED.value), else_=NumberState.BOUND.value
                ),
                model=case((_n.c.bindings <= 1, None), else_=_n.c.model),
                quarantined_until=case((_n.c.bindings <= 1, now + cooldown), else_=None),
            )
        )

    # -- bindings ---------------------------------------------------------------------------------------

    def add_binding(self, record: BindingRecord, keys: Sequence[bytes]) -> None:
        try:
            self._c.execute(
                insert(_b).values(
                    id=record.id,
                    number=record.number,
                    model=record.model.value,
                    extension=record.extension,
                    waybill_id=record.waybill_id,
                    live_waybill_id=record.waybill_id,
                    courier_id=record.courier_id,
                    bi_a=record.bi_a,
                    bi_b=record.bi_b,
                    kek_version=record.wrapped_key.kek_version,
                    wrapped_key=record.wrapped_key.blob,
                    ct_a=record.ct_a,
                    ct_b=record.ct_b,
                    created_at=record.created_at,
                    expires_at=record.expires_at,
                    provider_ref=record.provider_ref,
                )
            )
        except IntegrityError:
            raise ConflictError(
                "the waybill got a live binding meanwhile", code=ErrorCode.BINDING_EXISTS
            ) from None
        self._add_routes(record, keys)

    def _add_routes(self, record: BindingRecord, keys: Sequence[bytes]) -> None:
        """The binding's route keys on its number; ConflictError BINDING_CONFLICT when one is taken."""
        try:
            self._c.execute(
                insert(_r),
                [{"number": record.number, "route_key": key, "binding_id": record.id} for key in keys],
            )
        except IntegrityError:
            raise ConflictError(
                "another binding took this route meanwhile", code=ErrorCode.BINDING_CONFLICT
            ) from None

    def live_for_waybill(self, waybill_id: str) -> BindingRecord | None:
        row = self._c.execute(select(_b).where(_b.c.live_waybill_id == waybill_id)).first()
        return None if row is None else _binding(row)

    def live_for_courier(self, courier_id: int) -> list[BindingRecord]:
        rows = self._c.execute(
            select(_b).where(_b.c.courier_id == courier_id, _b.c.ended_at.is_(None)).order_by(_b.c.id)
        ).all()
        return [_binding(row) for row in rows]

    def get_binding(self, binding_id: str) -> BindingRecord | None:
        row = self._c.execute(select(_b).where(_b.c.id == binding_id)).first()
        return None if row is None else _binding(row)

    def get_by_provider_ref(self, provider_ref: str) -> BindingRecord | None:
        row = self._c.execute(select(_b).where(_b.c.provider_ref == provider_ref)).first()
        return None if row is None else _binding(row)

    def route_snapshot(self, number: str, keys: Sequence[bytes]) -> RouteSnapshot:
        rows = self._c.execute(_ROUTE, {"number": number, "keys": list(keys)}).all()
        if not rows:
            return RouteSnapshot(number=None, candidates=[], sealed={})
        first = rows[0]
        record = VirtualNumberRecord(
            number=number,
            pool=first.pool,
            state=NumberState(first.state),
            model=BindingModel(first.number_model) if first.number_model else None,
            bindings=first.bindings,
            quarantined_until=first.quarantined_until,
        )
        candidates: dict[str, BindingView] = {}
        sealed: dict[str, tuple[WrappedKey, bytes | None, bytes]] = {}
        for row in rows:
            if row.id is None or row.id in candidates:
                continue
            candidates[row.id] = BindingView(
                binding_id=row.id,
                model=BindingModel(row.model),
                a_index=bytes(row.bi_a) if row.bi_a is not None else None,
                b_index=bytes(row.bi_b),
                extension=row.extension,
                expires_at=row.expires_at,
            )
            ct_a = bytes(row.ct_a) if row.ct_a is not None else None
            sealed[row.id] = (WrappedKey(row.kek_version, bytes(row.wrapped_key)), ct_a, bytes(row.ct_b))
        return RouteSnapshot(number=record, candidates=list(candidates.values()), sealed=sealed)

    def route_holder(self, number: str, key: bytes) -> str | None:
        return self._c.execute(
            select(_r.c.binding_id).where(_r.c.number == number, _r.c.route_key == key)
        ).scalar_one_or_none()

    def extensions_on(self, number: str) -> list[str]:
        rows = self._c.execute(
            select(_b.c.extension).where(
                _b.c.number == number, _b.c.ended_at.is_(None), _b.c.extension.is_not(None)
            )
        ).scalars()
        return [value for value in rows if value is not None]

    def end_binding(self, binding_id: str, at: datetime, reason: str) -> bool:
        result = self._c.execute(
            update(_b)
            .where(_b.c.id == binding_id, _b.c.ended_at.is_(None))
            .values(
                ended_at=at, ended_reason=reason, live_waybill_id=None, wrapped_key=b"", ct_a=None, ct_b=b""
            )
        )
        if result.rowcount != 1:
            return False
        self._c.execute(delete(_r).where(_r.c.binding_id == binding_id))
        return True

    def set_expiry(self, binding_id: str, expires_at: datetime | None) -> None:
        self._c.execute(update(_b).where(_b.c.id == binding_id).values(expires_at=expires_at))

    def set_provider_ref(self, binding_id: str, provider_ref: str) -> None:
        self._c.execute(update(_b).where(_b.c.id == binding_id).values(provider_ref=provider_ref))

    def replace_party_a(
        self, record: BindingRecord, *, courier_id: int, bi_a: bytes, ct_a: bytes, keys: Sequence[bytes]
    ) -> None:
        self._c.execute(
            update(_b).where(_b.c.id == record.id).values(courier_id=courier_id, bi_a=bi_a, ct_a=ct_a)
        )
        self._c.execute(delete(_r).where(_r.c.binding_id == record.id))
        self._add_routes(record, keys)

    def due(self, now: datetime, limit: int) -> list[BindingRecord]:
        rows = self._c.execute(
            select(_b)
            .where(_b.c.ended_at.is_(None), _b.c.expires_at.is_not(None), _b.c.expires_at <= now)
            .order_by(_b.c.expires_at)
            .limit(limit)
        ).all()
        return [_binding(row) for row in rows]

    def live_count(self) -> int:
        return int(
            self._c.execute(select(func.count()).select_from(_b).where(_b.c.ended_at.is_(None))).scalar_one()
        )

    def binding_keys_below(self, version: int) -> list[tuple[str, WrappedKey]]:
        rows = self._c.execute(
            select(_b.c.id, _b.c.kek_version, _b.c.wrapped_key).where(
                _b.c.ended_at.is_(None), _b.c.kek_version < version
            )
        ).all()
        return [(row.id, WrappedKey(row.kek_version, bytes(row.wrapped_key))) for row in rows]

    def replace_binding_key(self, binding_id: str, wrapped: WrappedKey) -> None:
        self._c.execute(
            update(_b)
            .where(_b.c.id == binding_id)
            .values(kek_version=wrapped.kek_version, wrapped_key=wrapped.blob)
        )

    def phone_keys_below(self, version: int) -> list[tuple[int, WrappedKey]]:
        rows = self._c.execute(
            select(_p.c.user_id, _p.c.kek_version, _p.c.wrapped_key).where(_p.c.kek_version < version)
        ).all()
        return [(row.user_id, WrappedKey(row.kek_version, bytes(row.wrapped_key))) for row in rows]

    def replace_phone_key(self, user_id: int, wrapped: WrappedKey) -> None:
        self._c.execute(
            update(_p)
            .where(_p.c.user_id == user_id)
            .values(kek_version=wrapped.kek_version, wrapped_key=wrapped.blob)
        )

    # -- the phones of the carrier's people -------------------------------------------------------------

    def put_phone(self, record: PartyPhoneRecord) -> None:
        values = {
            "bi_mobile": record.bi_mobile,
            "kek_version": record.wrapped_key.kek_version,
            "wrapped_key": record.wrapped_key.blob,
            "ct_mobile": record.ct_mobile,
            "updated_at": record.updated_at,
        }
        result = self._c.execute(update(_p).where(_p.c.user_id == record.user_id).values(**values))
        if result.rowcount == 0:
            self._c.execute(insert(_p).values(user_id=record.user_id, **values))

    def get_phone(self, user_id: int) -> PartyPhoneRecord | None:
        row = self._c.execute(select(_p).where(_p.c.user_id == user_id)).first()
        if row is None:
            return None
        return PartyPhoneRecord(
            user_id=row.user_id,
            bi_mobile=bytes(row.bi_mobile),
            wrapped_key=WrappedKey(row.kek_version, bytes(row.wrapped_key)),
            ct_mobile=bytes(row.ct_mobile),
            updated_at=row.updated_at,
        )
