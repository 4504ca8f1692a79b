"""Fixtures of the report tests: an engagement to report on, and a web server on loopback that
records every request made to it (a report must never make one)."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator, Sequence
from decimal import Decimal

import pypdf
import pytest
from django.utils import timezone

from cto.aiplan.models import EvalGate, FailureMode
from cto.aiplan.services import (
    candidate_add,
    cell_score_set,
    criterion_add,
    failure_mode_set_status,
    gate_result_record,
    plan_choose,
    plan_start,
    row_save,
)
from cto.audits.services import AnswerInput, audit_answer_save, audit_lock, audit_open
from cto.checklists.models import Checklist
from cto.checklists.services import evidence_add, item_add, item_set_status
from cto.engagements.models import Engagement
from cto.engagements.services import engagement_update
from cto.intake.claims import intake_lead_prove
from cto.intake.services import (
    Contact,
    intake_answer,
    intake_start,
    intake_submit,
)
from cto.playbooks.loading import playbooks_load
from cto.pricing.models import PricingTier, Quote, QuoteLine
from cto.pricing.services import Signature, quote_accept, quote_draft, quote_line_add, quote_send
from cto.reports import narratives, selectors, services
from cto.reports.models import Report, ReportNarrative
from cto.reports.narratives import NextStep
from cto.users.models import User
from tests.reports.factories import ReportableEngagementFactory
from tests.users.factories import OperatorFactory


@pytest.fixture
def ai_engagement(operator: User) -> Engagement:
    """An AI engagement led by ``operator`` with what a week-one report shows (audits, a plan,
    a sent quote: see ReportableEngagementFactory), and no report yet."""
    return ReportableEngagementFactory(lead=operator)


@pytest.fixture
def spy() -> Iterator[list[str]]:
    """A web server on loopback that records every request made to it."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the stdlib's name
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    seen.append(f"port:{server.server_address[1]}")
    yield seen
    server.shutdown()


# --- An engagement with everything a report can show ----------------------------------------------


class Say:
    """What is typed into each user-written field of the scene: a marker naming the field, then,
    when ``corpus`` is given, as much of it as the field takes, each field starting further
    along the corpus so that every piece of it lands in several fields."""

    def __init__(self, corpus: Sequence[str] = (), *, port: int | None = None) -> None:
        self.corpus = list(corpus)
        self.port = port
        self.fields: dict[str, str] = {}
        self._turn = 0

    def __call__(self, field: str, limit: int) -> str:
        text = f"[{field}]"
        count = len(self.corpus)
        for index in range(count):
            piece = self.corpus[(self._turn + index) % count]
            if len(text) + len(piece) <= limit:
                text += piece
        self._turn += 1
        self.fields[field] = text
        return text

    def url(self, path: str) -> str:
        """A link typed into the scene: to the spy server when there is one."""
        if self.port is None:
            return f"https://docs.harbour.example/{path}"
        return f"http://127.0.0.1:{self.port}/{path}"


AI_PATH: tuple[tuple[str, list[str] | None], ...] = (
    ("building", None),  # the text answer
    ("ai_role", ["core"]),
    ("ai_actions", ["decide", "operate"]),
    ("agents", ["yes"]),
    ("retrieval", ["yes"]),
    ("pains", ["demos_fail", "regressions"]),
)


# Audit questions answered low, so that red flags fire (with the intake's answers above).
FLAGGED = frozenset({"ag_permissions", "ms_fallback", "dr_permissions"})


