"""Which client-typed addresses a PDF report may print as clickable links. A pure module.

A link in a deliverable is one click from the reader's machine, inside their own network: an
address typed by a client must not become a click to the reader's loopback, router or intranet,
nor to a file, script or data URL. Only http(s) addresses on public hosts are linked; every
other is printed as text. Decided from the address alone: no DNS lookup at render time (the
answer would change from one rendering to the next, and a name's owner can point it anywhere
later anyway; what is refused here are the addresses that are private by their form)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

# Names that never resolve on the public internet: loopback (RFC 6761), multicast DNS
# (RFC 6762), home networks (RFC 8375), and the suffixes companies use for their intranets.
PRIVATE_SUFFIXES = (
    "localhost",
    "local",
    "internal",
    "intranet",
    "home.arpa",
    "lan",
    "corp",
    "home",
    "private",
)


def public_link(url: str) -> str | None:
    """``url`` when it is an http(s) address on a public host, else None (print it as text)."""
    if not url or any(character.isspace() or ord(character) < 32 for character in url):
        return None
    if "\\" in url:  # browsers read a backslash as a slash: the host would not be the one seen
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if parts.username is not None or parts.password is not None:
        return None  # https://bank.example@elsewhere.example/ reads as one host and is another
    if not host.isascii():
        # As a browser would read it (IDNA): fullwidth digits and ideographic full stops
        # included, so that no spelling of 127.0.0.1 passes for a name.
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return None
    return url if _is_public_host(host.rstrip(".")) else None


def _is_public_host(host: str) -> bool:
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host)
    except ValueError:
        if "%" in host:
            return False  # a browser decodes it: 127.0.0%2E1 is 127.0.0.1
        last = host.rsplit(".", 1)[-1]
        if last.isascii() and (last.isdigit() or last.lower().startswith("0x")):
            # A host whose last label is a number is an IPv4 address to a browser (WHATWG
            # URL), in forms ``ipaddress`` refuses: 127.1, 0177.0.0.1, 0x7f.0.0.1, 2130706433.
            try:
                address = ipaddress.IPv4Address(socket.inet_aton(host))
            except OSError:
                return False  # no public name ends in a number
        else:
            if "." not in host:
                return False  # a single label resolves only inside some network
            return not any(
                host == suffix or host.endswith("." + suffix) for suffix in PRIVATE_SUFFIXES
            )
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast
