"""cto/reports/links.py and {% client_link %}: which typed addresses a PDF prints as links."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils.html import escape

from cto.reports.links import public_link


@pytest.mark.parametrize(
    "url",
    [
        "https://docs.harbour.example/evidence.png",
        "http://harbour.example/a?b=c#d",
        "HTTPS://Harbour.Example/upper",
        "https://harbour.example:8443/port",
        "https://bücher.example/idn",
        "http://8.8.8.8/",
        "http://[2001:4860:4860::8888]/",
    ],
)
def test_web_addresses_on_public_hosts_are_links(url: str) -> None:
    assert public_link(url) == url


@pytest.mark.parametrize(
    "url",
    [
        # Not the web
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.harbour.example/a",
        "//harbour.example/no-scheme",
        "harbour.example",
        "",
        # Loopback, private, link-local, shared, reserved and multicast addresses
        "http://127.0.0.1/",
        "http://127.0.0.1:8000/admin/",
        "http://10.0.0.5/",
        "http://172.16.3.4/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://240.0.0.1/",
        "http://224.0.0.1/",
        "http://[::1]/",
        "http://[fe80::1%25eth0]/",
        "http://[fc00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.5]/",
        # IPv4 in the forms a browser reads and ipaddress refuses
        "http://127.1/",
        "http://0x7f.0.0.1/",
        "http://0177.0.0.1/",
        "http://2130706433/",
        "http://127.0.0%2E1/",
        "http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/",  # fullwidth digits
        "http://127\u30020\u30020\u30021/",  # ideographic full stops
        "http://harbour.999/",
        # Names that resolve only inside a network
        "http://localhost/",
        "http://LOCALHOST./",
        "http://app.localhost/",
        "http://printer.local/",
        "http://wiki.internal/",
        "http://router.home.arpa/",
        "http://intranet/",
        # Addresses that read as one host and are another, or do not parse
        "https://bank.example@elsewhere.example/",
        "https://user:secret@harbour.example/",
        "https://harbour.example\\@127.0.0.1/",
        "https://harbour.example:99999/",
        "https://harbour.example/ a space",
        "https://harbour.example/\x00",
        "http://[::1/",
    ],
)
def test_every_other_address_is_text(url: str) -> None:
    assert public_link(url) is None


def render(url: str) -> str:
    template = Template("{% load report_links %}{% client_link url %}")
    return template.render(Context({"url": url}))


def test_the_tag_links_a_public_address_and_escapes_it() -> None:
    assert render("https://harbour.example/?a=1&b=<2>") == (
        '<a href="https://harbour.example/?a=1&amp;b=&lt;2&gt;">'
        "https://harbour.example/?a=1&amp;b=&lt;2&gt;</a>"
    )


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "http://127.0.0.1/<b>", 'data:text/html,"><a href=x>']
)
def test_the_tag_prints_any_other_as_escaped_text(url: str) -> None:
    assert render(url) == escape(url)
