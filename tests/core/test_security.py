"""Security headers of the pages: a strict Content-Security-Policy with per-request nonces,
the admin's pages included, which inline nothing it would refuse."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin import site
from django.test import Client
from django.urls import reverse

from cto.users.models import User
from tests.engagements.factories import EngagementFactory

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


def test_the_admin_gets_the_strict_policy_too(client: Client, operator: User) -> None:
    """Admin pages show what prospects and clients wrote: no inline script may run there."""
    client.force_login(operator)
    for path in ("/admin/", "/admin/engagements/engagement/", "/admin/users/user/add/"):
        directives = policy(client.get(path))
        assert directives["script-src"] == "script-src 'self'", path
        assert directives["style-src"] == "style-src 'self'", path
        assert "unsafe" not in " ".join(directives.values()), path


# What a strict policy would refuse in a page: an inline script or style, an event handler
# attribute, a javascript: URL.
INLINE = re.compile(
    r"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE
)


def test_no_admin_page_inlines_a_script_or_a_style(client: Client, operator: User) -> None:
    """Every registered model's list, add and change page, as the admin renders them here
    (Django's templates and our own): nothing the strict policy would refuse. The browser
    test (tests/e2e/test_admin.py) runs the admin's scripts under it."""
    engagement = EngagementFactory(lead=operator)
    client.force_login(operator)
    paths = ["/admin/", reverse("admin:engagements_engagement_change", args=[engagement.pk])]
    paths += [reverse("admin:users_user_change", args=[operator.pk])]
    for model in site._registry:
        opts = model._meta
        paths.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        paths.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    checked = 0
    for path in paths:
        # follow: a list of one row (the practice brand) leads to that row's page
        response = client.get(path, follow=True)
        if response.status_code == 403:  # an add page the admin does not offer
            continue
        assert response.status_code == 200, path
        assert INLINE.findall(response.text) == [], path
        checked += 1
    assert checked > len(site._registry)  # every list, and some add and change pages


def test_pages_with_client_data_are_not_cached(client: Client, client_user: User) -> None:
    client.force_login(client_user)
    assert "no-store" in client.get("/portal/")["Cache-Control"]
