"""cto/core/views.py through the client: the home page and the health check."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_page_explains_the_choice(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "fractional AI CTO" in response.text


def test_health_reports_the_database(client: Client) -> None:
    response = client.get("/health/")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
