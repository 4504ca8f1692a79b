"""The engagement page's tracker and "next step" in a real Chromium, as the client reads them:
for an engagement in each stage, built through the services as the practice would move it, the
page shows the current step, the skipped steps' reasons, the next step, whose move it is and the
notice exactly as the pure function (`cto.engagements.progress.progress`) says for the facts
the test states by hand. So the selector that gathers the facts, the function and the template
are checked together, stage by stage.

Cross-cutting: it moves engagements through the engagements, audits, pricing and checklists
services, so it mirrors no single module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from cto.audits.services import AnswerInput, audit_answer_save, audit_lock, audit_open
from cto.checklists.models import ChecklistItem
from cto.checklists.services import checklist_apply
from cto.demo.seed import CLIENTS, OPERATOR, seed_demo
from cto.engagements.models import Engagement
from cto.engagements.progress import (
    AuditState,
    ProgressState,
    QuoteState,
    Side,
    StepStatus,
    progress,
)
from cto.engagements.services import engagement_create, engagement_transition
from cto.engagements.stages import Stage
from cto.pricing.models import Quote
from cto.pricing.services import Signature, quote_accept, quote_draft, quote_send
from cto.users.models import Organization, User
from tests.e2e.conftest import E2EBrowser

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIERS = ["ai-cto-advisor", "ai-cto-lead", "ai-cto-partner"]


@dataclass(frozen=True)
class People:
    operator: User
    client: User


def _move(engagement: Engagement, people: People, *stages: Stage) -> Engagement:
    for stage in stages:
        engagement = engagement_transition(engagement=engagement, to=stage, by=people.operator)
    return engagement


def _send_quote(engagement: Engagement, people: People) -> Quote:
    return quote_send(
        quote=quote_draft(engagement=engagement, tier_keys=TIERS, by=people.operator),
        by=people.operator,
    )


def _accept_quote(engagement: Engagement, people: People) -> None:
    quote = _send_quote(engagement, people)
    signature = Signature(
        option=quote.options.first(),
        full_name=people.client.name,
        agreed_to_terms=True,
        ip=None,
        user_agent="the tracker test",
    )
    quote_accept(quote=quote, signature=signature, by=people.client)


def _lock_audit(engagement: Engagement, people: People) -> None:
    audit = audit_open(engagement=engagement, by=people.operator)
    for question in audit.template_version.parsed().questions:
        audit_answer_save(
            audit=audit,
            raw=AnswerInput(question=question, level=2),
            expected_version=None,
            by=people.client,
        )
    audit_lock(audit=audit, by=people.operator)


def _working(engagement: Engagement, people: People) -> None:
    _accept_quote(engagement, people)
    checklist_apply(engagement=engagement, by=people.operator)


def _open_items(engagement: Engagement, side: str) -> int:
    """Counted here straight from the rows, not through the page's selector."""
    return (
        ChecklistItem.objects.filter(checklist__engagement=engagement, owner_side=side)
        .exclude(status__in=(ChecklistItem.Status.DONE, ChecklistItem.Status.NOT_APPLICABLE))
        .count()
    )


@dataclass(frozen=True)
class Case:
    """An engagement built through the services, and the facts about it stated by hand."""

    title: str
    build: Callable[[Engagement, People], object]
    facts: ProgressState
    # Facts only the built rows can give (the checklist's open items by side).
    counted: Callable[[Engagement], dict[str, int]] = field(default=lambda _: {})


QUALIFIED, AUDIT, PROPOSAL, ACTIVE = Stage.QUALIFIED, Stage.AUDIT, Stage.PROPOSAL, Stage.ACTIVE
TO_ACTIVE = (QUALIFIED, PROPOSAL, ACTIVE)  # the route a signed quote takes (pricing services)


def _items_by_side(engagement: Engagement) -> dict[str, int]:
    return {
        "client_items_open": _open_items(engagement, "client"),
        "practice_items_open": _open_items(engagement, "practice"),
    }


