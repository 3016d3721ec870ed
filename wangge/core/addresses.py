"""The client's address, as the audit trail and the lockout see it.

Behind a proxy, REMOTE_ADDR is the proxy. Its `X-Forwarded-For` is believed only when the request
comes from a configured trusted proxy (`WANGGE_TRUSTED_PROXIES`); the client is then the
rightmost hop that is not itself a trusted proxy (hops to its left were written by the client and
prove nothing). From anyone else the header is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in configured)


def _parse(text: str) -> IPAddress | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.9:51234
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request: HttpRequest) -> str:
    remote_text = str(request.META.get("REMOTE_ADDR", ""))
    networks = _networks(tuple(settings.WANGGE_TRUSTED_PROXIES))
    remote = _parse(remote_text)
    if remote is None or not networks or not _trusted(remote, networks):
        return remote_text[:64]
    client = remote
    hops = [hop for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:  # not an address: whatever is left of it is the client's own writing
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)[:64]
