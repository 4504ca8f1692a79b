"""The prospect's paths after the intake, on a phone in a real Chromium (issue 25): the thanks
page says what happens next and offers a first call, whose calendar invitation downloads and
parses; the resume link emailed earlier, opened after the answers were sent, shows the result
that was sent (not "Already sent"); every answer on the result is named by its question. axe
finds nothing on these pages, and the browser reports no console error or CSP violation.

Cross-cutting: it drives the intake's pages through the browser, so it mirrors no single module.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import icalendar
import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cto.engagements.models import ActivityEvent
from cto.intake.models import IntakeResponse
from tests.e2e.conftest import E2EBrowser
from tests.e2e.test_journey import INTAKE, OUTCOME, Prospect, fits_the_width
from tests.intake.factories import publish_shipped_tree

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_the_questions(page: Page, url: str) -> None:
    page.goto(f"{url}/intake/")
    page.get_by_role("button", name="Start the questions").click()
    for prompt, answer in INTAKE:
        expect(page.get_by_role("heading", level=1, name=prompt)).to_be_visible()
        if isinstance(answer, str):
            page.get_by_role("textbox", name=prompt).fill(answer)
        else:
            for label in answer:
                page.get_by_label(label, exact=True).check()
        page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=1, name=OUTCOME)).to_be_visible()


def clean_scan(e2e: E2EBrowser, page: Page, name: str) -> None:
    finding = e2e.axe(page, name)
    assert finding.passed > 0
    assert finding.counts == {}, f"axe found problems on {name}: {finding.failing}"
    assert fits_the_width(page), f"{name} scrolls sideways at 375 px"


def test_a_prospect_books_a_first_call_and_finds_the_result_again_by_the_resume_link(
    live_server: LiveServer, e2e_browser: E2EBrowser
) -> None:
    publish_shipped_tree()
    url = live_server.url
    prospect = Prospect()
    page = e2e_browser.new_context(phone=True).new_page()
    answer_the_questions(page, url)

    # The result names each question it read back.
    expect(
        page.get_by_text(
            "Asked whether models or agents call tools, APIs or other systems on their own, "
            "you answered “Yes”."
        )
    ).to_be_visible()
    expect(page.get_by_text("You said")).to_have_count(0)
    # Ask for the resume link's token now, as a prospect who emailed it to themselves would hold.
    response = IntakeResponse.objects.get()

    page.get_by_label("Your name").fill(prospect.name)
    page.get_by_label("Work email").fill(prospect.email)
    page.get_by_label("Company").fill(prospect.company)
    page.get_by_label("You may contact me about my answers").check()
    page.get_by_role("button", name="Send my details").click()

    expect(page.get_by_role("heading", level=1, name="Thank you")).to_be_visible()
    next_step = page.locator("#next-step")
    expect(next_step.get_by_role("heading", name="What happens next")).to_be_visible()
    expect(next_step).to_contain_text("A consultant at cto reads your answers")
    expect(next_step).to_contain_text("within 2 working days")
    clean_scan(e2e_browser, page, "intake thanks (phone)")
    e2e_browser.screenshot(page, "prospect-thanks-phone")

    first = next_step.get_by_role("radio").nth(1)
    first.check()
    chosen = first.get_attribute("value")
    with page.expect_download() as download:
        next_step.get_by_role("button", name="Add the call to my calendar").click()
    assert download.value.suggested_filename == "first-call.ics"
    ics = download.value.path().read_bytes()
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    starts = event.decoded("dtstart").astimezone(ZoneInfo("Europe/London"))
    assert starts.strftime("%Y%m%dT%H%M") == chosen
    assert str(event["status"]) == "TENTATIVE"
    assert str(event["uid"])
    assert event.decoded("dtstamp")
    noted = ActivityEvent.objects.get(verb=ActivityEvent.Verb.INTAKE_CALL_REQUESTED)
    assert noted.summary.startswith("Asked for a first call on ")
    # The page stays as it was: the prospect can still read it, nothing broke.
    expect(page.get_by_role("heading", level=1, name="Thank you")).to_be_visible()

    # Later, on another phone, the resume link they had emailed themselves.
    other = e2e_browser.new_context(phone=True).new_page()
    other.goto(f"{url}{response.get_resume_url()}")
    expect(other).to_have_url(f"{url}/intake/result/")
    expect(other.get_by_role("heading", level=1, name=OUTCOME)).to_be_visible()
    expect(other.get_by_text("Already sent")).to_have_count(0)
    expect(other.get_by_role("heading", name="What happens next")).to_be_visible()
    expect(other.get_by_role("button", name="Send my details")).to_have_count(0)
    expect(other.get_by_role("button", name="Add the call to my calendar")).to_be_visible()
    clean_scan(e2e_browser, other, "intake result after sending (phone)")
    e2e_browser.screenshot(other, "prospect-resumed-result-phone")

    problems = {kind: seen for kind, seen in e2e_browser.watch.problems().items() if seen}
    assert not problems, f"The browser reported problems: {problems}"
