"""Failures answer with a page a person can read, never a traceback: a database outage with a
503 and Retry-After, anything else with a plain 500."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings


@pytest.fixture
def failing_client(settings: Settings) -> Client:
    settings.ROOT_URLCONF = "tests.core.failing_urls"
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_a_database_outage_says_to_try_again_in_a_minute(failing_client: Client) -> None:
    reply = failing_client.get("/database-gone/")
    assert reply.status_code == 503
    assert reply["Retry-After"] == "60"
    assert "back in a minute" in reply.text
    assert "Connection refused" not in reply.text  # no detail of ours leaks


def test_any_other_failure_is_a_plain_500_page(failing_client: Client) -> None:
    reply = failing_client.get("/bug/")
    assert reply.status_code == 500
    assert "Something went wrong on our side" in reply.text
    assert "ValueError" not in reply.text


def test_the_project_uses_this_handler() -> None:
    from cto import urls

    assert urls.handler500 == "cto.core.views.server_error"
