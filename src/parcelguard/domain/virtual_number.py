"""Virtual numbers: the pool, binding models and the routing decision of number masking.

A courier and a customer call each other through a number X of the carrier's pool, the way the public
number-protection services work (Alibaba Cloud PLS, Twilio Proxy): a *binding* ties X to the parties of
one parcel until it expires. Three models:

- ``axb``: A (the courier) calling X reaches B (the recipient), B calling X reaches A. One X serves many
  pairs as long as no party number appears twice on it, so every caller's route through X is unambiguous.
- ``axe``: X plus a four-digit extension reaches B: the form printed on labels, ``17012345678-1234``.
  Before a courier is bound anyone holding the label may call it; after, only the courier. B calling X
  without an extension reaches the courier.
- ``axn``: anyone calling X reaches B; B calling X reaches the courier. X is B's alone while bound.

Nothing here does I/O. The decision works on keyed indexes of the caller (never the caller's number), so
the same function serves the database-backed service and the in-process benchmark. Real numbers are only
handled after the decision, by the service, to fetch the target.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from parcelguard.domain.pii.fold import fold_text
from parcelguard.domain.pii.mobile import Mobile
from parcelguard.errors import ConflictError, ErrorCode, ValidationError

DEFAULT_GRACE = timedelta(hours=72)  # after delivery or return, the number still works this long
DEFAULT_COOLDOWN = timedelta(hours=24)  # a number rests this long before serving another parcel
AXB_CAPACITY = 200  # pairs on one X (PLS documents "hundreds" per AXB number)
AXE_CAPACITY = 9999  # extensions 0001-9999 on one X
EXTENSION_DIGITS = 4
MAX_POOL_CHARS = 40
MAX_EXTENSION_HOURS = 720  # a binding is extended by at most 30 days at a time
_POOL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_PREFIX = re.compile(r"^1[0-9]{2,10}$")
# MIIT's segments of virtual (resale) operators, where masking services commonly hold their X numbers: a
# pool holds these, or blocks the carrier configures as its own (TelephonyPolicy.number_prefixes). The
# segments are issued to MVNO subscribers too: the check stops the common mistake (a 13x/15x/18x/19x
# mobile), not a mistyped number inside them, which only the carrier's own records can.
VIRTUAL_SEGMENTS: tuple[str, ...] = ("162", "165", "167", "170", "171")
_EXTENSION = re.compile(r"^[0-9]{1,4}$")


class BindingModel(StrEnum):
    AXB = "axb"
    AXE = "axe"
    AXN = "axn"


class NumberState(StrEnum):
    FREE = "free"
    BOUND = "bound"
    QUARANTINED = "quarantined"


class RejectReason(StrEnum):
    """Why a call is not connected; values are part of the routing API and the SIP server's mapping."""

    NO_BINDING = "no_binding"
    EXPIRED = "expired"
    CALLER_NOT_PARTY = "caller_not_party"
    NUMBER_QUARANTINED = "number_quarantined"


class Party(StrEnum):
    """Which side of a binding a call is put through to."""

    A = "a"
    B = "b"


@dataclass(frozen=True, slots=True)
class TelephonyPolicy:
    """How long numbers work and rest, whether dispatching a parcel binds one (``dispatch_model``; None:
    only explicit binds), and which numbers a pool may hold (``number_prefixes``, :func:`parse_pool_number`).
    """

    grace: timedelta = DEFAULT_GRACE
    cooldown: timedelta = DEFAULT_COOLDOWN
    dispatch_model: BindingModel | None = BindingModel.AXB
    number_prefixes: tuple[str, ...] = VIRTUAL_SEGMENTS


CAPACITY = {BindingModel.AXB: AXB_CAPACITY, BindingModel.AXE: AXE_CAPACITY, BindingModel.AXN: 1}