def engagement_with_everything(*, say: Say) -> Engagement:
    """Through the product's own services: an intake that ends in a lead, two locked audits, an
    AI plan with a choice, gates and failure modes, a quote signed by the client (which makes
    the engagement active and applies its checklist), checklist items with evidence, and the
    practice's text for every kind of report. Every text a person types on the way comes from
    ``say``."""
    playbooks_load(publish=True)
    operator = OperatorFactory(name=say("lead-name", 200))

    response = intake_start(tree_slug="cto-fit")
    for node, choices in AI_PATH:
        raw = {"text": say("intake-text-answer", 500)} if choices is None else {"choices": choices}
        response = intake_answer(
            response=response, node=node, raw=raw, tree_version_id=response.tree_version_id
        ).response
    engagement = intake_submit(
        response=response,
        contact=Contact(
            name=say("contact-name", 200),
            email="contact@harbour.example",
            company=say("organisation-name", 200),
            role=say("contact-role", 200),
            consent=True,
        ),
    )
    # The contact proves their address (as signing in by code does), which links the lead.
    engagement = intake_lead_prove(
        response=response, user=User.objects.get(email="contact@harbour.example")
    )
    client = engagement.contact
    assert client is not None
    engagement = engagement_update(
        engagement=engagement,
        by=operator,
        expected_version=engagement.version,
        title=say("engagement-title", 200),
        lead=operator,
    )

    for round_number in (1, 2):
        audit = audit_open(engagement=engagement, by=operator)
        for index, question in enumerate(audit.template_version.parsed().questions):
            noted = round_number == 2 and index < 2
            audit_answer_save(
                audit=audit,
                raw=AnswerInput(
                    question=question,
                    level=1 if question in FLAGGED else round_number + index % 2,
                    note=say(f"audit-note-{index}", 4000) if noted else "",
                    evidence_url=say.url("audit-evidence.png") if noted else "",
                ),
                expected_version=None,
                by=client,
            )
        audit_lock(audit=audit, by=operator)

    plan = plan_start(engagement=engagement, by=operator)
    criterion_add(
        plan=plan, label=say("criterion-label", 120), weight=10, higher_is_better=True, by=operator
    )
    candidates = [
        candidate_add(
            plan=plan,
            name=say(f"candidate-{n}-name", 120),
            provider=say(f"candidate-{n}-provider", 120),
            snapshot=say(f"candidate-{n}-version", 120),
            notes=say(f"candidate-{n}-notes", 2000),
            by=operator,
        )
        for n in (1, 2)
    ]
    for score, candidate in enumerate(candidates, start=3):
        for criterion in plan.criteria.all():
            cell_score_set(
                candidate=candidate,
                criterion=criterion,
                score=score,
                expected_version=None,
                by=operator,
            )
    plan_choose(
        plan=plan,
        chosen=candidates[1],
        fallback=candidates[0],
        rationale=say("plan-rationale", 4000),
        expected_version=None,
        by=operator,
    )
    gate = EvalGate(
        plan=plan,
        name=say("gate-name", 160),
        behaviour=say("gate-behaviour", 2000),
        metric=say("gate-metric", 160),
        comparison=">=",
        threshold=Decimal("0.9"),
        cadence=EvalGate.Cadence.NIGHTLY,
        blocks_release=True,
        owner=say("gate-owner", 120),
    )
    row_save(row=gate, by=operator, change="added a gate")
    gate_result_record(gate=gate, value=Decimal("0.8"), at=None, expected_version=None, by=operator)
    mode = FailureMode(
        plan=plan,
        title=say("failure-mode-title", 200),
        look_first="permissions",
        likelihood=4,
        impact=5,
        mitigation=say("failure-mode-mitigation", 2000),
        owner=say("failure-mode-owner", 120),
    )
    row_save(row=mode, by=operator, change="added a failure mode")
    failure_mode_set_status(
        failure_mode=mode,
        status=FailureMode.Status.ACCEPTED,
        reason=say("failure-mode-reason", 2000),
        expected_version=None,
        by=operator,
    )

    PricingTier.objects.filter(key="ai-cto-lead").update(
        name=say("tier-name", 120), includes=[say("tier-includes", 200)]
    )
    quote = quote_draft(
        engagement=engagement, tier_keys=["ai-cto-advisor", "ai-cto-lead"], by=operator
    )
    options = list(quote.options.all())
    quote_line_add(
        option=options[1],
        label=say("quote-line-label", 160),
        kind=QuoteLine.Kind.AMOUNT,
        period=QuoteLine.Period.MONTHLY,
        value=Decimal("250"),
        reason=say("quote-line-reason", 1000),
        by=operator,
    )
    # No service edits the terms (drafts take the practice's defaults): written to the row.
    Quote.objects.filter(pk=quote.pk).update(terms=say("quote-terms", 8000))
    quote = quote_send(quote=quote, by=operator)
    quote_accept(
        quote=quote,
        signature=Signature(
            option=options[1],
            full_name=say("signature", 200),
            agreed_to_terms=True,
            ip="127.0.0.1",
            user_agent="pytest",
        ),
        by=client,
    )

    checklist = Checklist.objects.get(engagement=engagement)  # applied on becoming active
    done = item_add(
        checklist=checklist,
        section=say("checklist-section", 120),
        title=say("checklist-item-title", 200),
        done_when="A written answer",
        owner_side="practice",
        due_day=1,
        by=operator,
    )
    evidence_add(item=done, url=say.url("evidence.png"), by=operator)
    evidence_add(item=done, note=say("evidence-note", 4000), by=operator)
    item_set_status(
        item=done,
        status="done",
        effective_date=timezone.localdate(),
        expected_version=None,
        by=operator,
    )
    blocked = checklist.items.live().exclude(pk=done.pk).first()
    assert blocked is not None
    item_set_status(
        item=blocked,
        status="blocked",
        reason=say("checklist-blocked-reason", 2000),
        expected_version=None,
        by=operator,
    )
    # The practice's text for every kind: each part typed, every report showing what it takes.
    for kind in Report.Kind.values:
        name = kind.replace("_", "-")
        narratives.narrative_save(
            engagement=engagement,
            kind=kind,
            summary=say(f"{name}-summary", 4000),
            findings=say(f"{name}-findings", 4000),
            risks=say(f"{name}-risks", 4000),
            next_steps=[
                NextStep(
                    action=say(f"{name}-step", 300),
                    owner=say(f"{name}-step-owner", 120),
                    due=timezone.localdate(),
                )
            ],
            expected_version=None,
            by=operator,
        )
    return Engagement.objects.get(pk=engagement.pk)


