"""Where a webhook may be sent: the SSRF guard.

A URL is refused unless it is https (http only with WEBHOOK_ALLOW_HTTP, for development) and
every address its host resolves to is a public one: no loopback, private, link-local,
multicast, reserved or unspecified address, and no cloud metadata service. The check runs when
an endpoint is saved and again, resolving afresh, before every send; the send then connects to
an address this check returned, so a name cannot resolve to a public address for the check and
to a private one for the connection (DNS rebinding)."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# The instance metadata services of the clouds (AWS's IPv4 one is also link-local; its IPv6 one
# is inside fc00::/7): named, so that the refusal says what it is.
METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class UnsafeUrl(ValueError):
    """The URL may not be sent to; the message says why, in words an owner can act on."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``address``) and what to ask for there."""

    scheme: str
    host: str
    port: int
    path: str  # with the query
    address: str  # the checked address the connection is made to


def address_problem(address: IPAddress) -> str | None:
    """Why ``address`` may not receive webhooks, or None. Pure."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for network in settings.WEBHOOK_ALLOWED_NETWORKS:
        if address in ipaddress.ip_network(network):
            return None
    if address in METADATA:
        return "a cloud metadata address"
    checks = (
        ("is_loopback", "a loopback address"),
        ("is_unspecified", "an unspecified address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    )
    for attribute, label in checks:
        if getattr(address, attribute):
            return label
    if not address.is_global:  # shared address space (100.64/10), documentation ranges...
        return "not a public address"
    return None


def url_parts(url: str) -> tuple[str, str, int, str]:
    """The scheme, host, port and path of ``url``, or UnsafeUrl. Pure."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise UnsafeUrl(f"This is not a URL that can be sent to ({error}).") from error
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise UnsafeUrl("The URL must start with https:// (webhooks are only sent encrypted).")
    if not parts.hostname:
        raise UnsafeUrl("The URL names no host.")
    if parts.username or parts.password:
        raise UnsafeUrl(
            "The URL may not carry a user name or password: the signature is the proof."
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def url_check(url: str) -> Target:
    """Resolve ``url``'s host now and return where to connect, or UnsafeUrl if the URL or any
    address its host resolves to is refused."""
    scheme, host, port, path = url_parts(url)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeUrl(f"The host “{host}” cannot be found.") from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses:
        raise UnsafeUrl(f"The host “{host}” has no address.")
    for text in addresses:
        # A scoped IPv6 address ("fe80::1%eth0") is link-local: its scope is not part of it.
        problem = address_problem(ipaddress.ip_address(text.split("%", 1)[0]))
        if problem:
            # Every address, not just the first: a name with one public and one private
            # address would be sent to the private one whenever the resolver reorders them.
            raise UnsafeUrl(
                f"The host “{host}” resolves to {text}, {problem}: webhooks are only sent to "
                "public addresses."
            )
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])
