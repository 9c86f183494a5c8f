"""Who is asking: the address the rate limits count by.

By default the TCP peer, whatever headers say: ``X-Forwarded-For`` is written by the client unless a
proxy in front rewrites it, so believing it lets one client pose as ten thousand. When the operator names
its reverse proxies (PARCELGUARD_TRUSTED_PROXIES), a request whose peer is one of them is attributed to
the right-most address in ``X-Forwarded-For`` that is not a trusted proxy: each proxy appends the peer it
saw, so everything right of that address was written by proxies we trust and everything left of it by
the client. IPv6 clients are counted by their /64, the block one subscriber usually holds.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from fastapi import Request

from parcelguard.bootstrap import Runtime

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.9:5123"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: Sequence[Network]) -> bool:
    return any(address in network for network in networks)


def _key(address: Address) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def resolve_client(peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The rate-limit key for a request from ``peer`` carrying ``X-Forwarded-For`` header values."""
    peer_address = _parse(peer) if peer else None
    if peer_address is None:
        return peer or "unknown"
    if not trusted or not _trusted(peer_address, trusted):
        return _key(peer_address)
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    client = peer_address
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break  # not written by a proxy we trust: stop at the last hop that was
        client = address
        if not _trusted(address, trusted):
            break
    return _key(client)


def client_of(request: Request, runtime: Runtime) -> str:
    """The rate-limit key of ``request`` under the runtime's trusted proxies."""
    peer = request.client.host if request.client else None
    return resolve_client(
        peer, request.headers.getlist("x-forwarded-for"), runtime.settings.trusted_proxy_networks
    )