def parse_model(raw: str) -> BindingModel:
    """``axb``, ``axe`` or ``axn`` in any case; ValidationError ``invalid_request`` (field ``model``)."""
    try:
        return BindingModel(raw.strip().lower())
    except ValueError:
        raise ValidationError(
            "model must be one of axb, axe, axn", code=ErrorCode.INVALID_REQUEST, field="model"
        ) from None


def parse_pool(raw: str) -> str:
    """A pool name: a station code, a city's division code or ``default`` (1-40 of ``A-Za-z0-9_.-``)."""
    pool = raw.strip()
    if not _POOL.match(pool):
        raise ValidationError(
            "a pool is 1 to 40 letters, digits, '_', '.' or '-'", code=ErrorCode.INVALID_REQUEST, field="pool"
        )
    return pool


def is_pool_number(digits: str, prefixes: Sequence[str] = VIRTUAL_SEGMENTS) -> bool:
    """True when 11 stored digits fall in the masking ranges ``prefixes`` (no format checks)."""
    return digits.startswith(tuple(prefixes))


def parse_pool_number(raw: str, prefixes: Sequence[str] = VIRTUAL_SEGMENTS, *, field: str = "number") -> str:
    """A number a pool may hold, as stored (11 digits): a mobile in any spelling :class:`Mobile` reads,
    inside the masking ranges ``prefixes`` (MIIT's virtual-operator segments by default).

    Why: a pool number is handed out as the recipient's number (labels, a courier's reveal) and written
    whole to audit events, which is right only for the carrier's own masking lines; an ordinary subscriber's
    mobile imported by mistake would route strangers' calls to that person and leak their number.
    ValidationError ``invalid_mobile`` (``field``), never echoing the number.
    """
    try:
        digits = Mobile.parse(raw).value
    except ValidationError as error:
        raise ValidationError(error.message, code=error.code, field=field) from None
    if not is_pool_number(digits, prefixes):
        raise ValidationError(
            "is not in a virtual-number range: a pool number is the carrier's masking line, starting with "
            + " or ".join(prefixes),
            code=ErrorCode.INVALID_MOBILE,
            field=field,
        )
    return digits


def parse_number_prefixes(raw: str) -> tuple[str, ...]:
    """:data:`VIRTUAL_SEGMENTS` and the masking ranges a carrier adds, comma-separated (``1380013,1990000``).

    Each is 3 to 11 digits starting with 1: ValidationError ``invalid_request`` (field
    ``number_prefixes``) otherwise."""
    extra: list[str] = []
    for part in raw.split(","):
        prefix = part.strip()
        if not prefix:
            continue
        if not _PREFIX.match(prefix):
            raise ValidationError(
                "a number prefix is 3 to 11 digits starting with 1",
                code=ErrorCode.INVALID_REQUEST,
                field="number_prefixes",
            )
        extra.append(prefix)
    return tuple(dict.fromkeys([*VIRTUAL_SEGMENTS, *extra]))


def parse_extension(raw: str | None) -> str | None:
    """The extension zero-padded to four digits (``7`` -> ``0007``), or None when absent or blank."""
    if raw is None:
        return None
    text = fold_text(raw).strip()
    if not text:
        return None
    if not _EXTENSION.match(text) or int(text) == 0:
        raise ValidationError(
            "extension must be 1 to 4 digits, not all zero", code=ErrorCode.INVALID_REQUEST, field="extension"
        )
    return text.zfill(EXTENSION_DIGITS)


def split_label_form(called: str) -> tuple[str, str | None]:
    """``17012345678-1234`` -> (``17012345678``, ``1234``); a number without an extension is returned as is.

    Only a last group of 1-4 digits after a dash that follows at least eleven digits is an extension, so
    ``170-1234-5678`` stays one number.
    """
    text = fold_text(called).strip()
    head, dash, tail = text.rpartition("-")
    short = dash and tail.isascii() and tail.isdigit() and len(tail) <= EXTENSION_DIGITS
    if short and sum(ch.isdigit() for ch in head) >= 11:
        return head, tail
    return text, None


