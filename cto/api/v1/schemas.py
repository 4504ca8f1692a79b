"""What the API says of an engagement and its timeline, and of a problem."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, field_validator

from cto.core.converters import ID_MAX
from cto.core.forms import VERSION_MAX
from cto.engagements.stages import Stage


class ProblemField(Schema):
    field: str = Field(description="Where the value was: query.limit, path.pk, ...")
    detail: str


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemField] | None = Field(None, description="Invalid values, by field.")


class Organization(Schema):
    id: int
    name: str


class Engagement(Schema):
    id: int
    title: str
    kind: Literal["generic", "ai"]
    stage: Stage
    stage_label: str
    organization: Organization
    start_date: datetime.date | None
    stage_changed_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int = Field(description="Bumped by every change: a writer names the one it read.")
    url: str = Field(description="The engagement's page in the portal.")


class TrackerStep(Schema):
    stage: Stage
    status: str
    reason: str


class NextStep(Schema):
    text: str
    waiting_on: str | None = Field(description="client, practice, or nobody (null)")
    url: str | None = Field(description="Where the step is done, when it is done on a page.")


class Counts(Schema):
    audits: int
    quotes: int = Field(description="The quotes you may read (clients do not see drafts).")


class EngagementDetail(Engagement):
    tracker: list[TrackerStep]
    next_step: NextStep
    notice: str
    counts: Counts
    plan: int | None = Field(description="The AI plan's id (/api/v1/plans/{id}); null without one.")


class Event(Schema):
    id: int
    verb: str
    summary: str = Field(description="The line the engagement page shows.")
    actor: str | None = Field(description="Who did it; null for the system.")
    created_at: datetime.datetime


class EngagementFilters(Schema):
    stage: Stage | None = None
    organization: int | None = Field(None, ge=1, le=ID_MAX, description="An organisation's id.")
    updated_since: datetime.datetime | None = Field(
        None, description="Changed at or after this time (ISO 8601; UTC when no offset)."
    )

    @field_validator("updated_since")
    @classmethod
    def _in_utc(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError as error:  # the first or last day of the calendar, shifted out
            raise ValueError("The time is out of range.") from error


# --- Writes ----------------------------------------------------------------------------------

VERSION = Field(
    description="The version you read: a write on an older one is refused with 409 and the "
    "current state."
)


# --- Audits ----------------------------------------------------------------------------------

AnswerValue = Annotated[int, Field(ge=0, le=4)] | Literal["na"]


class Answer(Schema):
    question: str
    value: AnswerValue = Field(description="A maturity level 0 to 4, or “na” (not applicable).")
    note: str
    evidence_url: str
    answered_by: str | None
    updated_at: datetime.datetime
    version: int = VERSION


class AnswerIn(Schema):
    value: AnswerValue = Field(description="A maturity level 0 to 4, or “na” (not applicable).")
    note: str = Field("", description="At most 4000 characters.")
    evidence_url: str = Field("", description="An http(s) link, at most 500 characters.")
    version: int | None = Field(
        None,
        ge=1,
        le=VERSION_MAX,
        description="The answer's version you read; null (or absent) when it had none yet. "
        "A write on an older version is refused with 409 and the stored answer.",
    )


class AnswerStale(Problem):
    current: Answer | None = Field(description="The stored answer, which your write would lose.")


class AuditSummary(Schema):
    id: int
    engagement: int
    number: int
    status: Literal["open", "locked"]
    template: str = Field(description="The template's slug and version: ai-readiness v3.")
    answered: int
    total: int
    created_at: datetime.datetime
    locked_at: datetime.datetime | None
    url: str = Field(description="The audit's page in the portal.")


class Question(Schema):
    id: str
    text: str
    levels: list[str] = Field(description="What each level 0 to 4 means.")
    answer: Answer | None


class Tally(Schema):
    key: str
    label: str
    score: float | None = Field(description="0 to 100; null when nothing applicable is answered.")
    answered: int
    not_applicable: int
    skipped: int


class DimensionResult(Schema):
    id: str
    title: str
    weight: int
    score: float | None
    questions: list[Question]


class Band(Schema):
    key: str
    label: str
    summary: str


class Flag(Schema):
    id: str
    title: str
    why: str
    first_step: str
    because: list[str]


class Recommendation(Schema):
    dimension: str
    score: float
    priority: float


class Delta(Schema):
    key: str
    label: str
    before: float | None
    after: float | None


class AuditDetail(AuditSummary):
    overall: float | None
    band: Band | None
    dimensions: list[DimensionResult]
    nist: list[Tally]
    cisco: list[Tally]
    flags: list[Flag]
    recommendations: list[Recommendation]
    previous: int | None = Field(description="The number of the audit this one is compared with.")
    deltas: list[Delta]


# --- Checklists ------------------------------------------------------------------------------

ItemStatus = Literal["todo", "in_progress", "blocked", "done", "not_applicable"]


class Evidence(Schema):
    id: int
    kind: Literal["link", "note", "file"]
    url: str
    note: str
    name: str = Field(description="A file's name as it was uploaded.")
    content_type: str
    size: int | None
    added_by: str | None
    added_at: datetime.datetime


class ChecklistItem(Schema):
    id: int
    key: str = Field(description="From the template; empty for an item added by hand.")
    section: str
    title: str
    done_when: str = Field(description="The evidence that counts.")
    owner_side: Literal["practice", "client"]
    owner: str | None
    due_day: int
    due_date: datetime.date | None
    overdue: bool
    status: ItemStatus
    status_reason: str
    effective_date: datetime.date | None
    done_by: str | None
    done_at: datetime.datetime | None
    version: int = VERSION
    evidence: list[Evidence]


class Progress(Schema):
    finished: int = Field(description="Done or not applicable.")
    total: int
    percent: int


class Checklist(Schema):
    engagement: int
    template: str
    progress: Progress
    items: list[ChecklistItem]


class ItemPatch(Schema):
    status: ItemStatus
    reason: str = Field("", description="Needed for blocked and not applicable.")
    effective_date: datetime.date | None = Field(
        None, description="When it became true: needed for done, never in the future."
    )
    version: int = Field(
        ge=1,
        le=VERSION_MAX,
        description="The item's version you read: a write on an older one is refused with "
        "409 and the item as it stands.",
    )


class ItemStale(Problem):
    current: ChecklistItem = Field(description="The item as it stands.")


# --- Quotes ----------------------------------------------------------------------------------

MONEY = "An amount in the quote's currency, as a decimal string: “1234.50”."


class QuoteLine(Schema):
    label: str
    kind: Literal["amount", "multiplier", "discount_percent"]
    period: Literal["monthly", "one_off"]
    amount: str | None = Field(description=MONEY)
    factor: str | None = Field(description="A multiplier, or a discount in percent.")
    reason: str


class QuoteTotals(Schema):
    monthly: str = Field(description=MONEY)
    one_off: str = Field(description=MONEY)
    first_term: str = Field(description="What the minimum term costs: " + MONEY)


class QuoteOption(Schema):
    id: int
    label: Literal["good", "better", "best"]
    tier: str
    minimum_term_months: int
    lines: list[QuoteLine]
    totals: QuoteTotals


class QuoteSummary(Schema):
    id: int
    engagement: int
    number: int
    revision: int
    status: Literal["draft", "sent", "accepted", "declined", "superseded"]
    status_label: str = Field(
        description="As the page says it: “Expired” for a sent quote past its date."
    )
    currency: str
    valid_until: datetime.date
    sent_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    accepted_option: Literal["good", "better", "best"] | None
    version: int
    url: str = Field(description="The quote's page, where a client accepts it.")


class QuoteDetail(QuoteSummary):
    terms: str
    recommended: str = Field(description="The label of the option the practice recommends.")
    recommendation_reason: str
    options: list[QuoteOption]


# --- Reports ---------------------------------------------------------------------------------

ReportKind = Literal["week_one", "intake_summary", "audit", "quote"]


class Report(Schema):
    id: int
    engagement: int
    kind: ReportKind
    kind_label: str
    number: int
    release: Literal["draft", "final", "automatic"]
    status: Literal["queued", "rendering", "ready", "failed"]
    requested_by: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    pages: int | None
    bytes: int | None
    download_url: str | None = Field(description="The PDF through the API, once ready.")


class ReportRequest(Schema):
    kind: ReportKind = Field("week_one", description="Which report.")
    release: Literal["draft", "final"] = Field(
        "draft", description="A draft is for the practice to review; a final goes to the client."
    )


# --- Intake responses ------------------------------------------------------------------------


class IntakeStep(Schema):
    question: str = Field(description="The question's id in the tree.")
    prompt: str
    answer: str = Field(description="The chosen choices' labels, or the text typed.")
    choices: list[str] = Field(description="The chosen choices' ids (none for a text answer).")


class IntakeResponseSummary(Schema):
    id: int
    status: Literal["in_progress", "submitted"]
    tree: str = Field(description="The tree's slug and version: cto-fit v2.")
    outcome: str = Field(description="The outcome reached (its id); empty before one.")
    contact_name: str
    contact_email: str
    company: str
    role: str
    contact_proven: bool = Field(description="Whether the contact proved the address typed.")
    engagement: int | None
    started_at: datetime.datetime
    submitted_at: datetime.datetime | None


class IntakeResponseDetail(IntakeResponseSummary):
    path: list[IntakeStep] = Field(description="The answers on the path taken, in order.")
    outcome_title: str | None
    stopped_at: str | None = Field(description="The next unanswered question, if unfinished.")
    lookalikes: list[dict[str, str]] = Field(
        description="Known organisations and domains the lead's look like."
    )


class IntakeFilters(Schema):
    status: Literal["in_progress", "submitted"] | None = None


# --- The AI plan -----------------------------------------------------------------------------


class PlanCriterion(Schema):
    id: int
    key: str
    label: str
    weight: int
    direction: Literal["higher", "lower"] = Field(description="Which way is better.")


class PlanCell(Schema):
    criterion: int
    score: int = Field(description="1 to 5.")
    measured_value: str | None
    unit: str
    source_url: str


class PlanCandidate(Schema):
    id: int
    name: str
    provider: str
    snapshot: str
    total: float | None = Field(description="The weighted total, 0 to 100.")
    position: int | None
    scores: list[PlanCell]


class ReceiptRule(Schema):
    measure: str
    subject: str
    comparison: str
    threshold: str | None


class Receipt(Schema):
    id: int
    gate: int | None = Field(description="Null for a trace kept on the plan.")
    kind: Literal["eval", "trace"]
    verdict: Literal["pass", "fail", "needs_review"] | None = Field(
        description="The gate's rule applied to the file when it arrived; null for a trace "
        "kept on the plan that no rule judges."
    )
    value: str | None = Field(description="What the rule measured, like 0.93.")
    cases: int = Field(description="Cases (or spans) the rule counted.")
    passed: int
    reason: str = Field(description="Why it passes, fails or needs review.")
    summary: str = Field(description="Like “0.93 from 93 of 100 cases”.")
    rule: ReceiptRule | None = Field(description="The rule it was judged by, as it was then.")
    sha256: str = Field(description="Of the exact bytes sent.")
    size: int
    filename: str
    format: str = Field(description="promptfoo, inspect, junit or otlp; empty if unreadable.")
    tool: str
    tool_version: str
    adapter_version: str
    uploaded_by: str | None
    created_at: datetime.datetime
    download_url: str = Field(description="The kept file, for who may see the plan.")


class TraceReceipt(Receipt):
    spans: int
    trace_ids: list[str]


class PlanGateReceipt(Schema):
    id: int
    verdict: Literal["pass", "fail", "needs_review"]
    value: str | None
    summary: str
    reason: str
    source: str = Field(description="Tool and version, file name, sha256 prefix.")
    sha256: str
    created_at: datetime.datetime


class PlanGate(Schema):
    id: int
    name: str
    behaviour: str
    metric: str
    requirement: str = Field(description="The metric, comparison and threshold in words.")
    rule: str = Field(description="The rule result files are judged by; empty when none.")
    cadence: str
    blocks_release: bool
    owner: str
    latest_value: str | None = Field(description="A claim typed by hand, measured elsewhere.")
    latest_at: datetime.date | None
    latest_run_url: str
    latest_note: str = Field(description="Where the claimed value was measured.")
    verdict: str = Field(
        description="pass, fail, needs review, or no result: the latest receipt's verdict, "
        "else the claim's."
    )
    verdict_source: Literal["receipt", "claim", ""] = Field(
        description="receipt, claim (claimed, measured elsewhere), or empty (no result)."
    )
    latest_receipt: PlanGateReceipt | None
    version: int = VERSION


class PlanFailureMode(Schema):
    id: int
    title: str
    look_first: str
    likelihood: int
    impact: int
    risk: int
    detection: str
    mitigation: str
    owner: str
    status: str
    status_reason: str
    blocks_production: bool
    version: int = VERSION


class PlanProposal(Schema):
    id: int
    title: str
    look_first: str
    evidence: str
    proposed_by: str | None
    created_at: datetime.datetime
    status: str = Field(description="proposed (waiting for an operator), confirmed or dismissed.")
    failure_mode: int | None = Field(description="The register's entry, once confirmed.")


class PlanComment(Schema):
    id: int
    row: str = Field(description="“plan”, or the row commented on: “gate:12”.")
    author: str | None
    text: str
    created_at: datetime.datetime


class Plan(Schema):
    id: int
    engagement: int
    version: int
    criteria: list[PlanCriterion]
    candidates: list[PlanCandidate]
    chosen: int | None
    fallback: int | None
    rationale: str
    gates: list[PlanGate]
    failure_modes: list[PlanFailureMode]
    proposed_failure_modes: list[PlanProposal] = Field(
        description="Proposed by someone who saw them; counted nowhere until an operator "
        "confirms them in the portal."
    )
    comments: list[PlanComment]
    url: str


class GateResultIn(Schema):
    value: Decimal = Field(description="The result, like 0.95 or 820 (at most four decimals).")
    at: datetime.date | None = Field(None, description="The day of the run; today if absent.")
    run_url: str = Field("", description="A link to the run, at most 500 characters.")
    note: str = Field("", description="Where it was measured; at most 2000 characters.")
    version: int = Field(
        ge=1, le=VERSION_MAX, description="The gate's version you read (409 when stale)."
    )


class FailureModePatch(Schema):
    status: Literal["open", "mitigated", "accepted"]
    reason: str = Field("", description="Needed to accept a risk; at most 2000 characters.")
    version: int = Field(
        ge=1, le=VERSION_MAX, description="The failure mode's version you read (409 when stale)."
    )


class GateStale(Problem):
    current: PlanGate = Field(description="The gate as it stands.")


class FailureModeStale(Problem):
    current: PlanFailureMode = Field(description="The failure mode as it stands.")


class ProposalIn(Schema):
    title: str = Field(description="The failure in a few words; at most 200 characters.")
    look_first: str = Field(
        description="Where to look first: prompt, model, retrieval, permissions, queue, cache, "
        "or one of the plan's other places (see the page)."
    )
    evidence: str = Field(
        description="What was seen: the input, the output, where; at most 4000 characters."
    )


class CommentIn(Schema):
    row: str = Field(
        "plan",
        max_length=40,
        description="What the comment is on: “plan”, or a row as “candidate:ID”, “gate:ID”, "
        "“failure_mode:ID”.",
    )
    text: str = Field(description="At most 2000 characters.")
