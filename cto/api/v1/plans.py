"""/api/v1/ AI plans: the plan as its page shows it (the criteria with their directions, every
cell's score, the ranking, the eval gates with their verdicts, the failure modes by risk, the
comments), and a comment on the plan or one of its rows, which clients may add as on the page.
The plan's other changes stay on its page, for operators (cto.aiplan.views)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status

from cto.aiplan import selectors, services
from cto.aiplan.forms import CommentForm
from cto.aiplan.models import PlanComment
from cto.api.v1 import schemas
from cto.api.v1.acting import acting, user_of
from cto.api.v1.inputs import form_checked, refused
from cto.api.v1.strict import known_query

router = Router(tags=["plans"])

ERRORS = {401: schemas.Problem, 404: schemas.Problem, 422: schemas.Problem, 429: schemas.Problem}


def _number(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def comment_out(comment: PlanComment) -> dict[str, Any]:
    row = comment.row_kind if comment.row_id is None else f"{comment.row_kind}:{comment.row_id}"
    return {
        "id": comment.pk,
        "row": row,
        "author": str(comment.author) if comment.author else None,
        "text": comment.text,
        "created_at": comment.created_at,
    }


@router.get(
    "/plans/{id:pk}",
    response={200: schemas.Plan, **ERRORS},
    url_name="plan_detail",
    summary="One AI plan: matrix, gates, failure modes",
)
def plan_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The plan of an engagement you may see. Candidates come in the page's order, each with
    its weighted total and position; failure modes by risk, the highest first."""
    known_query(request)
    plan = selectors.plan_get(user=user_of(request), pk=pk)
    view = selectors.plan_view(plan=plan)
    ranked = {row.candidate.key: row for row in view.ranking.rows}
    return {
        "id": plan.pk,
        "engagement": plan.engagement_id,
        "version": plan.version,
        "criteria": [
            {
                "id": c.pk,
                "key": c.key,
                "label": c.label,
                "weight": c.weight,
                "direction": "higher" if c.higher_is_better else "lower",
            }
            for c in view.criteria
        ],
        "candidates": [
            {
                "id": candidate.pk,
                "name": candidate.name,
                "provider": candidate.provider,
                "snapshot": candidate.snapshot,
                "total": row.total if (row := ranked.get(str(candidate.pk))) else None,
                "position": row.position if row else None,
                "scores": [
                    {
                        "criterion": criterion.pk,
                        "score": cell.score,
                        "measured_value": _number(cell.measured_value),
                        "unit": cell.unit,
                        "source_url": cell.source_url,
                    }
                    for criterion in view.criteria
                    if (cell := view.cell(candidate, criterion)) is not None
                ],
            }
            for candidate in view.candidates
        ],
        "chosen": plan.chosen_id,
        "fallback": plan.fallback_id,
        "rationale": plan.rationale,
        "gates": [
            {
                "id": g.pk,
                "name": g.name,
                "behaviour": g.behaviour,
                "metric": g.metric,
                "requirement": g.requirement,
                "cadence": g.cadence,
                "blocks_release": g.blocks_release,
                "owner": g.owner,
                "latest_value": _number(g.latest_value),
                "latest_at": g.latest_at,
                "latest_run_url": g.latest_run_url,
                "verdict": g.verdict,
            }
            for g in view.gates
        ],
        "failure_modes": [
            {
                "id": m.pk,
                "title": m.title,
                "look_first": m.look_first,
                "likelihood": m.likelihood,
                "impact": m.impact,
                "risk": m.risk,
                "detection": m.detection,
                "mitigation": m.mitigation,
                "owner": m.owner,
                "status": m.status,
                "status_reason": m.status_reason,
                "blocks_production": m.blocks_production,
            }
            for m in view.failure_modes
        ],
        "comments": [comment_out(comment) for comment in view.comments],
        "url": request.build_absolute_uri(reverse("aiplan:detail", args=[plan.pk])),
    }


@router.post(
    "/plans/{id:pk}/comments",
    response={201: schemas.PlanComment, **ERRORS, 400: schemas.Problem, 403: schemas.Problem},
    url_name="plan_comment_add",
    summary="Comment on the plan or one of its rows",
)
def plan_comment_add(
    request: HttpRequest, pk: int, body: schemas.CommentIn
) -> Status[dict[str, Any]]:
    """Anyone who may see the plan may comment, as on its page; the comment is on the
    engagement's timeline."""
    known_query(request)
    plan = selectors.plan_get(user=user_of(request), pk=pk)
    form = form_checked(CommentForm({"row": body.row, "text": body.text}, plan=plan))
    try:
        with acting(request) as by:
            comment = services.comment_add(plan=plan, **form.arguments(), by=by)  # type: ignore[attr-defined]  # a ServiceForm
    except services.PlanError as error:
        raise refused(error) from error
    return Status(201, comment_out(comment))
