"""cto/brand/admin.py: the brand is one row, edited in the admin, never a second one added or the
one deleted; what the admin saves is what the next page shows."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cto.brand.models import Brand
from cto.users.models import User
from tests.brand.factories import ACME_LOGO, brand_create

pytestmark = pytest.mark.django_db

CHANGE = reverse("admin:brand_brand_change", args=[1])
ADD = reverse("admin:brand_brand_add")


def form_data(**fields: str) -> dict[str, str]:
    return {
        "name": "Kestrel Technology Partners",
        "tagline": "Fractional CTO for AI products",
        "logo_svg": ACME_LOGO,
        "primary_color": "#0F5132",
        "accent_color": "d97706",
        "address": "Torstrasse 140\r\n10119 Berlin",
        "email": "office@kestrel-partners.eu",
        "phone": "+49 30 1234 5678",
        "website": "https://kestrel-partners.eu",
    } | fields


def test_the_list_leads_to_the_form_that_creates_the_one_row(
    client: Client, operator: User
) -> None:
    client.force_login(operator)
    response = client.get(reverse("admin:brand_brand_changelist"))
    assert response.status_code == 302
    assert response["Location"] == ADD
    # The new row starts from what the site shows now: the settings' brand.
    page = client.get(ADD)
    assert page.context["adminform"].form.initial["name"] == "cto"


def test_the_operator_creates_the_brand_and_the_next_page_shows_it(
    client: Client, operator: User
) -> None:
    client.force_login(operator)
    response = client.post(ADD, form_data())
    assert response.status_code == 302, response.context["adminform"].form.errors
    brand = Brand.objects.get()
    assert (brand.pk, brand.primary_color, brand.accent_color) == (1, "#0f5132", "#d97706")
    assert brand.address == "Torstrasse 140\n10119 Berlin"
    home = client.get(reverse("home")).content.decode()
    assert (
        "<title>Fractional CTO or fractional AI CTO? · Kestrel Technology Partners</title>" in home
    )


def test_with_the_row_there_is_no_second_to_add_and_none_to_delete(
    client: Client, operator: User
) -> None:
    brand_create()
    client.force_login(operator)
    assert client.get(reverse("admin:brand_brand_changelist"))["Location"] == CHANGE
    assert client.get(ADD).status_code == 403
    assert client.post(reverse("admin:brand_brand_delete", args=[1])).status_code == 403
    assert Brand.objects.count() == 1


def test_an_edit_reaches_every_page_at_once(client: Client, operator: User) -> None:
    brand_create()
    client.force_login(operator)
    assert "Kestrel Technology Partners" in client.get(reverse("home")).content.decode()
    response = client.post(CHANGE, form_data(name="Kestrel Partners", primary_color="#7c2d12"))
    assert response.status_code == 302
    home = client.get(reverse("home")).content.decode()
    assert '<span class="brand-name">Kestrel Partners</span>' in home
    assert "Kestrel Technology Partners" not in home
    css = client.get(reverse("brand:stylesheet")).content.decode()
    assert "--brand-primary: #7c2d12" in css


def test_an_uploaded_logo_replaces_the_pasted_one(client: Client, operator: User) -> None:
    brand_create()
    client.force_login(operator)
    upload = SimpleUploadedFile(
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle r="4"/></svg>',
        content_type="image/svg+xml",
    )
    response = client.post(CHANGE, {**form_data(), "logo_file": upload})
    assert response.status_code == 302
    assert Brand.objects.get().logo_svg == (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle r="4"/></svg>'
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"logo_svg": '<svg viewBox="0 0 1 1"><script>alert(1)</script></svg>'},
            "logo_svg",
            "it holds a <script> element",
        ),
        (
            {"logo_svg": '<svg viewBox="0 0 1 1"><image href="https://t.example/p.png"/></svg>'},
            "logo_svg",
            "it holds a <image> element",
        ),
        ({"primary_color": "#f2a541"}, "primary_color", "too light for links and buttons"),
        ({"accent_color": "orange"}, "accent_color", "is not a colour written in hex"),
        ({"website": "javascript:alert(1)"}, "website", "Enter a valid URL"),
    ],
)
def test_a_bad_value_is_refused_with_its_message_and_nothing_changes(
    client: Client, operator: User, fields: dict[str, str], field: str, message: str
) -> None:
    brand_create()
    client.force_login(operator)
    response = client.post(CHANGE, form_data(**fields))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert Brand.objects.get().name == "Kestrel Technology Partners"
    assert Brand.objects.get().logo_svg == ACME_LOGO


def test_a_hostile_upload_is_refused_too(client: Client, operator: User) -> None:
    brand_create()
    client.force_login(operator)
    upload = SimpleUploadedFile(
        "logo.svg", b'<svg viewBox="0 0 1 1" onload="alert(1)"/>', content_type="image/svg+xml"
    )
    response = client.post(CHANGE, {**form_data(), "logo_file": upload})
    assert response.status_code == 200
    assert "event handler (onload)" in " ".join(
        response.context["adminform"].form.errors["logo_svg"]
    )
    assert Brand.objects.get().logo_svg == ACME_LOGO


def test_a_client_cannot_reach_the_brand_admin(client: Client, client_user: User) -> None:
    client.force_login(client_user)
    assert client.get(CHANGE).status_code == 302  # to the admin's sign-in


def test_the_admin_is_headed_with_the_practice_s_name(client: Client, operator: User) -> None:
    brand_create()
    client.force_login(operator)
    page = client.get(reverse("admin:index")).content.decode()
    assert ">Kestrel Technology Partners operations</a>" in page
    assert "| Kestrel Technology Partners</title>" in page
