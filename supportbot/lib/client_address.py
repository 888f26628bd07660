"""The real client address of a request behind trusted proxies, and the key limits count it under.

Daphne's own `--proxy-headers` believes the left-most `X-Forwarded-For` entry, which the client
writes itself. Here only the proxies the operator names (SUPPORTBOT_TRUSTED_PROXIES) are believed:
the client is the right-most entry that is not one of them, since each trusted proxy appends the
address it saw on the right.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# One IPv6 subscriber gets a whole /64: its 2**64 addresses must count as one.
IPV6_LIMIT_PREFIX = 64


def trusted_networks(entries: Iterable[str]) -> list[IPNetwork]:
    """Addresses or CIDR networks, as the setting lists them; raises ValueError naming a bad one."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network") from None
    return networks


def _parsed(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        parsed = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket counts as the IPv4 address.
    return parsed.ipv4_mapped or parsed if isinstance(parsed, ipaddress.IPv6Address) else parsed


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, trusted: Sequence[IPNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)


def client_address(peer: str, forwarded_for: Sequence[str], trusted: Sequence[IPNetwork]) -> str:
    """The client's address: the peer itself unless it is a trusted proxy; then the right-most
    `X-Forwarded-For` entry (over all such headers, in order) that is not a trusted proxy. An
    entry that is no address ends the walk at the proxy that passed it on."""
    current = _parsed(peer)
    if current is None or not _trusted(current, trusted):
        return str(current) if current is not None else peer
    entries = [entry for header in forwarded_for for entry in header.split(",") if entry.strip()]
    for entry in reversed(entries):
        hop = _parsed(entry)
        if hop is None:
            break
        current = hop
        if not _trusted(hop, trusted):
            break
    return str(current)


def limit_key(address: str) -> str:
    """What per-address limits count under: the address, or an IPv6 address's /64."""
    parsed = _parsed(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_LIMIT_PREFIX}", strict=False))
    return str(parsed) if parsed is not None else address


class TrustedProxyHeaders:
    """ASGI middleware (HTTP and WebSocket): scope["client"] becomes the real client address, and
    scope["scheme"] the one a trusted proxy reports in X-Forwarded-Proto (https pages pass
    Django's CSRF origin check). Headers from anyone else change nothing."""

    def __init__(self, app: Any, trusted: Sequence[IPNetwork]) -> None:
        self.app = app
        self.trusted = list(trusted)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted and scope.get("client"):
            scope = self._resolved(scope)
        await self.app(scope, receive, send)

    def _resolved(self, scope: dict[str, Any]) -> dict[str, Any]:
        peer, port = scope["client"][0], scope["client"][1]
        peer_address = _parsed(peer)
        if peer_address is None or not _trusted(peer_address, self.trusted):
            return scope
        headers = scope.get("headers", [])
        forwarded = [value.decode("latin-1") for name, value in headers if name.lower() == b"x-forwarded-for"]
        resolved = {**scope, "client": [client_address(peer, forwarded, self.trusted), port]}
        proto = next((v.decode("latin-1") for n, v in headers if n.lower() == b"x-forwarded-proto"), "")
        # A chain of proxies may append theirs: the first is the one the browser spoke to.
        proto = proto.split(",")[0].strip().lower()
        if proto in ("http", "https"):
            secure = proto == "https"
            resolved["scheme"] = ("wss" if secure else "ws") if scope["type"] == "websocket" else proto
        return resolved
