"""The client's audit page in a real Chromium: answers save as they are given (no Save button
pressed) and survive a dimension switch and a reload, the counters move, a note typed while a
save is in flight is kept, a refused save leaves what was typed, and leaving with a change not
yet saved asks first. On a desktop and at phone width, with axe and the page's CSP watching.

Mirrors templates/audits/audit_detail.html and static/js/audit.js (through cto/audits/views.py).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Dialog, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from cto.audits.models import Audit, AuditAnswer
from cto.users.models import User
from tests.audits.factories import AuditFactory
from tests.e2e.conftest import E2EBrowser
from tests.engagements.factories import EngagementFactory
from tests.users.factories import MembershipFactory, OperatorFactory, OrganizationFactory

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = re.compile(r"^Saved at \d\d:\d\d\.$")
ANSWER_POSTS = "**/answer/**"


@pytest.fixture
def open_audit(transactional_db: None) -> Audit:
    """An open audit on the shipped template, of an engagement of the member's organisation."""
    organization = OrganizationFactory(name="Quayside Robotics")
    engagement = EngagementFactory(organization=organization, lead=OperatorFactory())
    return AuditFactory(engagement=engagement, locked=False)


@pytest.fixture
def member(open_audit: Audit) -> User:
    return MembershipFactory(organization=open_audit.engagement.organization).user


class Dialogs:
    """Every dialog the page opens, answered as ``accept`` says (Playwright would otherwise
    dismiss it without a trace)."""

    def __init__(self, page: Page, *, accept: bool) -> None:
        self.seen: list[Dialog] = []
        self.accept = accept
        page.on("dialog", self.answer)

    def answer(self, dialog: Dialog) -> None:
        self.seen.append(dialog)
        if self.accept:
            dialog.accept()
        else:
            dialog.dismiss()

    @property
    def types(self) -> list[str]:
        return [dialog.type for dialog in self.seen]


class HeldSaves:
    """Keeps every answer save in flight until ``release``; later saves pass straight on."""

    def __init__(self, page: Page) -> None:
        self.held: list[Route] = []
        self.holding = True
        page.route(ANSWER_POSTS, self.handle)

    def handle(self, route: Route) -> None:
        if self.holding:
            self.held.append(route)
        else:
            route.continue_()

    def release(self) -> None:
        self.holding = False
        for route in self.held:
            route.continue_()


