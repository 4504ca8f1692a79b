"""The write tools, for "read write" tokens only: each calls the service the page calls, so
every rule, lock, stale-version check and timeline event of the page holds, and the event
names the token (cto.api.via). Only changes that are reversible or reviewed are tools (a
proposed failure mode waits for an operator to confirm it):
accepting or sending a quote, moving a stage and passing a gate by hand stay a person's acts in
the portal, and a report is requested as a draft, which the practice reviews before any client
sees it."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpRequest
from django_mcpz.server import ToolError

from cto.aiplan import proposals
from cto.aiplan import services as plan_services
from cto.aiplan.forms import ROW_MESSAGE, ROW_MODELS
from cto.aiplan.models import AIPlan
from cto.aiplan.selectors import plan_get
from cto.api.v1 import receipts as api_receipts
from cto.audits import selectors as audit_selectors
from cto.audits import services as audit_services
from cto.checklists import selectors as checklist_selectors
from cto.checklists import services as checklist_services
from cto.engagements import selectors
from cto.engagements.models import ActivityEvent
from cto.engagements.services import activity_record
from cto.mcp import schemas
from cto.mcp.server import tool, user_of
from cto.receipts import services as receipt_services
from cto.receipts.forms import ReceiptUploadForm
from cto.reports import services as report_services
from cto.reports.models import Report
from cto.users.models import User


def _plan_of(user: User, engagement_id: int) -> AIPlan:
    """The AI plan of an engagement ``user`` may see (else "nothing to see", as for any id)."""
    engagement = selectors.engagement_for_page(user=user, pk=engagement_id)
    if getattr(engagement, "ai_plan", None) is None:
        raise ToolError("This engagement has no AI plan yet.")
    return plan_get(user=user, pk=engagement.ai_plan.pk)


@tool(
    schemas.AuditAnswer,
    write=True,
    description=(
        "Answer one question of an open audit, as on its page: a level from 0 to 4 (null for "
        "not applicable), an optional note and evidence link. Pass the answer's version you "
        "read (read_audit), null for an unanswered question: if someone saved since, nothing "
        "is written and their answer is returned instead."
    ),
)
def answer_audit_question(request: HttpRequest, args: schemas.AuditAnswer) -> dict[str, Any]:
    user = user_of(request)
    audit = audit_selectors.audit_get(user=user, pk=args.audit_id)
    raw = audit_services.AnswerInput(
        question=args.question, level=args.level, note=args.note, evidence_url=args.evidence_url
    )
    try:
        with transaction.atomic():
            answer = audit_services.audit_answer_save(
                audit=audit, raw=raw, expected_version=args.expected_version, by=user
            )
            # The page saves answers as they are typed and leaves no event per keystroke; an
            # agent's answer is one deliberate act, and the timeline says who made it.
            activity_record(
                engagement=audit.engagement,
                actor=user,
                verb=ActivityEvent.Verb.AUDIT_ANSWERED,
                target=audit,
                data={"number": audit.number, "question": args.question},
            )
    except audit_services.StaleAnswerError as stale:
        current = stale.current
        raise ToolError(
            f"{stale.messages[0]} The stored answer: level "
            f"{'not applicable' if current.level is None else current.level}, version "
            f"{current.version}, note {current.note!r}."
        ) from None
    return {
        "audit_id": audit.pk,
        "question": answer.question,
        "level": answer.level,
        "note": answer.note,
        "evidence_url": answer.evidence_url,
        "version": answer.version,
    }


@tool(
    schemas.ChecklistEvidence,
    write=True,
    description=(
        "Add evidence to a checklist item your side owns (operators: any item): a link "
        "(https://) or a note. Files are added in the portal."
    ),
)
def add_checklist_evidence(request: HttpRequest, args: schemas.ChecklistEvidence) -> dict[str, Any]:
    user = user_of(request)
    item = checklist_selectors.item_get(user=user, pk=args.item_id)
    evidence = checklist_services.evidence_add(item=item, url=args.url, note=args.note, by=user)
    return {
        "item_id": item.pk,
        "evidence": {
            "id": evidence.pk,
            "kind": evidence.kind,
            "url": evidence.url,
            "note": evidence.note,
        },
    }


@tool(
    schemas.PlanComment,
    write=True,
    description=(
        "Comment on an engagement's AI plan, as a whole (row: plan) or on one of its rows "
        "(candidate, gate or failure_mode, with the row_id from read_plan)."
    ),
)
def comment_on_plan(request: HttpRequest, args: schemas.PlanComment) -> dict[str, Any]:
    user = user_of(request)
    plan = _plan_of(user, args.engagement_id)
    row = None
    if args.row == "plan" and args.row_id is not None:
        raise ToolError("A comment on the plan as a whole names no row_id.")
    if args.row != "plan":
        if args.row_id is None:
            raise ToolError(f"Name the {args.row.replace('_', ' ')}: give its row_id.")
        row = ROW_MODELS[args.row].objects.filter(plan=plan, pk=args.row_id).first()
        if row is None:
            raise ToolError(ROW_MESSAGE)
    comment = plan_services.comment_add(plan=plan, row=row, text=args.text, by=user)
    return {
        "id": comment.pk,
        "row": comment.row_kind,
        "row_id": comment.row_id,
        "text": comment.text,
    }


@tool(
    schemas.FailureModeProposal,
    write=True,
    description=(
        "Propose a failure mode you saw for an engagement's AI plan: a short title, where to "
        "look first, and the evidence (the input, what came out, where). It waits, counted "
        "nowhere, until one of the practice's operators confirms it into the register with its "
        "likelihood and impact, or dismisses it; read_plan lists the proposals."
    ),
)
def propose_failure_mode(request: HttpRequest, args: schemas.FailureModeProposal) -> dict[str, Any]:
    user = user_of(request)
    plan = _plan_of(user, args.engagement_id)
    proposal = proposals.failure_mode_propose(
        plan=plan, title=args.title, look_first=args.look_first, evidence=args.evidence, by=user
    )
    return {
        "id": proposal.pk,
        "title": proposal.title,
        "look_first": proposal.look_first,
        "status": proposal.status,
    }


def _upload(args: schemas.ReceiptFile) -> ReceiptUploadForm:
    """The file of a tool call, checked by the upload form the page and the API use."""
    if args.encoding == "base64":
        try:
            data = base64.b64decode(args.content, validate=True)
        except binascii.Error:
            raise ToolError("The content is not valid base64.") from None
    else:
        data = args.content.encode()
    name = args.filename.replace("\\", "/").rsplit("/", 1)[-1]  # a name, never a path
    form = ReceiptUploadForm(files={"file": SimpleUploadedFile(name, data)})
    if not form.is_valid():
        raise ToolError(" ".join(str(error) for errors in form.errors.values() for error in errors))
    return form


@tool(
    schemas.EvalReceipt,
    write=True,
    description=(
        "Send an eval run's result file to an eval gate (its id from read_plan): promptfoo "
        "results JSON, an Inspect AI log (.json, or .eval as base64) or JUnit XML. The file is "
        "kept with its sha256 and the gate's rule decides the verdict: pass, fail, or "
        "needs_review with the reason, never pass by default. Up to about 1.5 MB here; larger "
        "files through POST /api/v1/gates/{id}/receipts."
    ),
)
def add_eval_receipt(request: HttpRequest, args: schemas.EvalReceipt) -> dict[str, Any]:
    gate = api_receipts.gate_visible(request, args.gate_id)
    form = _upload(args)
    receipt = receipt_services.receipt_add(gate=gate, **form.arguments(), by=user_of(request))
    return api_receipts.receipt_out(request, receipt)


@tool(
    schemas.TraceReceipt,
    write=True,
    description=(
        "Send an OpenTelemetry trace (OTLP/JSON, one document or JSON Lines) to an "
        "engagement's AI plan: it is kept with its sha256 and drawn on the plan page and in the "
        "week-one report (names, timings, models, token counts and tools only)."
    ),
)
def add_trace(request: HttpRequest, args: schemas.TraceReceipt) -> dict[str, Any]:
    user = user_of(request)
    plan = _plan_of(user, args.engagement_id)
    form = _upload(args)
    receipt = receipt_services.trace_add(plan=plan, **form.arguments(), by=user)
    return api_receipts.trace_out(request, receipt)


@tool(
    schemas.ReportRequest,
    write=True,
    operator=True,
    description=(
        "Ask for a draft report of an engagement (operators): it is rendered in the "
        "background; list_reports shows when it is ready. A draft is for the practice to "
        "review: releasing a final version to the client is done in the portal."
    ),
)
def request_report(request: HttpRequest, args: schemas.ReportRequest) -> dict[str, Any]:
    user = user_of(request)
    engagement = selectors.engagement_get(user=user, pk=args.engagement_id)
    report = report_services.report_request(
        engagement=engagement, kind=args.kind, release=Report.Release.DRAFT, by=user
    )
    return {
        "id": report.pk,
        "kind": report.kind,
        "number": report.number,
        "release": report.release,
        "status": report.status,
    }
