"""The whole journey in a real Chromium, through the pages alone, as the people would do it:

1. a prospect completes the intake on a phone and leaves their details;
2. an operator signs in, finds the lead on the dashboard, qualifies it, opens an audit and
   applies the week-one checklist;
3. the client signs in by a code read from the email, fills the audit in and adds evidence to a
   checklist item; the operator locks the audit, drafts a quote from it and sends it, and the
   client accepts it;
4. the operator generates the week-one report on the dashboard (a draft, for the practice to
   review), writes the practice's text for it and generates a final; a real Celery worker
   renders them;
5. the client sees the final's download appear (the reports card polls; the draft is not
   theirs to see) and the test reads the PDF.

Along the way: every page is saved to var/e2e/ (the dashboard and the portal also to docs/ for
the README), axe-core scans the key pages (no finding of any impact), and the browser may
report no console error, no uncaught exception and no Content-Security-Policy violation.

Cross-cutting: it drives every app through the browser, so it mirrors no single module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from cto.demo.seed import OPERATOR, seed_demo
from cto.engagements.models import Engagement
from cto.users.models import User
from tests.celery_worker import Worker, celery_worker_process
from tests.e2e.conftest import DOCS_DIR, E2EBrowser

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A report renders in a second or two; the worker may first have the demo's report and the
# prospect's summary to render, on a slow machine.
REPORT_TIMEOUT_MS = 120_000


@dataclass(frozen=True)
class Prospect:
    name: str = "Rosa Quint"
    email: str = "rosa@quayside.example"
    company: str = "Quayside Robotics"
    role: str = "Head of Product"


# The intake, question by question: (prompt, answers). A text answer is a string; the others
# are the labels to choose.
INTAKE = (
    (
        "In a sentence or two, what are you building?",
        "A support agent that answers our customers' tickets from the manuals.",
    ),
    (
        "Where does AI sit in your product, now or within six months?",
        ["It is part of what customers pay for"],
    ),
    (
        "What does the AI do for your customers? Choose all that apply.",
        ["Decides or recommends", "Operates across other tools and systems"],
    ),
    ("Do models or agents call tools, APIs or other systems on their own?", ["Yes"]),
    (
        "Does the product only work when it finds the right documents or data for the model?",
        ["Yes"],
    ),
    (
        "Which of these have you run into? Choose all that apply.",
        ["Model costs that threaten our margins"],
    ),
)
OUTCOME = "You need a fractional AI CTO"
ENGAGEMENT_TITLE = "Fractional AI CTO for Quayside Robotics"  # the kind, for the company
# The level the client gives the n-th audit question, round and round: a spread, so that the
# score is neither zero nor full.
AUDIT_LEVELS = ("2", "3", "1", "4", "2")
CHECKLIST_ITEM = "Access to code, cloud and tools"  # a client-side item
EVIDENCE_NAME = "quayside-access-granted.txt"


@pytest.fixture
def worker(transactional_db: None, tmp_path: Path) -> Iterator[Worker]:
    """A real Celery worker on the test database; its emails go to files (the sign-in code does
    not pass through it: allauth sends that in the request)."""
    mail_dir = tmp_path / "worker-mail"
    mail_dir.mkdir()
    with celery_worker_process(
        log_dir=tmp_path, env={"EMAIL_URL": f"filemail://{mail_dir}"}
    ) as started:
        yield started
    print(f"The worker's log ({started.log}):\n{started.log.read_text()[-4000:]}")


@pytest.mark.worker
def test_prospect_to_week_one_report(
    live_server: LiveServer,
    e2e_browser: E2EBrowser,
    worker: Worker,
    mailoutbox: list[mail.EmailMessage],
) -> None:
    seed_demo()  # the practice as it runs: content, the demo operator, other clients' work
    url = live_server.url
    prospect = Prospect()

    prospect_completes_the_intake(e2e_browser, url, prospect)

    operator = e2e_browser.new_context()
    desk = operator.new_page()
    operator_signs_in(desk, url)
    engagement_url = operator_qualifies_the_lead(e2e_browser, desk, prospect)
    operator_opens_an_audit_and_the_checklist(e2e_browser, desk, engagement_url)

    client = e2e_browser.new_context()
    portal = client.new_page()
    client_signs_in_by_code(e2e_browser, portal, url, prospect, mailoutbox)
    score = client_fills_the_audit(e2e_browser, portal, engagement_url)
    client_adds_evidence(e2e_browser, portal, engagement_url)

    operator_locks_the_audit_and_sends_a_quote(e2e_browser, desk, engagement_url)
    client_accepts_the_quote(e2e_browser, portal, engagement_url, prospect)

    operator_generates_the_report(e2e_browser, desk, url, prospect)
    operator_writes_the_text_and_sends_the_final(e2e_browser, desk, engagement_url)
    pdf = client_downloads_the_report(e2e_browser, portal, engagement_url)

    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages)
    for expected in (
        prospect.company,
        ENGAGEMENT_TITLE,
        OUTCOME,
        f"{score} of 100",
        EVIDENCE_NAME,
        "Fractional AI CTO, Lead",  # the option the client signed for
        SUMMARY,  # the practice's own words
        f"Written by {User.objects.get(email=OPERATOR.email)}",
    ):
        assert expected in text, f"{expected!r} is not in the week-one PDF"
    assert "DRAFT FOR REVIEW" not in text
    engagement = Engagement.objects.get(organization__name=prospect.company)
    assert engagement.stage == "active"
    assert engagement.reports.filter(kind="week_one", release="final", status="ready").count() == 1

    failing = {f.page: f.failing for f in e2e_browser.axe_findings if f.failing}
    assert not failing, f"axe-core found problems: {failing}"
    assert all(f.passed > 0 for f in e2e_browser.axe_findings)
    scanned = {f.page for f in e2e_browser.axe_findings}
    assert scanned == {
        "intake question (phone)",
        "intake result (phone)",
        "dashboard",
        "portal engagement",
        "audit",
        "checklist",
        "quote",
    }
    problems = {kind: seen for kind, seen in e2e_browser.watch.problems().items() if seen}
    assert not problems, f"The browser reported problems during the journey: {problems}"


def test_the_checks_catch_what_they_are_for(
    live_server: LiveServer, e2e_browser: E2EBrowser
) -> None:
    """The journey's checks can fail, under the site's real CSP: an inline script without the
    nonce is refused and shows as a violation and as a console error; an image without a text
    alternative is a critical axe finding."""
    page = e2e_browser.new_context().new_page()
    page.goto(f"{live_server.url}/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.ranAnyway = true";
          document.body.append(script);
          document.querySelector("main").append(document.createElement("img"));
        }"""
    )
    page.wait_for_function("() => window.__e2eCspReported === 1")  # the binding has returned
    assert len(e2e_browser.watch.csp_violations) == 1
    assert "script-src" in e2e_browser.watch.csp_violations[0]
    assert page.evaluate("() => window.ranAnyway") is None
    assert any("Content Security Policy" in error for error in e2e_browser.watch.console_errors)

    finding = e2e_browser.axe(page, "home with a bare image")
    assert finding.counts.get("critical", 0) >= 1
    assert any(line.startswith("image-alt (critical)") for line in finding.failing)


