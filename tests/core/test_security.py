"""Security headers of the pages: a strict Content-Security-Policy with per-request nonces,
relaxed only for the admin's own inline styles."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cto.users.models import User

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


def test_pages_get_a_strict_policy_with_the_nonce_their_scripts_carry(client: Client) -> None:
    response = client.get("/intake/")
    directives = policy(response)
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
    assert f'nonce="{nonce}"' in response.text  # the htmx script tag
    for directive in directives.values():
        assert "unsafe-inline" not in directive
        assert "unsafe-eval" not in directive
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["object-src"] == "object-src 'none'"
    assert client.get("/intake/")["Content-Security-Policy"] != response["Content-Security-Policy"]


def test_only_the_admin_may_use_inline_styles(client: Client, operator: User) -> None:
    client.force_login(operator)
    admin = policy(client.get("/admin/"))
    assert "'unsafe-inline'" in admin["style-src"]
    assert "'unsafe-inline'" not in policy(client.get("/portal/"))["style-src"]


def test_pages_with_client_data_are_not_cached(client: Client, client_user: User) -> None:
    client.force_login(client_user)
    assert "no-store" in client.get("/portal/")["Cache-Control"]
