"""The brand's booking link (issue 25): where a prospect books a first call, edited in the admin
with the rest of the brand, http or https only, the BRAND_BOOKING_URL setting its default."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from cto.brand import selectors
from cto.brand.checks import brand_settings_check
from cto.brand.models import Brand
from cto.users.models import User
from tests.brand.test_admin import ADD, form_data

pytestmark = pytest.mark.django_db


def test_the_operator_sets_a_booking_link_and_the_brand_carries_it(
    client: Client, operator: User
) -> None:
    client.force_login(operator)
    response = client.post(ADD, form_data(booking_url="book.example/harbour"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Brand.objects.get().booking_url == "https://book.example/harbour"
    assert selectors.brand_current().booking_url == "https://book.example/harbour"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://book.example/", "data:text/html,x"])
def test_a_booking_link_that_is_not_http_is_refused(
    client: Client, operator: User, url: str
) -> None:
    client.force_login(operator)
    response = client.post(ADD, form_data(booking_url=url))
    assert response.status_code == 200
    assert "booking_url" in response.context["adminform"].form.errors
    assert not Brand.objects.exists()


def test_the_setting_is_the_default_and_checked_at_start(settings: Settings) -> None:
    settings.BRAND_BOOKING_URL = "https://book.example/"
    assert selectors.identity_from_settings().booking_url == "https://book.example/"
    assert brand_settings_check() == []
    settings.BRAND_BOOKING_URL = "javascript:alert(1)"
    assert [error.id for error in brand_settings_check()] == ["brand.E003"]