def messages(page: Page) -> Locator:
    """The page's flash messages (the site's layout puts them in one list)."""
    return page.locator("main > ul.messages")


def fits_the_width(page: Page) -> bool:
    """Nothing on the page is wider than the screen (no sideways scrolling)."""
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


# --- 1. The prospect, on a phone ----------------------------------------------------------------


def prospect_completes_the_intake(e2e: E2EBrowser, url: str, prospect: Prospect) -> None:
    phone = e2e.new_context(phone=True)
    page = phone.new_page()
    page.goto(f"{url}/intake/")
    e2e.screenshot(page, "intake-start-phone")
    page.get_by_role("button", name="Start the questions").click()

    for number, (prompt, answer) in enumerate(INTAKE):
        expect(page.get_by_role("heading", level=1, name=prompt)).to_be_visible()
        if number == 0:
            e2e.axe(page, "intake question (phone)")
        assert fits_the_width(page), f"question {number + 1} scrolls sideways at 375 px"
        e2e.screenshot(page, f"intake-question-{number + 1}-phone")
        if isinstance(answer, str):
            page.get_by_role("textbox", name=prompt).fill(answer)
        else:
            for label in answer:
                page.get_by_label(label, exact=True).check()
        page.get_by_role("button", name="Next").click()  # htmx swaps the next screen in

    expect(page.get_by_role("heading", level=1, name=OUTCOME)).to_be_visible()
    expect(page).to_have_url(f"{url}/intake/result/")
    expect(page.get_by_text("Model costs threaten your margins")).to_be_visible()  # a reason
    e2e.axe(page, "intake result (phone)")
    assert fits_the_width(page), "the result scrolls sideways at 375 px"
    e2e.screenshot(page, "intake-result-phone")

    page.get_by_label("Your name").fill(prospect.name)
    page.get_by_label("Work email").fill(prospect.email)
    page.get_by_label("Company").fill(prospect.company)
    page.get_by_label("Your role (optional)").fill(prospect.role)
    page.get_by_label("You may contact me about my answers").check()
    page.get_by_role("button", name="Send my details").click()
    expect(page.get_by_role("heading", level=1, name="Thank you")).to_be_visible()
    e2e.screenshot(page, "intake-thanks-phone")
    phone.close()  # stops the summary card's polling


