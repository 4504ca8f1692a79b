"""Webhooks in a real Chromium: a client owner registers an endpoint (with htmx; the secret
shown once), opens its delivery log and replays a delivery (with htmx). No CSP violation, no
console error, axe clean on both pages."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from cto.engagements.models import Engagement
from cto.engagements.services import engagement_transition
from cto.users.models import Membership, Organization, User
from cto.webhooks.models import Delivery, Endpoint
from tests.e2e.conftest import E2EBrowser
from tests.users.factories import MembershipFactory

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_registers_an_endpoint_and_replays_a_delivery(
    live_server: LiveServer,
    e2e_browser: E2EBrowser,
    organization: Organization,
    engagement: Engagement,
    operator: User,
    settings: Settings,
) -> None:
    # A receiver on this machine, which only these settings let through (nothing listens).
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    owner = MembershipFactory(organization=organization, role=Membership.Role.OWNER).user
    django_client = Client()
    django_client.force_login(owner)
    context = e2e_browser.new_context()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": django_client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/portal/")
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    page.get_by_label("URL").fill("http://127.0.0.1:9/hook")
    page.get_by_label("Description").fill("Our CRM")
    page.get_by_role("button", name="Register the endpoint").click()
    secret_field = page.get_by_label("Signing secret")
    expect(secret_field).to_be_visible()
    expect(page.locator("#announcer")).to_contain_text("Endpoint registered")
    endpoint = Endpoint.objects.get()
    assert secret_field.input_value() == endpoint.secret
    e2e_browser.axe(page, "webhooks")

    engagement_transition(engagement=engagement, to="qualified", by=operator)
    delivery = Delivery.objects.get()
    page.get_by_role("link", name="See the endpoint and its deliveries").click()
    expect(page.get_by_role("cell", name=delivery.message_id, exact=True)).to_be_visible()
    e2e_browser.axe(page, "webhook-endpoint")
    page.get_by_role("button", name=f"Replay {delivery.message_id}").click()
    expect(page.locator("#announcer")).to_contain_text("queued to be sent again")

    assert [finding.failing for finding in e2e_browser.axe_findings] == [[], []]
    assert e2e_browser.watch.problems() == {
        "console errors": [],
        "uncaught exceptions": [],
        "CSP violations": [],
    }
