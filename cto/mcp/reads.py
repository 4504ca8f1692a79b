"""The read tools: what the portal shows the token's owner, read through the selectors its
pages and the API use, so that a tool sees exactly what they see (a foreign id is "nothing to
see", as a 404 is on the pages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cto.aiplan import selectors as plan_selectors
from cto.aiplan.models import FailureModeProposal
from cto.api.v1 import engagements as api_engagements
from cto.api.v1 import intake as api_intake
from cto.api.v1.pagination import paginate
from cto.audits import selectors as audit_selectors
from cto.checklists import selectors as checklist_selectors
from cto.engagements import selectors
from cto.engagements.models import Engagement
from cto.mcp import schemas
from cto.mcp.server import tool, user_of
from cto.reports import selectors as report_selectors
from cto.reports.models import Report


@tool(
    schemas.EngagementList,
    description=(
        "List the engagements you may see, most recently changed first, as GET "
        "/api/v1/engagements answers: filter by stage, organization (an id) or updated_since "
        "(ISO 8601); page with limit and offset."
    ),
)
def list_engagements(request: HttpRequest, args: schemas.EngagementList) -> dict[str, Any]:
    return api_engagements.engagement_list(request, args, args)


@tool(
    schemas.EngagementId,
    description=(
        "One engagement as its page shows it: the stage tracker, the next step and whose move "
        "it is (client, practice or nobody), and its audits' and quotes' counts."
    ),
)
def read_engagement(request: HttpRequest, args: schemas.EngagementId) -> dict[str, Any]:
    return api_engagements.engagement_detail(request, args.engagement_id)


@tool(
    schemas.Timeline,
    description=(
        "An engagement's timeline, newest first: exactly the events its page shows you, each "
        "with who did it and, when an agent did, through which token (via)."
    ),
)
def read_timeline(request: HttpRequest, args: schemas.Timeline) -> dict[str, Any]:
    user = user_of(request)
    engagement = selectors.engagement_get(user=user, pk=args.engagement_id)
    events = selectors.timeline_events(user=user, engagement=engagement)
    page = paginate(events.select_related("actor").order_by("-created_at", "-id"), args)
    page["items"] = [
        {
            "id": event.pk,
            "verb": event.verb,
            "summary": event.summary,
            "actor": str(event.actor) if event.actor else None,
            "via": event.data.get("via") if isinstance(event.data, dict) else None,
            "created_at": event.created_at,
        }
        for event in page["items"]
    ]
    return page


@tool(
    schemas.IntakeList,
    operator=True,
    description=(
        "Prospects' intake responses (operators), the latest started first, as GET "
        "/api/v1/intake-responses answers: the outcome, the contact and whether they proved "
        "their address, the engagement it became; filter by status (in_progress or "
        "submitted); page with limit and offset."
    ),
)
def list_intake_responses(request: HttpRequest, args: schemas.IntakeList) -> dict[str, Any]:
    return api_intake.intake_response_list(request, args, args)


@tool(
    schemas.IntakeResponseId,
    operator=True,
    description=(
        "One intake response (operators): each question on the path the prospect took with "
        "their answer, where it leads, and earlier responses that look like the same person."
    ),
)
def read_intake_response(request: HttpRequest, args: schemas.IntakeResponseId) -> dict[str, Any]:
    return api_intake.intake_response_detail(request, args.intake_response_id)


@tool(
    schemas.AuditId,
    description=(
        "An audit: its questions with their current answers (level, note, link, version) and "
        "its result as the result page computes it: the overall score and band, each "
        "dimension's score, the red flags and the recommendations."
    ),
)
def read_audit(request: HttpRequest, args: schemas.AuditId) -> dict[str, Any]:
    audit = audit_selectors.audit_get(user=user_of(request), pk=args.audit_id)
    answers = audit_selectors.answers_of(audit)
    result = audit_selectors.audit_result(audit=audit, answers=answers)
    score = result.score
    return {
        "id": audit.pk,
        "engagement_id": audit.engagement_id,
        "number": audit.number,
        "status": audit.status,
        "answered": score.answered,
        "total": score.total,
        "overall": score.overall,
        "band": score.band.label if score.band else None,
        "dimensions": [
            {"id": d.dimension.id, "title": d.dimension.title, "score": d.score}
            for d in score.dimensions
        ],
        "red_flags": [
            {"title": flag.rule.title, "why": flag.rule.why, "first_step": flag.rule.first_step}
            for flag in result.flags
        ],
        "recommendations": [
            {"dimension": r.dimension.title, "score": r.score, "advice": r.dimension.recommendation}
            for r in result.recommendations
        ],
        "questions": [
            {
                "id": question.id,
                "dimension": question.dimension,
                "text": question.text,
                "levels": list(question.levels),
                **_answer(answers.get(question.id)),
            }
            for question in result.template.questions.values()
        ],
    }


def _answer(answer: Any) -> dict[str, Any]:
    if answer is None:
        return {"answered": False, "level": None, "note": "", "evidence_url": "", "version": None}
    return {
        "answered": True,
        "level": answer.level,  # None with answered: not applicable
        "note": answer.note,
        "evidence_url": answer.evidence_url,
        "version": answer.version,
    }


@tool(
    schemas.EngagementId,
    description=(
        "An engagement's AI plan, as its export: criteria, candidates and their scores, the "
        "ranking, the choice, eval gates and failure modes; with the ids of the rows one may "
        "comment on (comment_on_plan) and the failure modes proposed and not yet confirmed."
    ),
)
def read_plan(request: HttpRequest, args: schemas.EngagementId) -> dict[str, Any]:
    user = user_of(request)
    engagement: Engagement = selectors.engagement_for_page(user=user, pk=args.engagement_id)
    plan = getattr(engagement, "ai_plan", None)
    if plan is None:
        return {"plan": None, "detail": "This engagement has no AI plan yet."}
    plan = plan_selectors.plan_get(user=user, pk=plan.pk)
    rows = [
        *({"row": "candidate", "id": c.pk, "name": c.name} for c in plan.candidates.all()),
        *({"row": "gate", "id": g.pk, "name": g.name} for g in plan.gates.all()),
        *({"row": "failure_mode", "id": f.pk, "name": f.title} for f in plan.failure_modes.all()),
    ]
    proposed = [
        {
            "id": p.pk,
            "title": p.title,
            "look_first": p.look_first,
            "evidence": p.evidence,
            "proposed_by": str(p.proposed_by) if p.proposed_by else None,
        }
        for p in plan.failure_mode_proposals.filter(
            status=FailureModeProposal.Status.PROPOSED
        ).select_related("proposed_by")
    ]
    return {
        "plan": plan_selectors.plan_export(plan=plan),
        "rows": rows,
        "proposed_failure_modes": proposed,
    }


@tool(
    schemas.EngagementId,
    description=(
        "An engagement's checklist by section: each item's id, status, whose side it is, its "
        "owner, due date and evidence, with the progress of each section and of the whole."
    ),
)
def read_checklist(request: HttpRequest, args: schemas.EngagementId) -> dict[str, Any]:
    user = user_of(request)
    checklist = checklist_selectors.checklist_get(user=user, engagement_pk=args.engagement_id)
    view = checklist_selectors.checklist_view(checklist=checklist, user=user)
    return {
        "engagement_id": args.engagement_id,
        "progress": _progress(view.progress),
        "sections": [
            {
                "name": section.name,
                "progress": _progress(section.progress),
                "items": [
                    {
                        "id": item.pk,
                        "title": item.title,
                        "done_when": item.done_when,
                        "status": item.status,
                        "side": item.owner_side,
                        "owner": str(item.owner) if item.owner else None,
                        "due": item.due_date(),
                        "version": item.version,
                        "evidence": [
                            {
                                "kind": evidence.kind,
                                "url": evidence.url,
                                "note": evidence.note,
                                "file": evidence.original_name,
                            }
                            for evidence in item.evidence.all()
                        ],
                    }
                    for item in section.items
                ],
            }
            for section in view.sections
        ],
    }


def _progress(progress: Any) -> dict[str, Any]:
    return {"finished": progress.finished, "total": progress.total}


@tool(
    schemas.EngagementId,
    description=(
        "An engagement's reports, newest first: every version you may read (clients see no "
        "drafts), with its status and, once ready, where to download it."
    ),
)
def list_reports(request: HttpRequest, args: schemas.EngagementId) -> dict[str, Any]:
    user = user_of(request)
    engagement = selectors.engagement_get(user=user, pk=args.engagement_id)
    card = report_selectors.reports_card(engagement=engagement, user=user)
    return {
        "engagement_id": engagement.pk,
        "reports": [
            {
                "id": report.pk,
                "kind": report.kind,
                "number": report.number,
                "release": report.release,
                "status": report.status,
                "requested_by": str(report.requested_by) if report.requested_by else None,
                "created_at": report.created_at,
                "download_url": (
                    request.build_absolute_uri(report.get_download_url())
                    if report.status == Report.Status.READY
                    else None
                ),
            }
            for report in card["reports"]
        ],
    }