# --- Requesting, rendering and reading reports back (shared by the report test modules) ----------


def _request(engagement: Engagement, by: User | None = None) -> Report:
    return services.report_request(engagement=engagement, kind="week_one", by=by)


def request(engagement: Engagement, kind: str, by: User | None = None) -> Report:
    return services.report_request(engagement=engagement, kind=kind, by=by)


SUMMARY = "We found **one** blocking gap: nobody owns the release gate."


def write_text(
    engagement: Engagement,
    kind: str = "week_one",
    *,
    by: User,
    summary: str = SUMMARY,
    findings: str = "",
    risks: str = "",
    next_steps: Sequence[NextStep] = (),
) -> ReportNarrative:
    """The practice's text for ``kind``, saved through the service over whatever was there."""
    current = selectors.narrative_get(engagement=engagement, kind=kind)
    return narratives.narrative_save(
        engagement=engagement,
        kind=kind,
        summary=summary,
        findings=findings,
        risks=risks,
        next_steps=list(next_steps),
        expected_version=current.version or None,
        by=by,
    )


def request_final(engagement: Engagement, kind: str = "week_one", *, by: User) -> Report:
    """A final version, for the client, after the practice has written its summary."""
    write_text(engagement, kind, by=by)
    return services.report_request(engagement=engagement, kind=kind, by=by, release="final")


def rendered(report: Report) -> bytes:
    report = services.report_render(report_id=report.pk)
    assert report is not None
    assert report.status == Report.Status.READY, report.error
    with report.file.open("rb") as handle:
        return handle.read()


def reader_of(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in reader_of(data).pages)


@pytest.fixture
def full(db: None) -> tuple[Engagement, Say]:
    say = Say()
    return engagement_with_everything(say=say), say