# --- 2. The operator: the lead, qualified, an audit and the checklist ----------------------------


def operator_signs_in(page: Page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email").fill(OPERATOR.email)
    page.get_by_label("Password").fill(OPERATOR.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Your engagements")).to_be_visible()


def operator_qualifies_the_lead(e2e: E2EBrowser, page: Page, prospect: Prospect) -> str:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    e2e.axe(page, "dashboard")
    e2e.screenshot(page, "dashboard-new-lead")

    page.get_by_label("Search organisations, people and engagements").fill(prospect.company)
    results = page.locator("#search-results")
    expect(results).to_contain_text(f"for “{prospect.company}”")
    # The count is said in the page's live region, which the swap leaves in place.
    announcer = page.get_by_role("status").filter(has_text="result")
    expect(announcer).to_contain_text(f"for “{prospect.company}”")
    expect(results.get_by_role("link", name=ENGAGEMENT_TITLE).first).to_be_visible()
    e2e.screenshot(page, "dashboard-search")

    card = page.locator("#stage-lead article").filter(has_text=prospect.company)
    expect(card).to_have_count(1)
    # Nobody has proved the typed address yet: the lead is linked to no one (issue 21).
    expect(card.get_by_text("Unproven contact")).to_be_visible()
    card.get_by_label("Move to").select_option(label="Qualified")
    card.get_by_role("button", name=re.compile(r"^Move")).click()
    expect(card.locator(".ops-done")).to_have_text("Moved to “Qualified”.")
    expect(page.locator("#announcer")).to_have_text(f"{ENGAGEMENT_TITLE}: Moved to “Qualified”.")
    expect(card.locator(".badge-qualified")).to_have_text("Qualified")  # the stage's badge
    e2e.screenshot(page, "dashboard-qualified")

    card.get_by_role("link", name=ENGAGEMENT_TITLE).click()
    expect(page.get_by_role("heading", level=1, name=ENGAGEMENT_TITLE)).to_be_visible()
    return page.url


def operator_opens_an_audit_and_the_checklist(
    e2e: E2EBrowser, page: Page, engagement_url: str
) -> None:
    page.get_by_role("button", name="Open a new audit").click()
    expect(page.get_by_role("heading", level=1, name="Readiness audit 1")).to_be_visible()
    expect(messages(page)).to_contain_text("Audit 1 is open")
    e2e.screenshot(page, "operator-audit-opened")

    page.goto(engagement_url)
    page.get_by_role("button", name="Apply it now").click()
    expect(page.get_by_role("heading", level=1, name="Week-one checklist")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=CHECKLIST_ITEM)).to_be_visible()
    e2e.screenshot(page, "operator-checklist-applied")


# --- 3. The client: sign in by code, the audit, evidence, the quote ------------------------------


def client_signs_in_by_code(
    e2e: E2EBrowser, page: Page, url: str, prospect: Prospect, outbox: list[mail.EmailMessage]
) -> None:
    page.goto(f"{url}/portal/")  # not signed in: sent to sign in first
    page.get_by_role("link", name="Email me a sign-in code").click()
    page.get_by_label("Email").fill(prospect.email)
    page.get_by_role("button", name="Email me a code").click()
    code_field = page.get_by_label("Code")
    expect(code_field).to_be_visible()
    e2e.screenshot(page, "client-enter-code")

    code_field.fill(code_emailed_to(prospect.email, outbox))
    page.get_by_role("button", name="Confirm").click()

    landed = page.get_by_role("heading", level=1, name="Your engagements")
    expect(landed).to_be_visible()
    expect(page.get_by_role("link", name=ENGAGEMENT_TITLE)).to_be_visible()
    e2e.screenshot(page, "client-portal-home")


def code_emailed_to(address: str, outbox: list[mail.EmailMessage]) -> str:
    """The code in the newest email to ``address`` (allauth sends it within the request)."""
    sent = [message for message in outbox if address in message.to]
    assert sent, f"No email to {address}"
    body = str(sent[-1].body)
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4}|[A-Z0-9]{6})\s*$", body, re.MULTILINE)
    assert match, body
    return match.group(1)


