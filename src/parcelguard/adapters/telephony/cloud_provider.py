"""A cloud number-protection API as the number provider, in the shape of Alibaba Cloud's Phone Number
Protection (号码隐私保护, ``dyplsapi`` 2017-05-25).

Requests are RPC-style: a form-encoded POST with ``Action`` and the common parameters (``Format=JSON``,
``Version``, ``AccessKeyId``, ``Timestamp``, ``SignatureMethod=HMAC-SHA1``, ``SignatureVersion=1.0``,
``SignatureNonce``) signed as Alibaba Cloud's POP signature v1: HMAC-SHA1 over
``POST&%2F&`` + the percent-encoded (RFC 3986) sorted query, keyed with ``AccessKeySecret + "&"``.

Actions used, with their documented fields:

- ``BindAxb``: ``PoolKey``, ``PhoneNoA`` (our courier), ``PhoneNoB`` (our recipient), ``PhoneNoX``,
  ``Expiration`` (``yyyy-MM-dd HH:mm:ss``, China time), ``OutId`` -> ``SecretBindDTO.{SubsId, SecretNo}``.
- ``BindAxn``: ``PhoneNoA`` is the protected party anyone reaches through X (our recipient), ``PhoneNoB``
  the party ``PhoneNoA`` reaches when calling X (our courier).
- ``BindAxnExtension``: as ``BindAxn`` with ``Extension`` -> ``SecretBindDTO.Extension``.
- ``UnbindSubscription``: ``PoolKey``, ``SubsId``, ``SecretNo``.
- ``QuerySubscriptionDetail``: ``PoolKey``, ``SubsId``, ``PhoneNoX`` -> ``SecretBindDetailDTO.Status``
  (1: in force).
- Answers carry ``Code`` (``OK`` or an error code such as ``isv.NO_AVAILABLE_NUMBER``), ``Message``,
  ``RequestId``.
- Call records are pushed as ``SecretReport`` (a JSON array): ``call_id``, ``sub_id``, ``secret_no``,
  ``call_type`` (0 A called, 1 B called, 4 intercepted), ``call_time`` (dialled), ``start_time`` (answered;
  equal to ``release_time`` when not connected), ``release_time``, ``release_cause``; the real numbers in
  ``phone_no`` / ``peer_no`` are read by nobody here.

Errors are ConflictError ``provider_failed`` naming the provider's code, never its message (which may
echo a number).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from parcelguard.domain.china_time import CHINA_STANDARD_TIME
from parcelguard.domain.virtual_number import BindingModel
from parcelguard.errors import ConflictError, ErrorCode, ValidationError
from parcelguard.services.ports import ProviderBinding, ProviderCallRecord

API_VERSION = "2017-05-25"
DEFAULT_LIFETIME = timedelta(days=30)  # what a binding without an end asks for (the parcel is moving)
_ACTIONS = {BindingModel.AXB: "BindAxb", BindingModel.AXN: "BindAxn", BindingModel.AXE: "BindAxnExtension"}
_TIME = "%Y-%m-%d %H:%M:%S"


def percent_encode(text: str) -> str:
    """RFC 3986 percent-encoding as the POP signature wants it (``~`` kept, space as ``%20``)."""
    return urllib.parse.quote(text, safe="~")


def sign(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    """The POP v1 signature of ``params`` (without ``Signature``)."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def china_time(at: datetime) -> str:
    return at.astimezone(CHINA_STANDARD_TIME).strftime(_TIME)


def _parse_time(raw: object, field: str) -> datetime:
    if not isinstance(raw, str):
        raise ValidationError(f"{field} is a time yyyy-MM-dd HH:mm:ss", field=field)
    try:
        return datetime.strptime(raw, _TIME).replace(tzinfo=CHINA_STANDARD_TIME)
    except ValueError:
        raise ValidationError(f"{field} is a time yyyy-MM-dd HH:mm:ss", field=field) from None


