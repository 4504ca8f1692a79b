"""API tokens and the API's docs in a real Chromium: a client creates a token on their page
(with htmx), the token works against /api/v1/, they revoke it and it stops; the Swagger UI of
/api/v1/docs renders under the site's CSP, from this site's own files. No CSP violation, no
console error, axe clean on the token page.

Cross-cutting with tests/api/: the page and the API together, as a person uses them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from cto.engagements.models import Engagement
from cto.users.models import Organization, User
from tests.e2e.conftest import E2EBrowser

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_client_makes_a_token_uses_it_and_revokes_it(
    live_server: LiveServer, e2e_browser: E2EBrowser, client_user: User, engagement: Engagement
) -> None:
    page = e2e_browser.signed_in_page(live_server.url, client_user)
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm's "Revoke …?"

    page.goto(f"{live_server.url}/portal/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    page.get_by_label("Name").fill("Ada's agent")
    page.get_by_label("Read", exact=True).check()
    page.get_by_role("button", name="Create the token").click()
    secret_field = page.get_by_label("Your new token")
    expect(secret_field).to_be_visible()
    expect(page.locator("#announcer")).to_contain_text("created")
    secret = secret_field.input_value()
    assert secret.startswith("cto_")
    e2e_browser.axe(page, "api-tokens")

    api = f"{live_server.url}/api/v1/engagements"
    headers = {"Authorization": f"Bearer {secret}"}
    answer = page.context.request.get(api, headers=headers)
    assert answer.status == 200
    assert [item["id"] for item in answer.json()["items"]] == [engagement.pk]

    page.get_by_role("button", name="Revoke Ada's agent").click()
    expect(page.locator("#announcer")).to_contain_text("revoked")
    expect(page.get_by_text("revoked", exact=True)).to_be_visible()
    assert page.context.request.get(api, headers=headers).status == 401

    assert e2e_browser.axe_findings[-1].failing == []
    assert e2e_browser.watch.problems() == {
        "console errors": [],
        "uncaught exceptions": [],
        "CSP violations": [],
    }


def test_the_api_docs_render_under_the_csp(
    live_server: LiveServer, e2e_browser: E2EBrowser
) -> None:
    page = e2e_browser.new_context().new_page()
    external: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server.url) else external.append(request.url)
        ),
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("cto API")
    expect(page.get_by_text("/api/v1/engagements/{pk}/timeline")).to_be_visible()
    assert external == []
    assert e2e_browser.watch.problems()["CSP violations"] == []
    assert e2e_browser.watch.problems()["uncaught exceptions"] == []


def test_an_operator_gives_a_pipeline_an_account_of_its_own(
    live_server: LiveServer,
    e2e_browser: E2EBrowser,
    operator: User,
    organization: Organization,
    engagement: Engagement,
    foreign_engagement: Engagement,
) -> None:
    page = e2e_browser.signed_in_page(live_server.url, operator)
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm's "Deactivate …?"

    page.goto(f"{live_server.url}/ops/")
    page.get_by_role("link", name="Service accounts").click()
    expect(page.get_by_role("heading", name="Service accounts", level=1)).to_be_visible()
    page.get_by_label("Name").fill("Acme CI")
    page.get_by_label("Acts for").select_option(label=organization.name)
    page.get_by_role("button", name="Make the account").click()
    expect(page.locator("#announcer")).to_contain_text("Acme CI")
    page.get_by_text("New token for Acme CI").click()
    page.get_by_label("Name").first.fill("GitHub Actions")
    page.get_by_role("button", name="Create the token").click()
    secret_field = page.get_by_label("The new token")
    expect(secret_field).to_be_visible()
    secret = secret_field.input_value()
    e2e_browser.axe(page, "service-accounts")

    api = f"{live_server.url}/api/v1/engagements"
    headers = {"Authorization": f"Bearer {secret}"}
    answer = page.context.request.get(api, headers=headers)
    assert [item["id"] for item in answer.json()["items"]] == [engagement.pk]

    page.get_by_role("button", name="Deactivate Acme CI").click()
    expect(page.locator("#announcer")).to_contain_text("deactivated")
    assert page.context.request.get(api, headers=headers).status == 401
    assert e2e_browser.axe_findings[-1].failing == []
    assert e2e_browser.watch.problems() == {
        "console errors": [],
        "uncaught exceptions": [],
        "CSP violations": [],
    }
