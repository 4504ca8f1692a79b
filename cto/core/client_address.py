"""The address a request came from, as every per-address limit counts it.

One function for all of them: the intake's limits (django-ratelimit calls it through
RATELIMIT_IP_META_KEY), allauth's sign-in and code limits (the account adapter's
``get_client_ip``) and the address recorded with a quote's signature. Behind a reverse proxy
the connecting address is the proxy's for every visitor, so CLIENT_ADDRESS_META_KEY names the
header in which the proxy writes the client's address (docs/deployment.md).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# When neither the header nor the connection gives an address (a Unix socket without the
# header): one shared bucket, strict rather than unlimited.
UNKNOWN = "0.0.0.0"  # noqa: S104  # an address to count by, never one to bind to


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The client's address: from the configured header if it holds one, else the connection's.

    Of a list (``X-Forwarded-For: forged, 198.51.100.7``) the last entry counts: it is the one
    the nearest proxy, ours, wrote; whatever the client sent comes before it. A header the
    proxy did not set, or one that holds no address, falls back to the connection's address.
    """
    key = settings.CLIENT_ADDRESS_META_KEY
    if key != "REMOTE_ADDR":
        found = _address(str(request.META.get(key, "")).rsplit(",", 1)[-1])
        if found:
            return found
    return _address(str(request.META.get("REMOTE_ADDR", ""))) or UNKNOWN
