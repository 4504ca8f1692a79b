"""The operator's paths in a real Chromium (issue 25, "Operators"): the header on a phone reads
as one clean row whose every link can be reached and tapped; the engagement timeline filtered
by kind and by actor with htmx, the address keeping the filter; an export downloaded from the
dashboard. Every page scanned by axe-core, under the site's Content-Security-Policy.

Cross-cutting: it drives the base layout, the engagement page and the dashboard together.
"""

from __future__ import annotations

import codecs
import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import activity_record
from cto.users.models import User
from tests.e2e.conftest import E2EBrowser, session_cookie
from tests.engagements.factories import EngagementFactory
from tests.users.factories import MembershipFactory, OperatorFactory, OrganizationFactory

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the staff header offers, in order; "Sign out" is a button (a POST form).
STAFF_LINKS = ("Which CTO?", "Pricing", "Portal", "Dashboard", "Revenue", "Admin")
TOUCH_TARGET_PX = 44  # WCAG 2.5.5's target size


def axe_clean(e2e: E2EBrowser, page: Page, name: str) -> None:
    finding = e2e.axe(page, name)
    assert finding.passed > 0
    assert finding.counts == {}, f"axe-core on {name}: {finding.counts} {finding.failing}"


def no_complaints(e2e: E2EBrowser) -> None:
    problems = {kind: seen for kind, seen in e2e.watch.problems().items() if seen}
    assert not problems, f"The browser reported problems: {problems}"


def test_the_staff_header_reads_as_one_row_on_a_phone_and_every_link_is_reachable(
    live_server: LiveServer, e2e_browser: E2EBrowser
) -> None:
    page = e2e_browser.signed_in_page(live_server.url, OperatorFactory(), phone=True)
    page.goto(f"{live_server.url}/ops/")
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    e2e_browser.screenshot(page, "operator-header-phone")
    width = page.evaluate("() => window.innerWidth")
    assert width == 375

    # Nothing scrolls the page sideways, and nothing in the header is wider than the screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    too_wide = page.evaluate(
        """(width) => [...document.querySelectorAll("header *")]
             .filter((element) => element.getBoundingClientRect().width > width)
             .map((element) => element.outerHTML.slice(0, 80))""",
        width,
    )
    assert too_wide == []
    # One row: the brand's mark and the links, not a block of wrapped lines.
    header = page.locator("header.site-header").bounding_box()
    assert header is not None
    assert header["height"] <= 72, header

    nav = page.get_by_role("navigation", name="Main")
    targets = [nav.get_by_role("link", name=name, exact=True) for name in STAFF_LINKS]
    targets.append(nav.get_by_role("button", name="Sign out"))
    for target in targets:
        target.scroll_into_view_if_needed()
        expect(target).to_be_in_viewport()
        box = target.bounding_box()
        assert box is not None
        assert box["height"] >= TOUCH_TARGET_PX, (target, box)
        assert box["width"] >= TOUCH_TARGET_PX, (target, box)
        assert box["x"] >= 0, (target, box)
        assert box["x"] + box["width"] <= width, (target, box)
    # A row longer than the screen shows that it goes on (the edges shade while there is more).
    overflows, background = page.evaluate(
        """() => { const list = document.querySelector(".nav-links");
                   return [list.scrollWidth > list.clientWidth,
                           getComputedStyle(list).backgroundImage]; }"""
    )
    assert not overflows or "gradient" in background
    axe_clean(e2e_browser, page, "dashboard (phone)")

    nav.get_by_role("link", name="Revenue", exact=True).click()
    expect(page).to_have_url(re.compile(r"/ops/revenue/"))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    no_complaints(e2e_browser)


def busy_engagement() -> tuple[Engagement, User, User]:
    """An engagement whose timeline holds the system, an operator and a client."""
    organization = OrganizationFactory(name="Quayside Robotics")
    operator = OperatorFactory(name="Olivia Operator")
    member = MembershipFactory(organization=organization, user__name="Rosa Quint").user
    engagement = EngagementFactory(organization=organization, lead=operator, title="AI CTO")
    activity_record(engagement=engagement, actor=None, verb=ActivityEvent.Verb.CREATED)
    for field in ("title", "kind", "start_date"):
        activity_record(
            engagement=engagement,
            actor=operator,
            verb=ActivityEvent.Verb.UPDATED,
            data={"fields": [field]},
        )
    activity_record(
        engagement=engagement,
        actor=member,
        verb=ActivityEvent.Verb.QUOTE_ACCEPTED,
        data={"change": "signed 1.1"},
    )
    return engagement, operator, member


def timeline_lines(page: Page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator("#timeline ol li").all_inner_texts()]