CASES = (
    Case("A first contact", lambda e, p: None, ProgressState(stage=Stage.LEAD)),
    Case(
        "Qualified",
        lambda e, p: _move(e, p, QUALIFIED),
        ProgressState(stage=QUALIFIED, stages_entered=(QUALIFIED,)),
    ),
    Case(
        "Audit to answer",
        lambda e, p: (_move(e, p, QUALIFIED), audit_open(engagement=e, by=p.operator)),
        ProgressState(stage=AUDIT, stages_entered=(QUALIFIED, AUDIT), audit=AuditState.OPEN),
    ),
    Case(
        "Audit done, proposal sent",
        lambda e, p: (_move(e, p, QUALIFIED), _lock_audit(e, p), _send_quote(e, p)),
        ProgressState(
            stage=AUDIT,
            stages_entered=(QUALIFIED, AUDIT),
            audit=AuditState.LOCKED,
            quote=QuoteState.SENT,
        ),
    ),
    Case(
        "A lead with a proposal sent",
        _send_quote,
        ProgressState(stage=Stage.LEAD, quote=QuoteState.SENT),
    ),
    Case(
        "At proposal",
        lambda e, p: (_move(e, p, QUALIFIED, PROPOSAL), _send_quote(e, p)),
        ProgressState(stage=PROPOSAL, stages_entered=(QUALIFIED, PROPOSAL), quote=QuoteState.SENT),
    ),
    Case(
        "Signed, checklist running",
        _working,
        ProgressState(
            stage=ACTIVE,
            stages_entered=TO_ACTIVE,
            quote=QuoteState.ACCEPTED,
            checklist_applied=True,
        ),
        counted=_items_by_side,
    ),
    Case(
        "Ongoing",
        lambda e, p: (_working(e, p), _move(e, p, Stage.ONGOING)),
        ProgressState(
            stage=Stage.ONGOING,
            stages_entered=(*TO_ACTIVE, Stage.ONGOING),
            quote=QuoteState.ACCEPTED,
            checklist_applied=True,
        ),
        counted=_items_by_side,
    ),
    Case(
        "Completed",
        lambda e, p: (_accept_quote(e, p), _move(e, p, Stage.COMPLETED)),
        ProgressState(
            stage=Stage.COMPLETED,
            stages_entered=(*TO_ACTIVE, Stage.COMPLETED),
            quote=QuoteState.ACCEPTED,
        ),
    ),
    Case(
        "Paused after qualifying",
        lambda e, p: _move(e, p, QUALIFIED, Stage.PAUSED),
        ProgressState(
            stage=Stage.PAUSED, paused_from=QUALIFIED, stages_entered=(QUALIFIED, Stage.PAUSED)
        ),
    ),
    Case(
        "Lost",
        lambda e, p: _move(e, p, Stage.LOST),
        ProgressState(stage=Stage.LOST, stages_entered=(Stage.LOST,)),
    ),
)


def test_the_tracker_and_next_step_of_each_stage_are_the_pure_functions(
    live_server: LiveServer, e2e_browser: E2EBrowser
) -> None:
    seed_demo()
    login, _, organization_name = CLIENTS[0]
    people = People(
        operator=User.objects.get(email=OPERATOR.email),
        client=User.objects.get(email=login.email),
    )
    organization = Organization.objects.get(name=organization_name)
    built = []
    for case in CASES:
        engagement = engagement_create(
            organization=organization,
            title=case.title,
            kind="ai",
            lead=people.operator,
            contact=people.client,
            by=people.operator,
        )
        case.build(engagement, people)
        facts = ProgressState(**{**vars(case.facts), **case.counted(engagement)})
        built.append((case, engagement, progress(facts)))
    assert len({case.facts.stage for case in CASES}) == len(Stage)  # every stage is walked

    page = e2e_browser.signed_in_page(live_server.url, people.client)
    for case, engagement, expected in built:
        page.goto(f"{live_server.url}{engagement.get_absolute_url()}")
        where = page.get_by_role("region", name="Where we are")
        tracker = where.locator(".stage-tracker li")
        if expected.steps:
            expect(tracker).to_have_count(len(expected.steps))
            for index, step in enumerate(expected.steps):
                item = tracker.nth(index)
                expect(item).to_contain_text(step.label)
                expect(item).to_have_class(step.status.value)
                if step.status == StepStatus.SKIPPED:
                    expect(item).to_contain_text(step.reason)
        else:
            expect(tracker).to_have_count(0)
        next_step = where.locator(".next-step")
        expect(next_step).to_contain_text(expected.next_step.text)
        whose = {Side.CLIENT: "waiting on you", Side.PRACTICE: "waiting on us"}
        if expected.next_step.waiting_on is None:
            expect(next_step.locator(".badge")).to_have_count(0)
        else:
            expect(next_step.locator(".badge")).to_have_text(whose[expected.next_step.waiting_on])
        if expected.next_step.target is not None:
            expect(next_step.get_by_role("link")).to_have_text(expected.next_step.target.label)
        if expected.notice:
            expect(where.locator(".notice")).to_have_text(expected.notice)
        finding = e2e_browser.axe(page, f"tracker: {case.title}")
        assert finding.failing == [], finding.failing
    assert e2e_browser.watch.problems() == {
        "console errors": [],
        "uncaught exceptions": [],
        "CSP violations": [],
    }
