"""The address of the person behind a request: the one answer for sign-in limits (allauth's
adapter), the platform's own throttles (voting codes, ballots, the open data API) and logs.

Behind a reverse proxy the peer of the ASGI server is the proxy, not the visitor: every visitor
would share its address (a TCP proxy) or have none (a UNIX socket, where Daphne gives Django no
REMOTE_ADDR at all). The proxy tells the visitor's address in `X-Forwarded-For`, but so can
anybody: a client may send the header itself. So the header is believed only as far as it was
written by a proxy in `TRUSTED_PROXIES`.

The walk: start at the peer; while the address in hand is a trusted proxy, step one entry left
in `X-Forwarded-For` (each proxy appends the address it saw, so the rightmost entries are the
nearest hops). The first address that is not a trusted proxy is the client; what lies to its
left was written by the client or its own proxies and is never read. Under a UNIX socket the
peer has no address; it counts as a trusted proxy when `TRUSTED_PROXIES` holds "unix".

No address (an untrusted socket peer, or a trusted proxy that sent no usable header) gives
None: callers refuse the request rather than put every visitor into one shared bucket.
"""

import ipaddress
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

UNIX = "unix"  # in TRUSTED_PROXIES: a peer on a UNIX socket (it has no address)
IPV6_PREFIX = 64  # one IPv6 subscriber gets a /64: throttles count the whole network as one

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted(entries: list[str]) -> tuple[bool, tuple[Network, ...]]:
    """("unix" trusted?, the trusted networks) from TRUSTED_PROXIES; a bad entry is an error."""
    networks = []
    for entry in entries:
        if entry.lower() == UNIX:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is neither an IP address, a network (10.0.0.0/8) "
                f'nor "{UNIX}".'
            ) from exc
    return any(entry.lower() == UNIX for entry in entries), tuple(networks)


def parse_address(value: str) -> Address | None:
    """An address as proxies write it (1.2.3.4, 1.2.3.4:5678, 2001:db8::1, [2001:db8::1]:443);
    None for anything else ("unknown", an obfuscated nginx identifier, garbage)."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def resolve(
    *, peer: str, forwarded_for: str, trust_unix: bool, networks: tuple[Network, ...]
) -> Address | None:
    """The client's address from the peer ("" on a UNIX socket) and X-Forwarded-For. Pure."""
    hops = [hop for hop in forwarded_for.split(",") if hop.strip()] if forwarded_for else []
    if peer:
        current = parse_address(peer)
        if current is None or not any(current in net for net in networks):
            return current
    elif not trust_unix:
        return None
    else:
        current = None  # the trusted socket peer; its client is the rightmost entry
    while hops:
        current = parse_address(hops.pop())
        if current is None or not any(current in net for net in networks):
            return current
    return current  # every hop a trusted proxy: the farthest one is the client


def client_address(request) -> str | None:
    """The client's address as text, e.g. "203.0.113.7", or None when it cannot be known."""
    trust_unix, networks = parse_trusted(settings.TRUSTED_PROXIES)
    address = resolve(
        peer=request.META.get("REMOTE_ADDR") or "",
        forwarded_for=request.headers.get("X-Forwarded-For", ""),
        trust_unix=trust_unix,
        networks=networks,
    )
    if address is None:
        logger.error(
            "No client address for %s (peer %r, X-Forwarded-For %r): behind a proxy, list it in "
            'TRUSTED_PROXIES ("unix" for a UNIX socket) and let it set X-Forwarded-For.',
            request.path,
            request.META.get("REMOTE_ADDR"),
            request.headers.get("X-Forwarded-For"),
        )
        return None
    return str(address)


def throttle_key(address: str) -> str:
    """What a throttle counts by: the address, or for IPv6 its /64 (one subscriber's network,
    whose 2^64 addresses would otherwise each get a fresh allowance)."""
    parsed = ipaddress.ip_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{parsed}/{IPV6_PREFIX}", strict=False).network_address)
    return str(parsed)
