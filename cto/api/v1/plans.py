"""/api/v1/ AI plans: the plan as its page shows it (the criteria with their directions, every
cell's score, the ranking, the eval gates with their verdicts, the failure modes by risk, the
proposed failure modes, the comments). Anyone who may see the plan comments and proposes a
failure mode, as on the page; operators record a gate's result and a failure mode's status.
Confirming a proposal into the register, and the plan's other changes, stay on its page, a
person's act (cto.aiplan.views)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Status

from cto.aiplan import proposals, selectors, services
from cto.aiplan.forms import (
    CommentForm,
    FailureModeProposalForm,
    FailureModeStatusForm,
    GateResultForm,
)
from cto.aiplan.models import EvalGate, FailureMode, FailureModeProposal, PlanComment
from cto.api.v1 import schemas
from cto.api.v1.acting import acting, operators_only, user_of
from cto.api.v1.inputs import form_checked, refused
from cto.api.v1.problems import ApiProblem
from cto.api.v1.strict import known_query
from cto.api.v1.values import decimal_text

router = Router(tags=["plans"])

ERRORS = {401: schemas.Problem, 404: schemas.Problem, 422: schemas.Problem, 429: schemas.Problem}


def gate_out(g: EvalGate) -> dict[str, Any]:
    return {
        "id": g.pk,
        "name": g.name,
        "behaviour": g.behaviour,
        "metric": g.metric,
        "requirement": g.requirement,
        "cadence": g.cadence,
        "blocks_release": g.blocks_release,
        "owner": g.owner,
        "rule": g.rule_text,
        "latest_value": decimal_text(g.latest_value),
        "latest_at": g.latest_at,
        "latest_run_url": g.latest_run_url,
        "latest_note": g.latest_note,
        "verdict": g.verdict,
        "verdict_source": g.verdict_source,
        "latest_receipt": _latest_receipt(g),
        "version": g.version,
    }


def _latest_receipt(g: EvalGate) -> dict[str, Any] | None:
    receipt = g.latest_receipt
    if receipt is None or not receipt.outcome:
        return None
    return {
        "id": receipt.pk,
        "verdict": receipt.outcome,
        "value": decimal_text(receipt.value),
        "summary": receipt.summary,
        "reason": receipt.reason,
        "source": receipt.source,
        "sha256": receipt.sha256,
        "created_at": receipt.created_at,
    }


def failure_mode_out(m: FailureMode) -> dict[str, Any]:
    return {
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
        "version": m.version,
    }


def proposal_out(proposal: FailureModeProposal) -> dict[str, Any]:
    return {
        "id": proposal.pk,
        "title": proposal.title,
        "look_first": proposal.look_first,
        "evidence": proposal.evidence,
        "proposed_by": str(proposal.proposed_by) if proposal.proposed_by else None,
        "created_at": proposal.created_at,
        "status": proposal.status,
        "failure_mode": proposal.failure_mode_id,
    }


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
                        "measured_value": decimal_text(cell.measured_value),
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
        "gates": [gate_out(g) for g in view.gates],
        "failure_modes": [failure_mode_out(m) for m in view.failure_modes],
        "proposed_failure_modes": [proposal_out(p) for p in view.proposals],
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


@router.post(
    "/plans/{id:pk}/failure-mode-proposals",
    response={201: schemas.PlanProposal, **ERRORS, 400: schemas.Problem, 403: schemas.Problem},
    url_name="plan_failure_mode_propose",
    summary="Propose a failure mode for the register",
)
def plan_failure_mode_propose(
    request: HttpRequest, pk: int, body: schemas.ProposalIn
) -> Status[dict[str, Any]]:
    """Anyone who may see the plan may propose a failure they saw, as on its page; it waits,
    counted nowhere, until an operator confirms it into the register (or dismisses it) in the
    portal. The proposal is on the engagement's timeline."""
    known_query(request)
    plan = selectors.plan_get(user=user_of(request), pk=pk)
    form = form_checked(FailureModeProposalForm(body.model_dump()))
    try:
        with acting(request) as by:
            proposal = proposals.failure_mode_propose(plan=plan, **form.arguments(), by=by)  # type: ignore[attr-defined]  # a ServiceForm
    except services.PlanError as error:
        raise refused(error) from error
    return Status(201, proposal_out(proposal))


OPERATORS_EDIT = "Only the practice's operators change the AI plan."


@router.put(
    "/plans/{id:pk}/gates/{id:gate_pk}/result",
    response={
        200: schemas.PlanGate,
        **ERRORS,
        400: schemas.Problem,
        403: schemas.Problem,
        409: schemas.GateStale,
    },
    url_name="plan_gate_result",
    summary="Record an eval gate's latest result (operators)",
)
def plan_gate_result(
    request: HttpRequest, pk: int, gate_pk: int, body: schemas.GateResultIn
) -> dict[str, Any]:
    """As the plan page records it: pass or fail follows from the gate's threshold, and the
    result is on the timeline. A write on an older ``version`` is 409 with the gate."""
    known_query(request)
    plan = selectors.plan_get(user=user_of(request), pk=pk)
    operators_only(request, OPERATORS_EDIT)
    gate = get_object_or_404(EvalGate, pk=gate_pk, plan=plan)
    data = {
        "value": str(body.value),
        "at": body.at.isoformat() if body.at else "",
        "run_url": body.run_url,
        "note": body.note,
        "version": str(body.version),
    }
    form = form_checked(GateResultForm(data))
    try:
        with acting(request) as by:
            saved = services.gate_result_record(gate=gate, **form.arguments(), by=by)  # type: ignore[attr-defined]  # a ServiceForm
    except services.StalePlanError as stale:
        gate.refresh_from_db()
        current = schemas.PlanGate.model_validate(gate_out(gate)).model_dump(mode="json")
        raise ApiProblem(409, stale.messages[0], current=current) from stale
    except services.PlanError as error:
        raise refused(error) from error
    return gate_out(saved)


@router.patch(
    "/plans/{id:pk}/failure-modes/{id:mode_pk}",
    response={
        200: schemas.PlanFailureMode,
        **ERRORS,
        400: schemas.Problem,
        403: schemas.Problem,
        409: schemas.FailureModeStale,
    },
    url_name="plan_failure_mode_update",
    summary="Change a failure mode's status (operators)",
)
def plan_failure_mode_update(
    request: HttpRequest, pk: int, mode_pk: int, body: schemas.FailureModePatch
) -> dict[str, Any]:
    """Open, mitigated or accepted (accepting a risk needs a reason), as on the plan page. A
    write on an older ``version`` is 409 with the failure mode."""
    known_query(request)
    plan = selectors.plan_get(user=user_of(request), pk=pk)
    operators_only(request, OPERATORS_EDIT)
    mode = get_object_or_404(FailureMode, pk=mode_pk, plan=plan)
    data = {"status": body.status, "reason": body.reason, "version": str(body.version)}
    form = form_checked(FailureModeStatusForm(data))
    try:
        with acting(request) as by:
            saved = services.failure_mode_set_status(failure_mode=mode, **form.arguments(), by=by)  # type: ignore[attr-defined]  # a ServiceForm
    except services.StalePlanError as stale:
        mode.refresh_from_db()
        current = schemas.PlanFailureMode.model_validate(failure_mode_out(mode))
        raise ApiProblem(409, stale.messages[0], current=current.model_dump(mode="json")) from stale
    except services.PlanError as error:
        raise refused(error) from error
    return failure_mode_out(saved)