def label_form(number: str, extension: str | None) -> str:
    """What a label or a courier's screen prints: ``X`` or ``X-EEEE``."""
    return number if extension is None else f"{number}-{extension}"


# -- route keys: what a call to X may match ------------------------------------------------------------

NUMBER_KEY = b"n"


def party_key(index: bytes) -> bytes:
    """The route key of a party's keyed index on a number."""
    return b"p" + index


def extension_key(extension: str) -> bytes:
    return b"e" + extension.encode("ascii")


def route_keys(
    model: BindingModel, a_index: bytes | None, b_index: bytes, extension: str | None
) -> list[bytes]:
    """Every key a binding occupies on its number; two live bindings never share one (that would make a
    route ambiguous), which the storage enforces with a unique key per number.

    AXB holds both parties' keys (so a courier has at most one AXB binding per number); AXE holds its
    extension and B's key (one courier may hold thousands of extensions on one number); AXN holds the
    number itself and B's key.
    """
    if model is BindingModel.AXB:
        if a_index is None:
            raise ConflictError("an axb binding needs both parties", code=ErrorCode.PARTY_PHONE_MISSING)
        # a courier who is the recipient too holds one key: two equal keys would collide with each other
        return list(dict.fromkeys([party_key(a_index), party_key(b_index)]))
    if model is BindingModel.AXE:
        if extension is None:
            raise ValidationError("an axe binding needs an extension", code=ErrorCode.INVALID_REQUEST)
        return [extension_key(extension), party_key(b_index)]
    return [NUMBER_KEY, party_key(b_index)]


# -- the decision --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BindingView:
    """What the decision needs of a live binding: its model, keyed party indexes, extension, expiry."""

    binding_id: str
    model: BindingModel
    a_index: bytes | None
    b_index: bytes
    extension: str | None
    expires_at: datetime | None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


@dataclass(frozen=True, slots=True)
class NumberView:
    state: NumberState
    quarantined_until: datetime | None
    bindings: int


@dataclass(frozen=True, slots=True)
class Decision:
    """Connect to ``party`` of ``binding_id``, or reject with ``reason`` (``binding_id`` when one matched)."""

    reason: RejectReason | None
    binding_id: str | None = None
    party: Party | None = None
    caller_party: Party | None = None

    @property
    def connects(self) -> bool:
        return self.reason is None


def _reject(reason: RejectReason, binding: BindingView | None = None) -> Decision:
    return Decision(reason=reason, binding_id=binding.binding_id if binding else None)


def decide(
    *,
    number: NumberView | None,
    caller_index: bytes,
    extension: str | None,
    candidates: Iterable[BindingView],
    now: datetime,
) -> Decision:
    """Where a call from the caller (by keyed index) to X (with an optional extension) goes.

    ``candidates`` are the live bindings on X whose route keys the call may match (the caller's party
    key, the extension's key, X's own AXN key); ``number`` is X's pool record (None: not ours). Order of
    the checks: an unknown or free number is ``no_binding``; a quarantined one is ``number_quarantined``
    until its cool-down ends; a matched binding that is over is ``expired``; a bound number matched by
    nothing is ``caller_not_party``. Pure and O(len(candidates)).
    """
    if number is None or number.state is NumberState.FREE:
        return _reject(RejectReason.NO_BINDING)
    if number.state is NumberState.QUARANTINED:
        if number.quarantined_until is not None and now >= number.quarantined_until:
            return _reject(RejectReason.NO_BINDING)
        return _reject(RejectReason.NUMBER_QUARANTINED)
    as_party: BindingView | None = None
    by_extension: BindingView | None = None
    open_number: BindingView | None = None
    for view in candidates:
        if view.a_index == caller_index or view.b_index == caller_index:
            as_party = view
        if extension is not None and view.extension == extension:
            by_extension = view
        if view.model is BindingModel.AXN:
            open_number = view
    if extension is not None:
        return _by_extension(by_extension, caller_index, now)
    if as_party is not None:
        return _between_parties(as_party, caller_index, now)
    if open_number is not None:
        if open_number.expired(now):
            return _reject(RejectReason.EXPIRED, open_number)
        return Decision(reason=None, binding_id=open_number.binding_id, party=Party.B)
    return _reject(RejectReason.CALLER_NOT_PARTY if number.bindings > 0 else RejectReason.NO_BINDING)


