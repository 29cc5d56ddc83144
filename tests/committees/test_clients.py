"""The client's address behind proxies: X-Forwarded-For is read only as far as trusted proxies
wrote it."""

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured

from committees import clients

NGINX = "10.0.0.5"


def resolve(peer: str, forwarded_for: str = "", trusted: tuple[str, ...] = (NGINX,)) -> str:
    trust_unix, networks = clients.parse_trusted(list(trusted))
    address = clients.resolve(
        peer=peer, forwarded_for=forwarded_for, trust_unix=trust_unix, networks=networks
    )
    return str(address) if address else None


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "trusted", "client"),
    [
        # Straight from the visitor: the header, whatever it says, is the visitor's own writing.
        ("198.51.100.7", "", (NGINX,), "198.51.100.7"),
        ("198.51.100.7", "192.0.2.1", (NGINX,), "198.51.100.7"),
        # Through the trusted proxy, which appends the address it saw.
        (NGINX, "203.0.113.1", (NGINX,), "203.0.113.1"),
        (NGINX, "192.0.2.66, 203.0.113.1", (NGINX,), "203.0.113.1"),
        (NGINX, "unknown, 203.0.113.1", (NGINX,), "203.0.113.1"),
        # Two trusted hops (a load balancer in front of nginx); a network entry.
        (NGINX, "203.0.113.1, 10.0.1.9", (NGINX, "10.0.1.0/24"), "203.0.113.1"),
        (NGINX, "192.0.2.66, 203.0.113.1, 10.0.1.9", (NGINX, "10.0.1.0/24"), "203.0.113.1"),
        # A visitor inside the trusted network: the farthest trusted hop.
        (NGINX, "10.0.1.9", (NGINX, "10.0.1.0/24"), "10.0.1.9"),
        # The trusted proxy sent no header: its own address is all there is.
        (NGINX, "", (NGINX,), NGINX),
        # A UNIX socket: no peer address; trusted only when "unix" is listed.
        ("", "203.0.113.1", ("unix",), "203.0.113.1"),
        ("", "192.0.2.66,203.0.113.1", ("unix",), "203.0.113.1"),
        ("", "203.0.113.1", (NGINX,), None),
        ("", "", ("unix",), None),
        # What proxies write: ports, brackets, IPv4 mapped into IPv6, IPv6.
        (NGINX, "203.0.113.1:51234", (NGINX,), "203.0.113.1"),
        (NGINX, "[2001:db8::7]:443", (NGINX,), "2001:db8::7"),
        (NGINX, "2001:db8::7", (NGINX,), "2001:db8::7"),
        ("::ffff:10.0.0.5", "203.0.113.1", (NGINX,), "203.0.113.1"),
        # Garbage where the client should be: unknown, never the garbage nor a neighbour.
        (NGINX, "203.0.113.1, not-an-address", (NGINX,), None),
        ("not-an-address", "", (NGINX,), None),
    ],
)
def test_resolve(peer, forwarded_for, trusted, client):
    assert resolve(peer, forwarded_for, trusted) == client


def test_a_mistyped_proxy_is_an_error_at_start():
    with pytest.raises(ImproperlyConfigured, match="10.0.0.300"):
        clients.parse_trusted(["unix", "10.0.0.300"])


def test_throttles_count_an_ipv6_subscriber_as_one_network():
    assert clients.throttle_key("2001:db8:1:2::1") == clients.throttle_key("2001:db8:1:2:ff::9")
    assert clients.throttle_key("2001:db8:1:2::1") != clients.throttle_key("2001:db8:1:3::1")
    assert clients.throttle_key("203.0.113.1") == "203.0.113.1"
    assert ipaddress.ip_address(clients.throttle_key("2001:db8:1:2::1")) in ipaddress.ip_network(
        "2001:db8:1:2::/64"
    )