def client_fills_the_audit(e2e: E2EBrowser, page: Page, engagement_url: str) -> str:
    """Answer every question of every dimension; return the overall score the result shows."""
    page.get_by_role("link", name=ENGAGEMENT_TITLE).click()
    expect(page).to_have_url(engagement_url)
    expect(page.get_by_role("heading", level=1, name=ENGAGEMENT_TITLE)).to_be_visible()
    e2e.axe(page, "portal engagement")
    e2e.screenshot(page, "client-engagement")
    page.get_by_role("link", name="Audit 1").click()
    expect(page.get_by_role("heading", level=1, name="Readiness audit 1")).to_be_visible()
    e2e.axe(page, "audit")

    dimensions = page.get_by_role("navigation", name="Dimensions").get_by_role("link")
    answered = 0
    for index in range(dimensions.count()):
        if index > 0:  # the page opens on the first
            dimensions.nth(index).click()
            expect(dimensions.nth(index)).to_have_attribute("aria-current", "page")
        for form_id in page.locator("form.audit-question").evaluate_all(
            "forms => forms.map(form => form.id)"
        ):
            level = AUDIT_LEVELS[answered % len(AUDIT_LEVELS)]
            question = page.locator(f"#{form_id}")
            # No Save pressed: the level saves as it is picked (htmx), and says when.
            question.get_by_role("radio", name=re.compile(rf"^Level {level}\b")).check()
            expect(question.get_by_role("status")).to_have_text(
                re.compile(r"^Saved at \d\d:\d\d\.$")
            )
            answered += 1
        if index == 0:
            e2e.screenshot(page, "client-audit-first-dimension")

    page.get_by_role("link", name="See the result").click()
    expect(page.get_by_role("heading", level=1, name="Readiness audit 1: result")).to_be_visible()
    expect(page.get_by_text(f"{answered} of {answered} questions answered")).to_be_visible()
    e2e.screenshot(page, "client-audit-result")
    score = page.locator("p.lead strong").inner_text()
    assert 0 < float(score) < 100, score
    return score


def client_adds_evidence(e2e: E2EBrowser, page: Page, engagement_url: str) -> None:
    page.goto(engagement_url)
    page.get_by_role("link", name="The week-one checklist and its evidence").click()
    expect(page.get_by_role("heading", level=1, name="Week-one checklist")).to_be_visible()
    e2e.axe(page, "checklist")

    item = page.locator("article.checklist-item").filter(
        has=page.get_by_role("heading", level=3, name=CHECKLIST_ITEM)
    )
    item.get_by_text("Update this item").click()
    item.get_by_label("or a file").set_input_files(
        {
            "name": EVIDENCE_NAME,
            "mimeType": "text/plain",
            "buffer": b"Read access to the repositories and the cloud console, granted.\n",
        }
    )
    item.get_by_role("button", name="Add evidence").click()  # htmx, multipart
    expect(item.get_by_text("Saved.")).to_be_visible()
    # ... and said to screen readers in the page's live region, which the swap left in place.
    expect(page.get_by_role("status").filter(has_text="Evidence added.")).to_have_text(
        f"{CHECKLIST_ITEM}: Evidence added."
    )
    expect(item.get_by_role("link", name=EVIDENCE_NAME)).to_be_visible()

    item.get_by_text("Update this item").click()
    item.get_by_label("Status").select_option(label="Done")
    item.get_by_label("True as of").fill(timezone.localdate().isoformat())
    item.get_by_role("button", name="Save").click()
    expect(item.locator(".badge").first).to_have_text("Done")
    e2e.screenshot(page, "client-checklist-evidence")