class CloudNumberProvider:
    """Bindings pushed to the cloud API; calls are carried by the provider, who pushes records back."""

    def __init__(
        self,
        endpoint: str,
        *,
        access_key_id: str,
        access_key_secret: str,
        pool_key: str,
        timeout_s: float = 5.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if not _endpoint_allowed(endpoint):
            raise ValidationError(
                "the provider endpoint must be https (or loopback for tests)", field="endpoint"
            )
        self._endpoint = endpoint
        self._key_id = access_key_id
        self._secret = access_key_secret
        self._pool = pool_key
        self._timeout = timeout_s
        self._clock = clock

    @property
    def name(self) -> str:
        return "cloud"

    def bind(self, binding: ProviderBinding) -> str:
        expires = binding.expires_at or self._clock() + DEFAULT_LIFETIME
        params = {"PoolKey": self._pool, "PhoneNoX": binding.number, "Expiration": china_time(expires)}
        params["OutId"] = binding.binding_id
        if binding.model is BindingModel.AXB:
            if binding.party_a is None:
                raise ConflictError("an axb binding needs both parties", code=ErrorCode.PARTY_PHONE_MISSING)
            params.update(PhoneNoA=binding.party_a, PhoneNoB=binding.party_b)
        else:
            params["PhoneNoA"] = binding.party_b
            if binding.party_a is not None:
                params["PhoneNoB"] = binding.party_a
            if binding.model is BindingModel.AXE and binding.extension is not None:
                params["Extension"] = binding.extension
        answer = self._call(_ACTIONS[binding.model], params)
        dto = answer.get("SecretBindDTO")
        if not isinstance(dto, dict) or not isinstance(dto.get("SubsId"), str | int):
            raise ConflictError("the number provider answered without SubsId", code=ErrorCode.PROVIDER_FAILED)
        return str(dto["SubsId"])

    def unbind(self, provider_ref: str, number: str) -> None:
        self._call("UnbindSubscription", {"PoolKey": self._pool, "SubsId": provider_ref, "SecretNo": number})

    def query(self, provider_ref: str, number: str) -> bool:
        params = {"PoolKey": self._pool, "SubsId": provider_ref, "PhoneNoX": number}
        detail = self._call("QuerySubscriptionDetail", params).get("SecretBindDetailDTO")
        return isinstance(detail, dict) and detail.get("Status") == 1

    def parse_call_record(self, payload: Mapping[str, object]) -> ProviderCallRecord:
        """One ``SecretReport`` item: ids, X, times (China time) and the outcome; never the real numbers."""
        call_id, sub_id, secret_no = payload.get("call_id"), payload.get("sub_id"), payload.get("secret_no")
        if not isinstance(call_id, str) or not 0 < len(call_id) <= 100:
            raise ValidationError("call_id is 1-100 characters", field="call_id")
        if not isinstance(sub_id, str | int) or not isinstance(secret_no, str):
            raise ValidationError("a call record names sub_id and secret_no", field="sub_id")
        dialled = _parse_time(payload.get("call_time"), "call_time")
        start = _parse_time(payload.get("start_time"), "start_time")
        released = _parse_time(payload.get("release_time"), "release_time")
        if payload.get("call_type") == 4:  # the documented code of an intercepted call
            outcome = "rejected"
        elif released > start:
            outcome = "answered"
        else:
            outcome = "cancelled" if payload.get("release_dir") == 1 else "no_answer"  # 1: the caller hung up
        return ProviderCallRecord(
            provider_ref=str(sub_id),
            call_id="pls_" + call_id,
            number=secret_no,
            started_at=dialled,
            answered_at=start if outcome == "answered" else None,
            ended_at=released,
            outcome=outcome,
        )

    def _call(self, action: str, params: Mapping[str, str]) -> dict[str, object]:
        common = {
            "Action": action,
            "Format": "JSON",
            "Version": API_VERSION,
            "AccessKeyId": self._key_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": secrets.token_hex(16),
            "Timestamp": self._clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        signed = {**common, **params}
        signed["Signature"] = sign(signed, self._secret)
        body = urllib.parse.urlencode(signed, quote_via=urllib.parse.quote).encode()
        request = urllib.request.Request(  # noqa: S310 - the endpoint's scheme is checked at construction
            self._endpoint,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            answer = _error_body(error)
        except (OSError, ValueError) as error:
            raise ConflictError(
                f"the number provider is unreachable ({type(error).__name__})", code=ErrorCode.PROVIDER_FAILED
            ) from None
        if not isinstance(answer, dict) or answer.get("Code") != "OK":
            code = answer.get("Code") if isinstance(answer, dict) else None
            shown = code if isinstance(code, str) and _SAFE_CODE.match(code) else "no code"  # never its text
            raise ConflictError(
                f"the number provider refused {action}: {shown}",
                code=ErrorCode.PROVIDER_FAILED,
            )
        return answer


_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_SAFE_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,63}$")


def _endpoint_allowed(endpoint: str) -> bool:
    """https anywhere, plain http only to this machine: the requests carry real numbers. The host is
    compared whole (``http://localhost.example.net`` or ``http://127.0.0.1.nip.io`` are not loopback)."""
    try:
        url = urllib.parse.urlsplit(endpoint)
        host = url.hostname
        url.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    if url.scheme == "https":
        return bool(host)
    return url.scheme == "http" and host in _LOOPBACK


def _error_body(error: urllib.error.HTTPError) -> dict[str, object]:
    try:
        parsed = json.loads(error.read())
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
