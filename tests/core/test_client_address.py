"""cto/core/client_address.py: the address every per-address limit counts by, read from the
header RATELIMIT_IP_META_KEY names (settings.CLIENT_ADDRESS_META_KEY), and the intake's limit
counting by it. allauth's sign-in limits by the same address: tests/users/test_login.py."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.fixtures import Settings

from cto.core.client_address import UNKNOWN, client_address
from tests.intake.factories import publish_shipped_tree

PROXY = "127.0.0.1"  # the connecting address of every request that came through the proxy


def _request(**meta: str) -> object:
    return RequestFactory().get("/", REMOTE_ADDR=meta.pop("REMOTE_ADDR", PROXY), **meta)


def test_by_default_the_connection_counts_and_forwarded_headers_are_ignored() -> None:
    request = _request(HTTP_X_FORWARDED_FOR="203.0.113.5", HTTP_X_REAL_IP="203.0.113.6")
    assert client_address(request) == PROXY  # type: ignore[arg-type]  # a RequestFactory request


@pytest.mark.parametrize(
    ("key", "meta", "expected"),
    [
        ("HTTP_X_REAL_IP", {"HTTP_X_REAL_IP": "203.0.113.5"}, "203.0.113.5"),
        # The proxy appends the connecting address: what the client wrote before it is ignored.
        ("HTTP_X_FORWARDED_FOR", {"HTTP_X_FORWARDED_FOR": "10.0.0.1, 203.0.113.5"}, "203.0.113.5"),
        ("HTTP_X_REAL_IP", {"HTTP_X_REAL_IP": " 2001:DB8::1 "}, "2001:db8::1"),
        # No header (a request that did not come through the proxy), or no address in it.
        ("HTTP_X_REAL_IP", {}, PROXY),
        ("HTTP_X_REAL_IP", {"HTTP_X_REAL_IP": "not an address"}, PROXY),
        ("HTTP_X_REAL_IP", {"HTTP_X_REAL_IP": "203.0.113.5\x00"}, PROXY),
        ("HTTP_X_REAL_IP", {"HTTP_X_REAL_IP": "", "REMOTE_ADDR": ""}, UNKNOWN),
    ],
)
def test_behind_a_proxy_the_header_counts(
    settings: Settings, key: str, meta: dict[str, str], expected: str
) -> None:
    settings.CLIENT_ADDRESS_META_KEY = key
    assert client_address(_request(**meta)) == expected  # type: ignore[arg-type]


@pytest.mark.django_db
def test_the_intakes_limit_counts_each_client_behind_the_proxy_apart(
    client: Client, settings: Settings
) -> None:
    """RATELIMIT_IP_META_KEY reaches django-ratelimit through client_address: one visitor
    spent, another (the same connecting address, the proxy's) still starts."""
    publish_shipped_tree()
    settings.CLIENT_ADDRESS_META_KEY = "HTTP_X_REAL_IP"
    settings.INTAKE_START_RATE = "2/h"
    start = reverse("intake:start")
    spent = [client.post(start, HTTP_X_REAL_IP="203.0.113.5").status_code for _ in range(3)]
    assert spent == [302, 302, 429]
    assert client.post(start, HTTP_X_REAL_IP="198.51.100.7").status_code == 302