def _by_extension(view: BindingView | None, caller_index: bytes, now: datetime) -> Decision:
    if view is None:
        return _reject(RejectReason.NO_BINDING)
    if view.expired(now):
        return _reject(RejectReason.EXPIRED, view)
    if view.b_index == caller_index:
        if view.a_index is None:
            return _reject(RejectReason.CALLER_NOT_PARTY, view)
        return Decision(reason=None, binding_id=view.binding_id, party=Party.A, caller_party=Party.B)
    if view.a_index is not None and view.a_index != caller_index:
        return _reject(RejectReason.CALLER_NOT_PARTY, view)
    caller_party = Party.A if view.a_index == caller_index else None
    return Decision(reason=None, binding_id=view.binding_id, party=Party.B, caller_party=caller_party)


def _between_parties(view: BindingView, caller_index: bytes, now: datetime) -> Decision:
    if view.expired(now):
        return _reject(RejectReason.EXPIRED, view)
    if view.a_index == caller_index:
        return Decision(reason=None, binding_id=view.binding_id, party=Party.B, caller_party=Party.A)
    if view.a_index is None:  # B calling back before a courier is bound: nobody to reach
        return _reject(RejectReason.CALLER_NOT_PARTY, view)
    return Decision(reason=None, binding_id=view.binding_id, party=Party.A, caller_party=Party.B)


def candidate_keys(caller_index: bytes, extension: str | None) -> list[bytes]:
    """The route keys a call may match on X: the caller's, the extension's (if any) and X's own (AXN)."""
    keys = [party_key(caller_index), NUMBER_KEY]
    if extension is not None:
        keys.append(extension_key(extension))
    return keys


# -- expiry, cool-down and the choice of a number ------------------------------------------------------


def expiry_after_end(ended_at: datetime, grace: timedelta = DEFAULT_GRACE) -> datetime:
    """When a binding stops working: the parcel's delivery or return plus the grace period (72 h default)."""
    return ended_at + grace


def extended(expires_at: datetime | None, now: datetime, by: timedelta) -> datetime:
    """A binding extended on request: ``by`` beyond its current end (or beyond now, if already over).

    A binding without an end (the parcel is still moving: it lasts until delivery or return plus the grace
    period) has nothing to extend, and giving it an end would cut it short: ValidationError
    ``invalid_transition`` (field ``tracking_number``), rather than a success that changes nothing.
    ValidationError ``invalid_request`` (field ``hours``) outside (0, 720] hours."""
    if by <= timedelta(0) or by > timedelta(days=30):
        raise ValidationError(
            "an extension is more than 0 and at most 720 hours", code=ErrorCode.INVALID_REQUEST, field="hours"
        )
    if expires_at is None:
        raise ValidationError(
            "this binding has no end yet: it lasts until the parcel is delivered or returned, plus the grace "
            "period; extend it once it has an end (vnum show prints it)",
            code=ErrorCode.INVALID_TRANSITION,
            field="tracking_number",
        )
    return max(expires_at, now) + by


def free_extension(taken: Sequence[str], draw: int) -> str | None:
    """An extension not in ``taken``, starting at ``draw`` (1-9999) and wrapping; None when all are used."""
    used = set(taken)
    for step in range(AXE_CAPACITY):
        value = (draw - 1 + step) % AXE_CAPACITY + 1
        candidate = f"{value:0{EXTENSION_DIGITS}d}"
        if candidate not in used:
            return candidate
    return None
