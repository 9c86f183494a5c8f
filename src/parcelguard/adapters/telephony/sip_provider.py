"""Our own SIP server (Kamailio, deploy/kamailio/) as the number provider.

Here the binding table is the truth: Kamailio asks ``POST /v1/telephony/route`` for every INVITE, so a
binding is in force the moment its transaction commits and over the moment it ends. Nothing is pushed
anywhere, so ``bind`` only names the binding for the switch (``sip:<binding id>``) and ``unbind`` has no
remote state to clear; ``query`` reads the binding table through the function bootstrap hands in.
Call records come from the switch in our own shape (``POST /v1/telephony/cdr``, docs/telephony.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from parcelguard.errors import ValidationError
from parcelguard.services.ports import ProviderBinding, ProviderCallRecord

PREFIX = "sip:"


class SipNumberProvider:
    def __init__(self, is_live: Callable[[str], bool]) -> None:
        self._is_live = is_live

    @property
    def name(self) -> str:
        return "sip"

    def bind(self, binding: ProviderBinding) -> str:
        return PREFIX + binding.binding_id

    def unbind(self, provider_ref: str, number: str) -> None:
        if not provider_ref.startswith(PREFIX):
            raise ValidationError("not a reference of the SIP provider", field="provider_ref")

    def query(self, provider_ref: str, number: str) -> bool:
        return provider_ref.startswith(PREFIX) and self._is_live(provider_ref.removeprefix(PREFIX))

    def parse_call_record(self, payload: Mapping[str, object]) -> ProviderCallRecord:
        """The switch's own record: ``call_id`` (from the route answer), ``number``, ISO 8601 times with a
        zone (``started_at``, ``answered_at`` or null, ``ended_at``) and ``outcome``."""
        call_id, number, outcome = payload.get("call_id"), payload.get("number"), payload.get("outcome")
        if not isinstance(call_id, str) or not isinstance(number, str) or not isinstance(outcome, str):
            raise ValidationError("a call record names call_id, number and outcome", field="call_id")
        answered = payload.get("answered_at")
        return ProviderCallRecord(
            provider_ref=PREFIX + str(payload.get("binding", "")),
            call_id=call_id,
            number=number,
            started_at=_time(payload.get("started_at"), "started_at"),
            answered_at=_time(answered, "answered_at") if answered is not None else None,
            ended_at=_time(payload.get("ended_at"), "ended_at"),
            outcome=outcome,
        )


def _time(raw: object, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"{field} is an ISO 8601 time with a zone", field=field) from None
    if parsed.tzinfo is None:
        raise ValidationError(f"{field} needs a zone", field=field)
    return parsed