def eventually(page: Page, check: Callable[[], bool], what: str, timeout: float = 15) -> None:
    """Wait for the database to show what the browser did (its save runs in the live server).
    The page waits, not time.sleep: Playwright answers the routes only while it is called."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"Timed out waiting for {what}"
        page.wait_for_timeout(100)


def no_complaints(e2e: E2EBrowser, *, refused: int = 0) -> None:
    """No console error, uncaught exception or CSP violation, less the ``refused`` saves the
    test provoked: Chromium logs every 4xx answer to a request as an error."""
    refusals = [e for e in e2e.watch.console_errors if "with a status of 422" in e]
    assert len(refusals) == refused, refusals
    assert e2e.watch.problems() == {
        "console errors": refusals,
        "uncaught exceptions": [],
        "CSP violations": [],
    }


def test_an_answer_given_without_save_survives_a_dimension_switch_and_a_reload(
    live_server: LiveServer, e2e_browser: E2EBrowser, open_audit: Audit, member: User
) -> None:
    template = open_audit.template_version.parsed()
    first, second = template.dimensions[0], template.dimensions[1]
    total = len(template.questions)
    page = e2e_browser.signed_in_page(live_server.url, member)
    dialogs = Dialogs(page, accept=False)
    page.goto(live_server.url + open_audit.get_absolute_url())
    expect(page.get_by_text(f"0 of {total} questions answered")).to_be_visible()
    expect(page.get_by_text("open: every answer is saved as you give it")).to_be_visible()
    assert e2e_browser.axe(page, "audit").counts == {}

    question = page.locator(f"#q-{first.questions[0].id}")
    question.get_by_role("radio", name=re.compile(r"^Level 3\b")).check()  # no Save pressed
    expect(question.get_by_role("status")).to_have_text(SAVED)
    expect(page.locator("#audit-answered")).to_have_text("1")
    expect(page.locator("#audit-progress")).to_have_attribute("value", "1")
    tabs = page.get_by_role("navigation", name="Dimensions").get_by_role("link")
    expect(tabs.first).to_contain_text(f"1/{len(first.questions)}")
    left = len(first.questions) - 1
    expect(page.locator("#dimension-left")).to_have_text(
        f"{left} questions of this dimension are still unanswered."
    )
    expect(page.locator("#announcer")).to_have_text(
        re.compile(rf"^Saved: .+ 1 of {total} answered\.$")
    )
    assert e2e_browser.axe(page, "audit after a save").counts == {}
    answer = AuditAnswer.objects.get(audit=open_audit)
    assert (answer.question, answer.level) == (first.questions[0].id, 3)

    # The next step at the end of the dimension, then back by its tab, then a reload.
    page.get_by_role("link", name=f"Next: {second.title}").click()
    expect(tabs.nth(1)).to_have_attribute("aria-current", "page")
    tabs.first.click()
    expect(tabs.first).to_have_attribute("aria-current", "page")
    page.reload()
    question = page.locator(f"#q-{first.questions[0].id}")
    expect(question.get_by_role("radio", name=re.compile(r"^Level 3\b"))).to_be_checked()
    expect(question.get_by_role("status")).to_contain_text("Last saved")
    expect(page.get_by_text(f"1 of {total} questions answered")).to_be_visible()
    expect(tabs.first).to_contain_text(f"1/{len(first.questions)}")
    assert dialogs.types == []  # nothing was left unsaved, so nothing asked
    e2e_browser.screenshot(page, "audit-saved-on-change")
    no_complaints(e2e_browser)


def test_a_change_not_yet_saved_is_kept_and_leaving_asks_first(
    live_server: LiveServer, e2e_browser: E2EBrowser, open_audit: Audit, member: User
) -> None:
    first = open_audit.template_version.parsed().dimensions[0]
    one, two, three = (f"#q-{q.id}" for q in first.questions[:3])
    page = e2e_browser.signed_in_page(live_server.url, member)
    dialogs = Dialogs(page, accept=False)
    page.goto(live_server.url + open_audit.get_absolute_url())
    tabs = page.get_by_role("navigation", name="Dimensions").get_by_role("link")

    # A level picked, its save held in flight, and a note typed meanwhile.
    saves = HeldSaves(page)
    page.locator(one).get_by_role("radio", name=re.compile(r"^Level 2\b")).check()
    note = page.locator(one).get_by_label("Note (optional)")
    note.press_sequentially("Typed while the level was saving")
    tabs.nth(1).click()  # leaving now would lose both: the page asks, and stays when told no
    assert dialogs.types == ["confirm"]
    assert "not saved yet" in dialogs.seen[0].message
    expect(tabs.first).to_have_attribute("aria-current", "page")

    saves.release()  # the level's save answers, then the note's, queued behind it
    eventually(
        page,
        lambda: AuditAnswer.objects.filter(
            audit=open_audit, level=2, note="Typed while the level was saving"
        ).exists(),
        "the note typed during the first save to be stored",
    )
    expect(note).to_have_value("Typed while the level was saving")  # the reply left it alone
    expect(page.locator(one).get_by_role("status")).to_have_text(SAVED)

    # A refused save (a link that is not one) leaves what was typed, and says why.
    page.locator(two).get_by_role("radio", name=re.compile(r"^Level 1\b")).check()
    expect(page.locator(two).get_by_role("status")).to_have_text(SAVED)
    link = page.locator(two).get_by_label("Evidence link (optional)")
    link.fill("our wiki page")
    link.press("Tab")  # the link saves when it changes
    expect(page.locator(two).get_by_role("status")).to_have_text("Not saved.")
    expect(page.locator(two)).to_contain_text("The evidence link must be a web address")
    expect(link).to_have_value("our wiki page")
    expect(page.locator(two).get_by_role("radio", name=re.compile(r"^Level 1\b"))).to_be_checked()
    stored = AuditAnswer.objects.get(audit=open_audit, question=first.questions[1].id)
    assert stored.evidence_url == ""
    assert e2e_browser.axe(page, "audit with a refused save").counts == {}
    link.fill("https://wiki.quayside.example/ai")
    link.press("Tab")
    expect(page.locator(two).get_by_role("status")).to_have_text(SAVED)

    # Now everything is saved: the tab is followed without a question.
    tabs.nth(1).click()
    expect(tabs.nth(1)).to_have_attribute("aria-current", "page")
    assert dialogs.types == ["confirm"]
    tabs.first.click()
    expect(tabs.first).to_have_attribute("aria-current", "page")

    # A note typed and not yet saved: reloading asks (the browser's own prompt); told yes, the
    # page reloads without it.
    dialogs.accept = True
    held = HeldSaves(page)
    half = page.locator(three).get_by_label("Note (optional)")
    half.click()  # a gesture in this document: Chromium asks before unload only after one
    half.press_sequentially("Half a thought")
    # Its save (after the typing pause) is held in flight: the change is surely not saved.
    eventually(page, lambda: len(held.held) == 1, "the note's save to be sent")
    page.reload()
    assert dialogs.types == ["confirm", "beforeunload"]
    page.unroute_all(behavior="ignoreErrors")
    expect(page.locator(three).get_by_label("Note (optional)")).to_have_value("")
    no_complaints(e2e_browser, refused=1)


def test_the_audit_page_at_phone_width(
    live_server: LiveServer, e2e_browser: E2EBrowser, open_audit: Audit, member: User
) -> None:
    page = e2e_browser.signed_in_page(live_server.url, member, phone=True)
    page.goto(live_server.url + open_audit.get_absolute_url())
    assert e2e_browser.axe(page, "audit on a phone").counts == {}
    first = open_audit.template_version.parsed().dimensions[0]
    question = page.locator(f"#q-{first.questions[0].id}")
    question.get_by_text("Not applicable").tap()
    expect(question.get_by_role("status")).to_have_text(SAVED)
    expect(page.locator("#audit-answered")).to_have_text("1")
    # Nothing wider than the screen: no sideways scrolling to reach a level or the next step.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.locator("nav.dimension-step").get_by_role("link")).to_be_visible()
    e2e_browser.screenshot(page, "audit-phone")
    assert AuditAnswer.objects.get(audit=open_audit).not_applicable
    no_complaints(e2e_browser)
