"""The SSRF guard: which URLs and addresses a webhook may be sent to."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from cto.webhooks.addresses import UnsafeUrl, url_check

PUBLIC = "93.184.215.14"  # a public address (nothing is sent: only resolved)


def _resolving_to(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> list[str]:
    """Make every name resolve to ``addresses`` (the network's DNS, not our code); returns
    the names asked for."""
    asked: list[str] = []

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        asked.append(host)
        family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
        return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("169.254.10.20", "link-local"),
        ("169.254.169.254", "cloud metadata"),
        ("0.0.0.0", "unspecified"),  # noqa: S104  # the address refused, not bound
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not a public address"),
        ("[::1]", "loopback"),
        ("[fc00::1]", "private"),
        ("[fd12:3456::1]", "private"),
        ("[fd00:ec2::254]", "cloud metadata"),
        ("[fe80::1]", "link-local"),
        ("[::ffff:10.0.0.1]", "private"),  # an IPv4 private address in IPv6 clothing
    ],
)
def test_an_address_that_is_not_public_is_refused(host: str, reason: str) -> None:
    with pytest.raises(UnsafeUrl, match=reason):
        url_check(f"https://{host}/hook")


def test_a_name_resolving_to_a_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = _resolving_to(monkeypatch, "10.0.0.7")
    with pytest.raises(UnsafeUrl, match=r"resolves to 10\.0\.0\.7, a private"):
        url_check("https://hooks.example.com/in")
    assert asked == ["hooks.example.com"]


def test_a_name_with_one_private_address_among_public_ones_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _resolving_to(monkeypatch, PUBLIC, "192.168.0.9")
    with pytest.raises(UnsafeUrl, match=r"192\.168\.0\.9"):
        url_check("https://hooks.example.com/in")


def test_localhost_by_name_is_refused() -> None:
    with pytest.raises(UnsafeUrl, match="loopback"):
        url_check("https://localhost/hook")


def test_a_public_name_gives_the_checked_address_to_connect_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _resolving_to(monkeypatch, PUBLIC)
    target = url_check("https://hooks.example.com:8443/in?x=1")
    assert (target.host, target.port, target.path, target.address) == (
        "hooks.example.com",
        8443,
        "/in?x=1",
        PUBLIC,
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/in", "must start with https://"),
        ("ftp://hooks.example.com/in", "must start with https://"),
        ("https:///in", "names no host"),
        ("https://user:pw@hooks.example.com/in", "user name or password"),
        ("https://hooks.example.com:99999/in", "not a URL"),
    ],
)
def test_a_malformed_or_plain_http_url_is_refused(url: str, message: str) -> None:
    with pytest.raises(UnsafeUrl, match=message):
        url_check(url)


def test_http_and_a_local_network_only_with_the_development_settings(
    settings: Settings,
) -> None:
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    assert url_check("http://127.0.0.1:9/hook").address == "127.0.0.1"
    with pytest.raises(UnsafeUrl, match="private"):
        url_check("http://10.0.0.1/hook")  # only the network named is let through