def test_the_operator_filters_the_timeline_by_kind_and_by_actor_and_the_address_keeps_it(
    live_server: LiveServer, e2e_browser: E2EBrowser
) -> None:
    engagement, operator, member = busy_engagement()
    page = e2e_browser.signed_in_page(live_server.url, operator, phone=False)
    url = f"{live_server.url}{engagement.get_absolute_url()}"
    page.goto(url)
    expect(page.locator("#timeline ol li")).to_have_count(5)

    page.get_by_label("What happened").select_option(label="Edited the engagement")
    expect(page).to_have_url(re.compile(r"[?&]kind=engagement\.updated"))
    expect(page.locator("#timeline ol li")).to_have_count(3)
    expect(page.locator("#announcer")).to_have_text("3 matching events shown.")
    assert all("Edited" in line for line in timeline_lines(page))
    e2e_browser.screenshot(page, "timeline-by-kind")

    page.get_by_label("What happened").select_option(label="Every kind")
    # The lists are disabled while a change loads, as a person would find them: wait for it.
    expect(page.locator("#timeline ol li")).to_have_count(5)
    expect(page.get_by_label("Who")).to_be_enabled()
    page.get_by_label("Who").focus()  # as a keyboard user reaches it
    page.get_by_label("Who").select_option(label="Rosa Quint")
    expect(page).to_have_url(re.compile(rf"[?&]actor={member.pk}(&|$)"))
    expect(page.locator("#timeline ol li")).to_have_count(1)
    expect(page.locator("#announcer")).to_have_text("1 matching event shown.")
    assert timeline_lines(page)[0].endswith("by Rosa Quint")
    # The focus stays on the select that changed: the swap does not drop a keyboard user.
    assert page.evaluate("() => document.activeElement.name") == "actor"

    page.get_by_label("Who").select_option(label="The system")
    expect(page).to_have_url(re.compile(r"[?&]actor=system(&|$)"))
    expect(page.locator("#timeline ol li")).to_have_count(1)
    expect(page.locator("#timeline ol li").first).not_to_contain_text(" by ")
    axe_clean(e2e_browser, page, "engagement timeline filtered")

    # The address holds the filter: a reload (no htmx) shows the same.
    page.reload()
    expect(page.get_by_label("Who")).to_have_value("system")
    expect(page.locator("#timeline ol li")).to_have_count(1)
    page.get_by_role("link", name="Show every event").click()
    expect(page.locator("#timeline ol li")).to_have_count(5)
    no_complaints(e2e_browser)


def test_the_timeline_filter_works_without_javascript(
    live_server: LiveServer, e2e_browser: E2EBrowser
) -> None:
    engagement, operator, _ = busy_engagement()
    context = e2e_browser.browser.new_context(java_script_enabled=False)
    context.add_cookies([session_cookie(live_server.url, operator)])
    page = context.new_page()
    page.goto(f"{live_server.url}{engagement.get_absolute_url()}")
    page.get_by_label("What happened").select_option(label="Accepted a quote")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"kind=quote\.accepted.*#timeline$"))
    expect(page.locator("#timeline ol li")).to_have_count(1)
    context.close()


def test_the_operator_downloads_an_export_from_the_dashboard(
    live_server: LiveServer, e2e_browser: E2EBrowser
) -> None:
    EngagementFactory(
        organization=OrganizationFactory(name='=HYPERLINK("http://evil.example","Zoë")'),
        title="Café agent",
    )
    page = e2e_browser.signed_in_page(live_server.url, OperatorFactory(), phone=False)
    page.goto(f"{live_server.url}/ops/")
    export = page.get_by_role("region", name="Export")
    with page.expect_download() as started:
        export.get_by_role("link", name="Engagements (CSV)").click()
    download = started.value
    assert re.fullmatch(r"cto-engagements-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    raw = download.path().read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    header, row = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert row[header.index("Organisation")] == '\'=HYPERLINK("http://evil.example","Zoë")'
    assert row[header.index("Title")] == "Café agent"
    no_complaints(e2e_browser)


def test_a_client_on_a_phone_filters_only_what_they_see(
    live_server: LiveServer, e2e_browser: E2EBrowser
) -> None:
    engagement, _, member = busy_engagement()
    page = e2e_browser.signed_in_page(live_server.url, member, phone=True)
    page.goto(f"{live_server.url}{engagement.get_absolute_url()}")
    who = page.get_by_label("Who")
    expect(who.locator("option")).to_have_text(
        ["Anyone", "Olivia Operator", "Rosa Quint", "The system"]
    )
    who.select_option(label="Olivia Operator")
    expect(page).to_have_url(re.compile(r"[?&]actor=\d+"))
    expect(page.locator("#timeline ol li")).to_have_count(3)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe_clean(e2e_browser, page, "engagement timeline (client, phone)")
    no_complaints(e2e_browser)
