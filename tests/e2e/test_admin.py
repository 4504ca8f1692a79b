"""The admin in a real Chromium under its Content-Security-Policy, which allows no inline
script: the pages an operator uses and the admin's own scripts behind them (the changelist
with a filter and the "delete selected" action, a change form with inlines, the date and
time widgets, the autocomplete, the two-box picker, a collapsed fieldset) report no CSP
violation, no console error and no uncaught exception.

Cross-cutting: it drives Django's admin as configured in every app's admin.py.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cto.engagements.models import Engagement
from cto.users.models import User
from tests.e2e.conftest import E2EBrowser
from tests.engagements.factories import EngagementFactory
from tests.users.factories import OperatorFactory

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _operator_page(e2e_browser: E2EBrowser, live_server: LiveServer, operator: User) -> Page:
    """A browser signed in as ``operator`` (the admin's sign-in is allauth's, which the journey
    test drives)."""
    return e2e_browser.signed_in_page(live_server.url, operator)


def _no_complaints(e2e_browser: E2EBrowser) -> None:
    assert e2e_browser.watch.problems() == {
        "console errors": [],
        "uncaught exceptions": [],
        "CSP violations": [],
    }


def test_the_engagement_list_filters_and_deletes_selected_under_the_csp(
    live_server: LiveServer, e2e_browser: E2EBrowser
) -> None:
    operator = OperatorFactory()
    doomed = EngagementFactory(title="Doomed lead", stage="lead")
    EngagementFactory(title="Running one", stage="active")
    page = _operator_page(e2e_browser, live_server, operator)
    page.goto(f"{live_server.url}/admin/engagements/engagement/")
    expect(page.get_by_role("link", name="Running one")).to_be_visible()

    page.locator("#changelist-filter").get_by_role("link", name="Lead", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/admin/engagements/engagement/?stage__exact=lead")
    expect(page.get_by_role("link", name="Running one")).to_have_count(0)

    page.locator("input.action-select").first.check()  # actions.js counts the selection
    expect(page.locator(".action-counter")).to_contain_text("1 of 1 selected")
    page.locator("select[name=action]").select_option("delete_selected")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", name="Delete multiple objects")).to_be_visible()
    page.get_by_role(
        "button", name=re.compile(r"^Yes, I.m sure")
    ).click()  # a typographic apostrophe
    expect(page.locator("ul.messagelist")).to_contain_text("Successfully deleted 1 engagement")
    assert not Engagement.objects.filter(pk=doomed.pk).exists()
    _no_complaints(e2e_browser)

    # And the watch works here: text that smuggled a script into an admin page is refused.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.ranAnyway = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_function("() => window.__e2eCspReported === 1")
    assert page.evaluate("() => window.ranAnyway") is None
    assert len(e2e_browser.watch.csp_violations) == 1
    assert "script-src" in e2e_browser.watch.csp_violations[0]


def test_a_change_form_with_inlines_and_widgets_works_under_the_csp(
    live_server: LiveServer, e2e_browser: E2EBrowser
) -> None:
    operator = OperatorFactory()
    engagement = EngagementFactory(title="Widgets", lead=operator)
    page = _operator_page(e2e_browser, live_server, operator)
    page.goto(f"{live_server.url}/admin/engagements/engagement/{engagement.pk}/change/")

    # The date widget: its calendar, then its "Today" shortcut.
    start = page.locator("#id_start_date")
    page.locator("#calendarlink0").click()
    expect(page.locator("#calendarbox0")).to_be_visible()
    page.locator("#calendarbox0 td a").first.click()
    expect(start).not_to_have_value("")
    page.get_by_role("link", name="Today").click()
    # The autocomplete (select2, fed by the admin's JSON view), opened and closed.
    page.locator("#id_lead + .select2 .select2-selection").click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.keyboard.press("Escape")
    # A collapsed fieldset, opened.
    page.get_by_text("Concurrency").click()
    expect(page.locator("#id_version, .field-version .readonly").first).to_be_visible()
    page.locator("input[name=_save]").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    engagement.refresh_from_db()
    assert engagement.start_date is not None
    _no_complaints(e2e_browser)


def test_the_user_form_time_widget_two_box_picker_and_inline_rows_under_the_csp(
    live_server: LiveServer, e2e_browser: E2EBrowser
) -> None:
    operator = OperatorFactory()
    Group.objects.create(name="Reviewers")
    page = _operator_page(e2e_browser, live_server, operator)
    page.goto(f"{live_server.url}/admin/users/user/{operator.pk}/change/")

    # The two-box picker (SelectFilter2): move a group across.
    page.locator("#id_groups_from").select_option(label="Reviewers")
    page.locator("#id_groups_add").click()
    expect(page.locator("#id_groups_to option")).to_have_text(["Reviewers"])
    # The time widget: its clock, then its "Now" shortcut.
    page.locator("#clocklink0").click()
    expect(page.locator("#clockbox0")).to_be_visible()
    page.locator("#clockbox0").get_by_role("link", name="Noon").click()
    expect(page.locator("#id_last_login_1")).to_have_value("12:00:00")
    page.locator(".field-last_login").get_by_role("link", name="Now").click()
    # An inline row added, then removed (inlines.js).
    page.locator(".add-row a").click()
    expect(page.locator("tr.dynamic-memberships")).to_have_count(1)
    page.locator("tr.dynamic-memberships .inline-deletelink").click()
    expect(page.locator("tr.dynamic-memberships")).to_have_count(0)
    page.locator("input[name=_save]").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    assert list(operator.groups.values_list("name", flat=True)) == ["Reviewers"]
    _no_complaints(e2e_browser)
