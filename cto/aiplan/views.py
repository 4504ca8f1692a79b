"""AI plan pages under /portal/: everyone who may see the engagement reads the plan and may
comment; operators change it, each change answered with the refreshed part of the page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cto.aiplan import selectors, services
from cto.aiplan.models import AIPlan, Candidate, Criterion, EvalGate, FailureMode
from cto.engagements.selectors import engagement_get
from cto.users.http import AuthenticatedRequest

TEMPLATE = "aiplan/plan_detail.html"


def _version(request: AuthenticatedRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _plan(request: AuthenticatedRequest, pk: int, *, edit: bool) -> AIPlan:
    """The plan if the user may see it (else 404); editing also needs an operator (else 403)."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    if edit and not request.user.is_staff:
        raise PermissionDenied("Only the practice's operators change the AI plan.")
    return plan


def _apply(
    request: AuthenticatedRequest, plan: AIPlan, part: str, change: Callable[[], Any], done: str
) -> HttpResponse:
    """Run one change; answer htmx with the refreshed part (and any message), a plain form
    with a redirect to the page."""
    status, error = 200, ""
    try:
        change()
    except services.StalePlanError as stale:
        status, error = 409, stale.messages[0]
    except services.PlanError as refused:
        status, error = 422, refused.messages[0]
    if request.htmx:
        plan.refresh_from_db()
        context = {"view": selectors.plan_view(plan=plan), "error": error, "part": part}
        return render(request, f"{TEMPLATE}#{part}", context, status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return HttpResponseRedirect(f"{plan_url(plan)}#{part}", status=303)


def plan_url(plan: AIPlan) -> str:
    return reverse("aiplan:detail", args=[plan.pk])


@require_GET
@never_cache
@login_required
def plan_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=False)
    return render(request, TEMPLATE, {"view": selectors.plan_view(plan=plan)})


@require_GET
@never_cache
@login_required
def plan_export(request: AuthenticatedRequest, pk: int) -> JsonResponse:
    plan = _plan(request, pk, edit=False)
    response = JsonResponse(selectors.plan_export(plan=plan), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="ai-plan-{plan.pk}.json"'
    return response


@require_POST
@staff_member_required
def plan_start(request: AuthenticatedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_get(user=request.user, pk=engagement_pk)
    try:
        plan = services.plan_start(engagement=engagement, by=request.user)
    except services.PlanError as refused:
        messages.error(request, refused.messages[0])
        return HttpResponseRedirect(engagement.get_absolute_url(), status=303)
    messages.success(request, "The AI plan is started: keep, edit or drop each proposal.")
    return HttpResponseRedirect(plan_url(plan), status=303)


@require_POST
@login_required
def criterion_weight(request: AuthenticatedRequest, pk: int, criterion_pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    criterion = get_object_or_404(Criterion, pk=criterion_pk, plan=plan)
    return _apply(
        request,
        plan,
        "matrix",
        lambda: services.criterion_set_weight(
            criterion=criterion,
            weight=request.POST.get("weight", ""),
            expected_version=_version(request),
            by=request.user,
        ),
        "Weight saved.",
    )


@require_POST
@login_required
def criterion_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    return _apply(
        request,
        plan,
        "matrix",
        lambda: services.criterion_add(
            plan=plan,
            label=request.POST.get("label", ""),
            weight=request.POST.get("weight", "0"),
            higher_is_better=request.POST.get("direction", "higher") == "higher",
            by=request.user,
        ),
        "Criterion added.",
    )


@require_POST
@login_required
def candidate_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    return _apply(
        request,
        plan,
        "matrix",
        lambda: services.candidate_add(
            plan=plan,
            name=request.POST.get("name", ""),
            provider=request.POST.get("provider", ""),
            snapshot=request.POST.get("snapshot", ""),
            by=request.user,
        ),
        "Candidate added.",
    )


@require_POST
@login_required
def cell_score(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    candidate = get_object_or_404(Candidate, pk=request.POST.get("candidate") or 0, plan=plan)
    criterion = get_object_or_404(Criterion, pk=request.POST.get("criterion") or 0, plan=plan)
    return _apply(
        request,
        plan,
        "matrix",
        lambda: services.cell_score_set(
            candidate=candidate,
            criterion=criterion,
            score=request.POST.get("score", ""),
            measured_value=request.POST.get("measured_value", ""),
            unit=request.POST.get("unit", ""),
            source_url=request.POST.get("source_url", ""),
            expected_version=_version(request),
            by=request.user,
        ),
        "Score saved.",
    )


@require_POST
@login_required
def plan_choose(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    candidates = {str(c.pk): c for c in plan.candidates.all()}
    return _apply(
        request,
        plan,
        "matrix",
        lambda: services.plan_choose(
            plan=plan,
            chosen=candidates.get(request.POST.get("chosen", "")),
            fallback=candidates.get(request.POST.get("fallback", "")),
            rationale=request.POST.get("rationale", ""),
            expected_version=_version(request),
            by=request.user,
        ),
        "Choice recorded.",
    )


@require_POST
@login_required
def gate_result(request: AuthenticatedRequest, pk: int, gate_pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    gate = get_object_or_404(EvalGate, pk=gate_pk, plan=plan)

    def record() -> None:
        raw_date = request.POST.get("at", "")
        try:
            at = datetime.date.fromisoformat(raw_date) if raw_date else None
        except ValueError as error:
            raise services.PlanError("The date must look like 2026-11-24.") from error
        services.gate_result_record(
            gate=gate,
            value=request.POST.get("value", ""),
            at=at,
            run_url=request.POST.get("run_url", ""),
            expected_version=_version(request),
            by=request.user,
        )

    return _apply(request, plan, "gates", record, "Result recorded.")


@require_POST
@login_required
def failure_mode_status(request: AuthenticatedRequest, pk: int, mode_pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    mode = get_object_or_404(FailureMode, pk=mode_pk, plan=plan)
    return _apply(
        request,
        plan,
        "failure-modes",
        lambda: services.failure_mode_set_status(
            failure_mode=mode,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
            expected_version=_version(request),
            by=request.user,
        ),
        "Status saved.",
    )


@require_POST
@login_required
def comment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=False)  # clients may comment
    row_kind, _, row_id = request.POST.get("row", "plan:").partition(":")
    return _apply(
        request,
        plan,
        "comments",
        lambda: services.comment_add(
            plan=plan,
            row_kind=row_kind,
            row_id=row_id,
            text=request.POST.get("text", ""),
            by=request.user,
        ),
        "Comment added.",
    )
