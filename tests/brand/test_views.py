"""The brand on the pages: title, header, footer, colours (cto/brand/context_processors.py,
views.py), read from the cache, never a query per request once it is warm."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from cto.brand import selectors
from cto.users.models import User
from tests.brand.factories import brand_create

pytestmark = pytest.mark.django_db


def test_a_page_shows_the_practice_s_name_logo_colour_and_contact(client: Client) -> None:
    brand_create()
    page = client.get(reverse("intake:home")).content.decode()
    version = selectors.brand_current().version
    assert "· Kestrel Technology Partners</title>" in page
    assert f'<link rel="stylesheet" href="/brand/brand.css?v={version}">' in page
    assert f'<img class="brand-logo" src="/brand/logo.svg?v={version}" alt=""' in page
    assert "Torstrasse 140<br>10119 Berlin" in page
    assert '<a href="mailto:office@kestrel-partners.eu">' in page
    css = client.get(f"/brand/brand.css?v={version}")
    assert css["Content-Type"] == "text/css; charset=utf-8"
    assert css.content.decode() == ":root { --brand-primary: #0f5132; --brand-accent: #d97706; }\n"
    assert css["Cache-Control"] == "public, max-age=31536000, immutable"


def test_without_a_row_the_pages_show_the_settings_brand(
    client: Client, settings: Settings
) -> None:
    settings.BRAND_NAME = "Harbour & Field"
    settings.BRAND_PRIMARY_COLOR = "#334155"
    cache.clear()
    page = client.get(reverse("home")).content.decode()
    assert '<span class="brand-name">Harbour &amp; Field</span>' in page
    assert "--brand-primary: #334155" in client.get(reverse("brand:stylesheet")).content.decode()


def test_the_logo_is_served_sanitised_with_a_short_cache_when_unversioned(client: Client) -> None:
    brand_create()
    response = client.get(reverse("brand:logo"))
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300"
    assert response.content.decode() == selectors.brand_current().logo_svg
    assert b"<svg " in response.content


def test_a_warm_brand_costs_no_query_and_a_cold_one_query(
    client: Client, client_user: User, django_assert_num_queries
) -> None:
    client.force_login(client_user)
    # Warm (as tests/conftest.py leaves it): the user, the engagements (session cached).
    with django_assert_num_queries(2):
        client.get(reverse("engagements:portal_home"))
    cache.delete(selectors.CACHE_KEY)
    with django_assert_num_queries(3):  # ... and the brand row, once
        client.get(reverse("engagements:portal_home"))
    with django_assert_num_queries(2):
        client.get(reverse("engagements:portal_home"))
    with django_assert_num_queries(0):
        client.get(reverse("brand:stylesheet"))


def test_allauth_s_pages_are_titled_in_the_brand(client: Client) -> None:
    brand_create()
    page = client.get(reverse("account_login")).content.decode()
    assert "<title>Sign in · Kestrel Technology Partners</title>" in page
    assert '<span class="brand-name">Kestrel Technology Partners</span>' in page


@pytest.mark.parametrize("page", ["500.html", "503.html"])
def test_the_error_pages_name_the_practice_without_the_database(
    page: str, settings: Settings, django_assert_num_queries
) -> None:
    brand_create()
    selectors.brand_current()  # cached, as on a running site
    with django_assert_num_queries(0):
        html = render_to_string(page)
    assert '<a href="/">Kestrel Technology Partners</a>' in html
    cache.clear()  # the cache lost too: the settings' name
    settings.BRAND_NAME = "Harbour & Field"
    with django_assert_num_queries(0):
        assert '<a href="/">Harbour &amp; Field</a>' in render_to_string(page)


@pytest.mark.parametrize(
    ("url", "title", "text"),
    [
        ("account_request_login_code", "Sign in with a code", "Give the address Kestrel"),
        ("account_reset_password", "Reset your password", "office@kestrel-partners.eu"),
        ("account_reset_password_done", "Check your email", "office@kestrel-partners.eu"),
    ],
)
def test_allauth_s_entrance_pages_speak_as_the_practice(
    client: Client, url: str, title: str, text: str
) -> None:
    brand_create()
    page = client.get(reverse(url)).content.decode()
    assert f"<title>{title} · Kestrel Technology Partners</title>" in page
    assert text in page


def test_the_sign_out_page_names_the_practice(client: Client, client_user: User) -> None:
    brand_create()
    client.force_login(client_user)
    page = client.get(reverse("account_logout")).content.decode()
    assert "Sign out of Kestrel Technology Partners on this device?" in page