def operator_locks_the_audit_and_sends_a_quote(
    e2e: E2EBrowser, page: Page, engagement_url: str
) -> None:
    """The audit's scores become final (the report takes the latest locked audit), then the
    quote is drafted from its risk drivers and sent."""
    page.goto(engagement_url)
    page.get_by_role("link", name="Audit 1").click()
    page.get_by_role("button", name="Lock the audit").click()
    expect(page.get_by_role("heading", level=1, name="Readiness audit 1: result")).to_be_visible()
    expect(messages(page)).to_contain_text("The audit is locked")

    page.goto(engagement_url)
    page.get_by_role("button", name="Draft the quote").click()  # the AI tiers are ticked
    expect(page.get_by_role("heading", level=1, name="Quote 1")).to_be_visible()
    page.get_by_role("button", name="Send to the client").click()
    expect(messages(page)).to_contain_text("Sent.")
    e2e.screenshot(page, "operator-quote-sent")


def client_accepts_the_quote(
    e2e: E2EBrowser, page: Page, engagement_url: str, prospect: Prospect
) -> None:
    page.goto(engagement_url)
    page.get_by_role("link", name=re.compile(r"^Quote 1")).click()
    expect(page.get_by_role("heading", level=1, name="Quote 1")).to_be_visible()
    e2e.axe(page, "quote")
    e2e.screenshot(page, "client-quote")
    page.get_by_label("I have read the terms above and agree to them.").check()
    page.get_by_role("radio", name=re.compile(r"^Better:")).check()
    page.get_by_label("Type your full name to sign").fill(prospect.name)
    page.get_by_role("button", name="Accept and sign").click()
    expect(page.get_by_role("heading", level=2, name="Accepted", exact=True)).to_be_visible()
    expect(messages(page)).to_contain_text("the quote is accepted")
    e2e.screenshot(page, "client-quote-accepted")


# --- 4 and 5. The week-one report: generated, rendered, downloaded, read -------------------------


def operator_generates_the_report(
    e2e: E2EBrowser, page: Page, url: str, prospect: Prospect
) -> None:
    page.goto(f"{url}/ops/")
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    card = page.locator("#stage-active article").filter(has_text=prospect.company)
    expect(card).to_have_count(1)
    e2e.screenshot(page, "dashboard", also=DOCS_DIR / "dashboard.png")
    card.get_by_role("button", name=re.compile(r"^Generate the week-one report")).click()
    expect(card.locator(".ops-done")).to_contain_text("Week-one report v1 is queued")
    expect(page.locator("#announcer")).to_contain_text("Week-one report v1 is queued")
    e2e.screenshot(page, "dashboard-report-queued")


SUMMARY = "We would put the support agent in front of customers once its gate has an owner."


def operator_writes_the_text_and_sends_the_final(
    e2e: E2EBrowser, page: Page, engagement_url: str
) -> None:
    """The practice's summary and one owned next step, then a final version for the client."""
    page.goto(engagement_url)
    page.get_by_role("link", name="Write the report text of the week-one deliverable").click()
    expect(
        page.get_by_role("heading", level=1, name="Text of the week-one deliverable")
    ).to_be_visible()
    page.get_by_label("Executive summary").fill(SUMMARY)
    page.get_by_label("Step 1", exact=True).fill("Name the owner of the release gate")
    page.get_by_label("Owner of step 1").fill("Rosa Quint")
    page.get_by_label("Date of step 1").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=2, name="Preview (not saved yet)")).to_be_visible()
    e2e.screenshot(page, "operator-report-text")
    page.get_by_role("button", name="Save the text").click()
    expect(messages(page)).to_contain_text("The text of the week-one deliverable is saved")
    reports = page.locator("#reports")
    reports.get_by_label("Report", exact=True).select_option("week_one")
    reports.get_by_label("For", exact=True).select_option("final")
    reports.get_by_role("button", name="Generate a new version").click()
    expect(reports).to_contain_text("Week-one deliverable v2")


def client_downloads_the_report(e2e: E2EBrowser, page: Page, engagement_url: str) -> Path:
    page.goto(engagement_url)
    reports = page.locator("#reports")
    expect(reports).to_contain_text("Week-one deliverable v2")
    expect(reports).not_to_contain_text("Week-one deliverable v1")  # the draft is the practice's
    download_link = reports.get_by_role(
        "link", name=re.compile(r"^Download Week-one deliverable v2")
    )
    if reports.get_attribute("hx-trigger"):  # still queued or rendering: the card polls
        e2e.screenshot(page, "portal-report-rendering")
    # The card asks for itself every two seconds while the report renders (htmx).
    expect(download_link).to_be_visible(timeout=REPORT_TIMEOUT_MS)
    e2e.screenshot(page, "portal", also=DOCS_DIR / "portal.png")
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.startswith("week-one-")
    path = e2e.shots_dir / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    return path
