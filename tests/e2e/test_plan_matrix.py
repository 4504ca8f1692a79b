"""The AI plan's matrix and the web charts in a real Chromium, on the demo's data: at 1366 and
1280 px every candidate's column is on screen and the table does not scroll; on a 375 px phone it
scrolls in a focusable region that says so; each criterion shows which end is better; chart
labels render at 12 px or more on the plan and audit result pages; axe finds nothing serious."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cto.demo.seed import CLIENTS, seed_demo
from cto.engagements.models import Engagement
from tests.e2e.conftest import E2EBrowser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The smallest rendered size of a chart's labels: each <text>'s computed font size times the
# scale the SVG is drawn at on screen (its viewBox to its box). Only the charts shown: a page
# holds a narrow drawing for phones beside the wide one, and shows one of them.
CHART_LABEL_PX = """() => [...document.querySelectorAll("svg.chart")]
  .filter(svg => svg.checkVisibility()).flatMap(svg =>
  [...svg.querySelectorAll("text")].map(text =>
    parseFloat(getComputedStyle(text).fontSize) * svg.getScreenCTM().a))"""


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Your engagements")).to_be_visible()


def chart_labels_px(page: Page) -> list[float]:
    sizes = page.evaluate(CHART_LABEL_PX)
    assert sizes, "no chart label on the page"
    return sizes


def test_the_matrix_shows_every_candidate_and_its_directions_and_charts_read_at_12_px(
    live_server: LiveServer, e2e_browser: E2EBrowser
) -> None:
    seed_demo()
    engagement = Engagement.objects.get(title="AI support agent to production")
    plan = engagement.ai_plan
    criteria = list(plan.criteria.all())
    audit = engagement.audits.get(number=2)  # locked, with the first to compare against
    login, name = next((login, name) for login, name, _ in CLIENTS if name == "Ada Lovell")
    assert engagement.contact.name == name
    plan_url = f"{live_server.url}{reverse('aiplan:detail', args=[plan.pk])}"

    page = e2e_browser.new_context().new_page()
    sign_in(page, live_server.url, login.email, login.password)
    for width, height in ((1366, 768), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(plan_url)
        columns = page.locator("#matrix thead th.candidate")
        expect(columns).to_have_count(plan.candidates.count())
        for index in range(columns.count()):
            box = columns.nth(index).bounding_box()
            assert box is not None
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= width, f"candidate {index + 1} is off screen"
        region = page.get_by_role("region", name="Model and vendor matrix")
        assert region.evaluate("(el) => el.scrollWidth <= el.clientWidth")  # nothing hidden
        expect(page.locator("#matrix-scroll-hint")).to_be_hidden()  # no scroll, no hint
        assert min(chart_labels_px(page)) >= 12, f"plan chart labels at {width} px"

    rows = page.locator("#matrix tbody th[scope=row]")
    expect(rows).to_have_count(len(criteria))
    for criterion, row in zip(criteria, rows.all(), strict=True):
        words = "higher is better" if criterion.higher_is_better else "lower is better"
        expect(row).to_contain_text(criterion.label)
        expect(row.locator(".direction")).to_have_text(
            ("↑ " if criterion.higher_is_better else "↓ ") + words
        )
    assert e2e_browser.axe(page, "AI plan (1280 px)").failing == []

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}{reverse('audits:result', args=[audit.pk])}")
    expect(page.locator("svg.chart:visible")).to_have_count(2)  # the radar and the bars
    assert min(chart_labels_px(page)) >= 12, "audit result chart labels at 1366 px"
    assert e2e_browser.axe(page, "audit result (1366 px)").failing == []

    problems = {kind: seen for kind, seen in e2e_browser.watch.problems().items() if seen}
    assert not problems, problems


def test_on_a_phone_the_matrix_scrolls_in_a_focusable_region_that_says_so(
    live_server: LiveServer, e2e_browser: E2EBrowser
) -> None:
    seed_demo()
    plan = Engagement.objects.get(title="AI support agent to production").ai_plan
    login = next(login for login, name, _ in CLIENTS if name == "Ada Lovell")
    page = e2e_browser.new_context(phone=True).new_page()
    sign_in(page, live_server.url, login.email, login.password)
    page.goto(f"{live_server.url}{reverse('aiplan:detail', args=[plan.pk])}")

    region = page.get_by_role("region", name="Model and vendor matrix")
    assert region.evaluate("(el) => el.scrollWidth > el.clientWidth")  # it must scroll here
    hint = page.locator("#matrix-scroll-hint")
    expect(hint).to_be_visible()
    expect(hint).to_have_text("⇆ Scroll sideways for more candidates")
    assert region.get_attribute("aria-describedby").split() == ["matrix-key", "matrix-scroll-hint"]
    # No page-wide sideways scroll: only the table's region moves.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    region.focus()  # reachable by keyboard, and the arrow keys scroll it
    assert region.evaluate("(el) => el === document.activeElement")
    first = page.locator("#matrix tbody th[scope=row]").first
    left_before = first.bounding_box()["x"]  # type: ignore[index]
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('.matrix-scroll').scrollLeft > 0", timeout=5000
    )
    # The criteria column stays in place while the candidates move under it.
    assert first.bounding_box()["x"] == pytest.approx(left_before, abs=1)  # type: ignore[index]
    assert min(chart_labels_px(page)) >= 12, "plan chart labels on a phone"
    assert e2e_browser.axe(page, "AI plan (phone)").failing == []

    # The audit result: the bars drawn for a phone's column, the radar (unreadable there) gone.
    audit = Engagement.objects.get(title="AI support agent to production").audits.get(number=2)
    page.goto(f"{live_server.url}{reverse('audits:result', args=[audit.pk])}")
    expect(page.locator("svg.chart:visible")).to_have_count(1)
    expect(page.get_by_role("img", name="Score by dimension (0 to 100)")).to_be_visible()
    assert min(chart_labels_px(page)) >= 12, "audit result chart labels on a phone"
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert e2e_browser.axe(page, "audit result (phone)").failing == []
    problems = {kind: seen for kind, seen in e2e_browser.watch.problems().items() if seen}
    assert not problems, problems
