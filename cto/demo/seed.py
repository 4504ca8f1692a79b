"""Demo data for `make run`: an operator, two client organisations and engagements in
several stages, built through the same services the product uses. Idempotent: what exists
already is left as it is."""

from __future__ import annotations

import datetime
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from cto.aiplan.models import AIPlan, EvalGate, FailureMode
from cto.aiplan.proposals import failure_mode_propose
from cto.aiplan.services import (
    candidate_add,
    cell_score_set,
    failure_mode_set_status,
    gate_result_record,
    plan_choose,
    plan_start,
    row_save,
)
from cto.audits.services import AnswerInput, audit_answer_save, audit_lock, audit_open
from cto.brand.models import Brand
from cto.brand.services import brand_save
from cto.checklists.models import Checklist, ChecklistItem
from cto.checklists.services import (
    evidence_add,
    item_set_status,
)
from cto.engagements.models import Engagement
from cto.engagements.services import engagement_create, engagement_transition
from cto.engagements.stages import Stage
from cto.playbooks.loading import playbooks_load
from cto.pricing.services import quote_draft, quote_send
from cto.receipts.services import receipt_add, trace_add
from cto.reports.models import Report
from cto.reports.narratives import NextStep, narrative_save
from cto.reports.services import report_request
from cto.users.models import Membership, User
from cto.users.services import (
    membership_ensure,
    organization_get_or_create,
    user_get_or_create,
    user_mark_email_verified,
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


OPERATOR = DemoLogin("operator", "operator@example.com", "demo-operator-pass")
# The demo practice: a one-operator studio in the field report's spirit ("receipts, not
# claims"). The phone number is in Ofcom's range kept for drama; nothing is sent to the address.
DEMO_BRAND = {
    "name": "Proofwork",
    "tagline": "Fractional CTO and AI CTO. Receipts, not claims.",
    "primary_color": "#1d3557",
    "accent_color": "#e76f51",
    "address": "Proofwork Ltd\nStudio 4, 21 Kingsland Road\nLondon E2 8AA\nUnited Kingdom",
    "email": "hello@proofwork.studio",
    "phone": "+44 20 7946 0321",
    "website": "https://proofwork.studio",
    "logo_svg": (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        "<title>Proofwork</title>"
        '<rect width="64" height="64" rx="14" fill="#1d3557"/>'
        '<path d="M20 46V18h14a10 10 0 0 1 0 20H20" fill="none" stroke="#ffffff" '
        'stroke-width="6" stroke-linejoin="round"/>'
        '<circle cx="45" cy="46" r="5" fill="#e76f51"/>'
        "</svg>"
    ),
}
CLIENTS = (
    # (login, name, organisation)
    (
        DemoLogin("client", "ada@northwind.example", "demo-client-pass"),
        "Ada Lovell",
        "Northwind Analytics",
    ),
    (
        DemoLogin("client", "sam@brightline.example", "demo-client-pass"),
        "Sam Okafor",
        "Brightline Logistics",
    ),
)
# (organisation, title, kind, the stages it walks through after `lead`)
ENGAGEMENTS = (
    ("Northwind Analytics", "AI support agent to production", "ai", (Stage.QUALIFIED, Stage.AUDIT)),
    ("Northwind Analytics", "Retrieval quality review", "ai", ()),
    (
        "Brightline Logistics",
        "Platform modernisation",
        "generic",
        (Stage.QUALIFIED, Stage.PROPOSAL, Stage.ACTIVE),
    ),
    ("Brightline Logistics", "Warehouse data platform", "generic", (Stage.QUALIFIED, Stage.PAUSED)),
)


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    """Create what is missing of the demo data and return the logins to print."""
    playbooks_load(publish=True)
    if not Brand.objects.exists():
        brand_save(brand=Brand(**DEMO_BRAND))
    operator, created = user_get_or_create(
        email=OPERATOR.email, name="Olivia Operator", password=OPERATOR.password, is_staff=True
    )
    if created:
        # The demo operator administers everything; real operators get permissions per group.
        operator.is_superuser = True
        operator.save(update_fields=["is_superuser"])
    user_mark_email_verified(user=operator)

    organizations = {}
    for login, name, organization_name in CLIENTS:
        client, _ = user_get_or_create(email=login.email, name=name, password=login.password)
        user_mark_email_verified(user=client)
        organization, _ = organization_get_or_create(name=organization_name)
        membership_ensure(organization=organization, user=client, role=Membership.Role.OWNER)
        organizations[organization_name] = (organization, client)

    for organization_name, title, kind, stages in ENGAGEMENTS:
        organization, client = organizations[organization_name]
        if Engagement.objects.filter(organization=organization, title=title).exists():
            continue
        engagement = engagement_create(
            organization=organization,
            title=title,
            kind=kind,
            lead=operator,
            contact=client,
            # The active engagement started six days ago, so its checklist has due dates behind it.
            start_date=timezone.localdate() - datetime.timedelta(days=6)
            if Stage.ACTIVE in stages
            else None,
            by=operator,
        )
        for stage in stages:
            engagement = engagement_transition(engagement=engagement, to=stage, by=operator)

    _seed_audits(operator)
    _seed_ai_plan(operator)  # before the open audit: the plan's starter reads the latest audit
    _seed_open_audit(operator)
    _seed_checklist(operator)
    _seed_quote(operator)
    _seed_texts(operator)
    _seed_report(operator)
    return [OPERATOR, *(login for login, _, _ in CLIENTS)]


def _seed_audits(operator: User) -> None:
    """Two locked audits on the AI engagement, the second better, so progress shows."""
    engagement = Engagement.objects.get(title="AI support agent to production")
    if engagement.audits.exists():
        return
    client = engagement.contact or operator
    for round_number in (1, 2):
        audit = audit_open(engagement=engagement, by=operator)
        for question in audit.template_version.parsed().questions:
            spread = zlib.crc32(question.encode()) % 3  # a stable, varied starting point
            level = spread if round_number == 1 else min(4, spread + 1 + spread % 2)
            audit_answer_save(
                audit=audit,
                raw=AnswerInput(question=question, level=level),
                expected_version=None,
                by=client,
            )
        audit_lock(audit=audit, by=operator)


# The third audit, opened after the second was locked: the client has answered the first few
# questions and can answer the rest (the portal's "Audit 3", signed in as the client).
OPEN_AUDIT_ANSWERED = 6


def _seed_open_audit(operator: User) -> None:
    """A third audit of the AI engagement, open and partly answered by its client, so the demo
    shows a client's work in progress and a client can sign in and carry on."""
    engagement = Engagement.objects.get(title="AI support agent to production")
    if engagement.audits.count() != 2:  # made once, after the two locked ones; never again
        return
    client = engagement.contact or operator
    audit = audit_open(engagement=engagement, by=operator)
    questions = list(audit.template_version.parsed().questions)
    for question in questions[:OPEN_AUDIT_ANSWERED]:
        audit_answer_save(
            audit=audit,
            raw=AnswerInput(question=question, level=3),
            expected_version=None,
            by=client,
        )


DEMO_CANDIDATES = (
    # name, provider, snapshot, scores by criterion key (1-5 on each criterion's own scale)
    (
        "Claude Sonnet 4.5",
        "Anthropic, through AWS Bedrock in eu-central-1",
        "claude-sonnet-4-5-20250929",
        {
            "latency": 3,
            "context_window": 5,
            "tool_calling": 5,
            "reasoning_consistency": 5,
            "data_policy": 4,
            "eval_results": 5,
            "fallback": 3,
            "observability": 4,
            "cost_per_task": 4,
        },
    ),
    (
        "GPT-5",
        "OpenAI, through Azure OpenAI (EU data zone)",
        "gpt-5-2025-08-07",
        {
            "latency": 3,
            "context_window": 4,
            "tool_calling": 4,
            "reasoning_consistency": 4,
            "data_policy": 4,
            "eval_results": 4,
            "fallback": 4,
            "observability": 3,
            "cost_per_task": 3,
        },
    ),
    (
        "Llama 3.3 70B Instruct",
        "Open weights, served by vLLM on the client's own GPUs",
        "Llama-3.3-70B-Instruct",
        {
            "latency": 2,
            "context_window": 3,
            "tool_calling": 3,
            "reasoning_consistency": 3,
            "data_policy": 5,
            "eval_results": 3,
            "fallback": 5,
            "observability": 5,
            "cost_per_task": 2,
        },
    ),
    (
        "Claude Haiku 4.5",
        "Anthropic, through AWS Bedrock in eu-central-1",
        "claude-haiku-4-5-20251001",
        {
            "latency": 1,
            "context_window": 3,
            "tool_calling": 3,
            "reasoning_consistency": 2,
            "data_policy": 4,
            "eval_results": 2,
            "fallback": 3,
            "observability": 4,
            "cost_per_task": 1,
        },
    ),
)
EXTRA_GATES = (
    (
        "Tool calls are valid and permitted",
        "Every tool call names a permitted tool with valid arguments",
        "share of tool calls valid and permitted",
        ">=",
        "0.99",
        "per_commit",
        True,
    ),
    (
        "Retrieval finds the right sources",
        "The documents a correct answer needs are retrieved",
        "recall at 5",
        ">=",
        "0.85",
        "nightly",
        False,
    ),
    (
        "Unsafe requests are refused",
        "Requests outside policy get a refusal, not an answer",
        "share refused",
        ">=",
        "0.98",
        "per_change",
        True,
    ),
)
OPERATOR_NAME = "Olivia Operator"
CLIENT_NAME = "Ada Lovell"  # the AI engagement's contact at Northwind Analytics
EXTRA_FAILURE_MODES = (
    # title, look first at, likelihood, impact, blocks production, detection, mitigation, owner
    (
        "An agent calls a tool it should not",
        "permissions",
        3,
        5,
        True,
        "Every tool call is logged with the permission it used; the tool-call gate replays "
        "the golden set on each commit.",
        "Tools that write need a human approval; each tool has an allow-list per role.",
        OPERATOR_NAME,
    ),
    (
        "Retrieval returns outdated documents",
        "retrieval",
        4,
        3,
        False,
        "The nightly recall eval compares retrieved sources with the current knowledge base.",
        "Re-index on every publish; documents past their review date are left out.",
        CLIENT_NAME,
    ),
    (
        "Text in a ticket takes over the model's instructions",
        "prompt",
        3,
        4,
        True,
        "Injection probes from the red-team set run on every model or prompt change.",
        "Ticket text is passed as quoted data, never as instructions; tools that write stay "
        "behind approval whatever the model asks.",
        OPERATOR_NAME,
    ),
    (
        "An answer reveals another customer's data",
        "permissions",
        2,
        5,
        True,
        "A permission eval asks as one customer about another and must get nothing back.",
        "Retrieval filters by the asking customer's account before ranking; the model never "
        "sees another customer's documents.",
        OPERATOR_NAME,
    ),
    (
        "Agent work piles up when a worker dies",
        "queue",
        2,
        4,
        False,
        "An alert when the oldest task in the queue is older than five minutes.",
        "Tasks are acknowledged late and retried; a second worker runs in another zone.",
        CLIENT_NAME,
    ),
)
# Owners of the starter's failure modes (by key) and of its eval gates: the demo names a person
# for every row, as the practice does, so the register reads as someone's work.
STARTER_OWNERS = {
    "silent_regression": CLIENT_NAME,
    "tool_misuse": OPERATOR_NAME,
    "stale_retrieval": CLIENT_NAME,
    "permission_leak": OPERATOR_NAME,
    "prompt_injection": OPERATOR_NAME,
    "vendor_outage": OPERATOR_NAME,
    "cost_runaway": CLIENT_NAME,
    "queue_backlog": CLIENT_NAME,
    "untested_release": OPERATOR_NAME,
    "broken_tool_contract": OPERATOR_NAME,
}
# A blocking failure mode already dealt with, and why: the register shows progress.
MITIGATED = (
    "An answer reveals another customer's data",
    "The permission eval passed 200 of 200 cross-customer questions after the retrieval filter "
    "shipped.",
)


def _seed_ai_plan(operator: User) -> None:
    """The AI engagement's plan: four candidates scored, six gates (one failing), eight
    failure modes (the starter's proposals plus what the operator added), each row with a named
    owner, every failure mode with its detection and mitigation, one blocking mode mitigated;
    and one failure mode the client proposed, waiting for an operator."""
    engagement = Engagement.objects.get(title="AI support agent to production")
    if AIPlan.objects.filter(engagement=engagement).exists():
        return
    plan = plan_start(engagement=engagement, by=operator)
    criteria = {c.key: c for c in plan.criteria.all()}
    candidates = []
    for name, provider, snapshot, scores in DEMO_CANDIDATES:
        candidate = candidate_add(
            plan=plan, name=name, provider=provider, snapshot=snapshot, by=operator
        )
        candidates.append(candidate)
        for key, score in scores.items():
            cell_score_set(
                candidate=candidate,
                criterion=criteria[key],
                score=score,
                expected_version=None,
                by=operator,
            )
    plan_choose(
        plan=plan,
        chosen=candidates[0],
        fallback=candidates[1],
        expected_version=None,
        rationale=(
            "Best on our evals and on tool calling. GPT-5 is close behind and on another "
            "vendor and cloud, so an outage at one leaves the other."
        ),
        by=operator,
    )
    for name, behaviour, metric, comparison, threshold, cadence, blocks in EXTRA_GATES:
        row_save(
            row=EvalGate(
                plan=plan,
                name=name,
                behaviour=behaviour,
                metric=metric,
                comparison=comparison,
                threshold=Decimal(threshold),
                cadence=cadence,
                blocks_release=blocks,
                owner=OPERATOR_NAME,
            ),
            by=operator,
            change=f"added the gate {name}",
        )
    for gate in plan.gates.filter(owner=""):  # the starter's gates: the client's team runs them
        gate.owner = CLIENT_NAME
        row_save(row=gate, by=operator, change=f"named the owner of the gate {gate.name}")
    for mode in plan.failure_modes.filter(owner=""):
        mode.owner = STARTER_OWNERS.get(mode.key, OPERATOR_NAME)
        row_save(row=mode, by=operator, change=f"named the owner of {mode.title}")
    for (
        title,
        look_first,
        likelihood,
        impact,
        blocks,
        detection,
        mitigation,
        owner,
    ) in EXTRA_FAILURE_MODES:
        row_save(
            row=FailureMode(
                plan=plan,
                title=title,
                look_first=look_first,
                likelihood=likelihood,
                impact=impact,
                blocks_production=blocks,
                detection=detection,
                mitigation=mitigation,
                owner=owner,
            ),
            by=operator,
            change=f"added the failure mode {title}",
        )
    title, reason = MITIGATED
    failure_mode_set_status(
        failure_mode=plan.failure_modes.get(title=title),
        status=FailureMode.Status.MITIGATED,
        reason=reason,
        expected_version=None,
        by=operator,
    )
    # Two gates decided by receipts, files from the client's own tools (made by promptfoo and
    # the OpenTelemetry SDK: tests/receipts/fixtures says how): the golden set's eval results,
    # and a trace of one request that the latency gate reads and the plan draws.
    latency = plan.gates.get(key="latency_p95")
    latency.subject = "invoke_agent support-bot"  # the client's agent names its spans so
    row_save(row=latency, by=operator, change="named the spans the latency gate measures")
    ada = User.objects.get(email=CLIENTS[0][0].email)
    receipt_add(
        gate=plan.gates.get(key="golden_set"), upload=_demo_file("golden-set-results.json"), by=ada
    )
    receipt_add(gate=latency, upload=_demo_file("support-bot-trace.jsonl"), by=ada)
    trace_add(plan=plan, upload=_demo_file("support-bot-trace.jsonl"), by=ada)
    # Two measured elsewhere and typed in: claims, each with where it was measured.
    claims = {
        "Tool calls are valid and permitted": (Decimal("0.97"), "Ada's nightly run, not sent"),
        "Unsafe requests are refused": (Decimal("0.99"), "the vendor's red-team report"),
    }
    for gate in plan.gates.all():
        if gate.name in claims:  # the tool-call gate fails: 0.97 against 0.99
            value, note = claims[gate.name]
            gate_result_record(
                gate=gate, value=value, at=None, note=note, expected_version=None, by=operator
            )
    # Ada saw a failure in their own testing and proposed it: it waits for an operator.
    failure_mode_propose(
        plan=plan,
        title="Refund answers quote the retired policy",
        look_first="retrieval",
        evidence=(
            "Asked “can I return an opened item after 30 days?”, the agent answered with the "
            "2024 returns policy, retired in March; the current one allows 45 days. Seen twice "
            "in the staging chat on the 2nd."
        ),
        by=ada,
    )


def _demo_file(name: str) -> SimpleUploadedFile:
    path = Path(__file__).parent / "receipts" / name
    return SimpleUploadedFile(name, path.read_bytes())


def _seed_checklist(operator: User) -> None:
    """The active engagement's week-one checklist, part done with evidence, one item blocked,
    the rest open and so overdue (it started six days ago)."""
    checklist = Checklist.objects.get(engagement__title="Platform modernisation")
    items = {item.key: item for item in checklist.items.all()}
    if any(item.status != "todo" for item in items.values()):
        return
    started = checklist.engagement.start_date or timezone.localdate()
    for key, proof in (
        ("access_granted", {"note": "Read access to the two repositories and the cloud console."}),
        ("architecture_review", {"url": "https://docs.example/architecture-review"}),
        ("risk_map", {"url": "https://docs.example/risk-map"}),
        (
            "security_gaps",
            {"note": "Secrets moved out of the repository; backups now tested weekly."},
        ),
    ):
        evidence_add(
            item=items[key], url=proof.get("url", ""), note=proof.get("note", ""), by=operator
        )
        item_set_status(
            item=items[key],
            status=ChecklistItem.Status.DONE,
            expected_version=None,
            by=operator,
            effective_date=started + datetime.timedelta(days=items[key].due_day - 1),
        )
    item_set_status(
        item=items["vendor_assessment"],
        status=ChecklistItem.Status.BLOCKED,
        expected_version=None,
        reason="Waiting for the client's list of contracts.",
        by=operator,
    )


def _seed_quote(operator: User) -> None:
    """A sent three-option quote on the AI engagement, recommending by its risk drivers."""
    engagement = Engagement.objects.get(title="AI support agent to production")
    if engagement.quotes.exists():
        return
    quote = quote_draft(
        engagement=engagement,
        tier_keys=["ai-cto-advisor", "ai-cto-lead", "ai-cto-partner"],
        by=operator,
    )
    quote_send(quote=quote, by=operator)


# The practice's own words for the demo's reports, so the demo PDFs read as finals: (engagement,
# kind, summary, findings, risks, next steps as (action, owner, days from today)).
TEXTS = (
    (
        "AI support agent to production",
        Report.Kind.WEEK_ONE,
        "The support agent is close, and it is not ready. The model choice is sound and the "
        "team can ship; what is missing is the machinery that lets you **defend** the agent's "
        "answers once real customers depend on them: a release gate that fails closed, one "
        "trace from question to tool call to reply, and a named owner for each failure mode.\n\n"
        "We recommend four weeks of that machinery before the agent answers a customer on its "
        "own: first the blocking eval gate and its dataset, then tool permissions, then the "
        "fallback path. Each week of waiting costs less than one bad answer sent at scale; each "
        "week of shipping without the gate makes the first incident more likely and harder to "
        "explain.",
        "- The agent can call tools that write to customer accounts with no human approval and "
        "no automated check in front of them.\n"
        "- Answers are tested by hand before a demo, not by evals on every change: a model or "
        "prompt update can regress quality silently.\n"
        "- The second audit shows real progress on data boundaries and ownership; the weakest "
        "dimension is still evaluation.",
        "The risk that matters most is an agent that acts on a customer's account on a wrong "
        "reading of the question: likely without gates, and expensive in trust when it happens. "
        "Next come a vendor outage with no tested fallback, and cost per resolved ticket "
        "drifting up as context grows. None of these is exotic; each has a named first place "
        "to look in the register.",
        (
            ("Agree the blocking eval gate's dataset and threshold", "Ada Lovell", 5),
            ("Put an approval step in front of every tool that writes", "Olivia Operator", 10),
            ("Run the fallback model against the same eval set", "Olivia Operator", 14),
            ("First trace from question to reply reviewed together", "Ada Lovell", 21),
        ),
    ),
    (
        "AI support agent to production",
        Report.Kind.AUDIT,
        "Readiness improved between the two audits, mostly where the team owns the work: "
        "data boundaries and who decides what ships. It is still held back by evaluation: "
        "there is no automated check between a change and the customer. Fix that first; the "
        "rest of the score follows.",
        "- Ownership and data handling moved up a band.\n"
        "- Evaluation and agent permissions stay the weakest dimensions.",
        "Until a blocking gate exists, every model or prompt change is a release nobody tested.",
        (("Write the first eval set from fifty real tickets", "Ada Lovell", 7),),
    ),
    (
        "AI support agent to production",
        Report.Kind.QUOTE,
        "We recommend the middle option: enough time each week to build the gate, the traces "
        "and the fallback with your team, and to hand them over with the runbooks, with no "
        "lock-in. The smaller option suits a team that already has evals in place; yours does "
        "not yet.",
        "",
        "",
        (),
    ),
)


def _seed_texts(operator: User) -> None:
    """The practice's written text for the demo's reports, where none is written yet."""
    today = timezone.localdate()
    for title, kind, summary, findings, risks, steps in TEXTS:
        engagement = Engagement.objects.get(title=title)
        if engagement.narratives.filter(kind=kind).exists():
            continue
        narrative_save(
            engagement=engagement,
            kind=kind,
            summary=summary,
            findings=findings,
            risks=risks,
            next_steps=[
                NextStep(action=action, owner=owner, due=today + datetime.timedelta(days=days))
                for action, owner, days in steps
            ],
            expected_version=None,
            by=operator,
        )


def _seed_report(operator: User) -> None:
    """The AI engagement's week-one report, final (its text is written), queued: the worker
    `make run` starts renders it."""
    engagement = Engagement.objects.get(title="AI support agent to production")
    if engagement.reports.filter(kind=Report.Kind.WEEK_ONE).exists():
        return
    report_request(
        engagement=engagement,
        kind=Report.Kind.WEEK_ONE,
        by=operator,
        release=Report.Release.FINAL,
    )
