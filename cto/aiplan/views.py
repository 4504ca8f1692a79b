"""AI plan pages under /portal/: everyone who may see the engagement reads the plan and may
comment; operators change it, each change answered with the refreshed part of the page."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cto.aiplan import forms, proposals, selectors, services
from cto.aiplan.models import AIPlan, Criterion, EvalGate, FailureMode, FailureModeProposal
from cto.core.forms import ServiceForm, change_with_form
from cto.core.htmx import announce
from cto.engagements.selectors import engagement_get
from cto.users.http import AuthenticatedRequest

TEMPLATE = "aiplan/plan_detail.html"


def _plan(request: AuthenticatedRequest, pk: int, *, edit: bool) -> AIPlan:
    """The plan if the user may see it (else 404); editing also needs an operator (else 403)."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    if edit and not request.user.is_staff:
        raise PermissionDenied("Only the practice's operators change the AI plan.")
    return plan


def apply_change(
    request: AuthenticatedRequest,
    plan: AIPlan,
    part: str,
    form: ServiceForm,
    change: Callable[..., object],
    done: str,
) -> HttpResponse:
    """Read the form, then run one change with its typed values; answer htmx with the
    refreshed part (and any message), a plain form with a redirect to the page (or, when the
    form itself is refused, the page again with its message: 422, nothing written)."""
    status, error = change_with_form(
        form, change, stale=services.StalePlanError, refused=services.PlanError
    )
    if request.htmx:
        plan.refresh_from_db()
        context = {"view": selectors.plan_view(plan=plan), "error": error, "part": part}
        response = render(request, f"{TEMPLATE}#{part}", context, status=status)
        # The part is replaced: what changed is said in the page's live region (a refusal is
        # read out by its role="alert").
        return response if error else announce(response, done)
    if not form.is_valid():
        messages.error(request, error)
        return render(request, TEMPLATE, {"view": selectors.plan_view(plan=plan)}, status=422)
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
    change = partial(services.criterion_set_weight, criterion=criterion, by=request.user)
    return apply_change(
        request, plan, "matrix", forms.WeightForm(request.POST), change, "Weight saved."
    )


@require_POST
@login_required
def criterion_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    form = forms.CriterionForm(request.POST)
    change = partial(services.criterion_add, plan=plan, by=request.user)
    return apply_change(request, plan, "matrix", form, change, "Criterion added.")


@require_POST
@login_required
def candidate_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    form = forms.CandidateForm(request.POST)
    change = partial(services.candidate_add, plan=plan, by=request.user)
    return apply_change(request, plan, "matrix", form, change, "Candidate added.")


@require_POST
@login_required
def cell_score(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    form = forms.CellScoreForm(request.POST, plan=plan)
    change = partial(services.cell_score_set, by=request.user)
    return apply_change(request, plan, "matrix", form, change, "Score saved.")


@require_POST
@login_required
def plan_choose(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    form = forms.ChoiceForm(request.POST, plan=plan)
    change = partial(services.plan_choose, plan=plan, by=request.user)
    return apply_change(request, plan, "matrix", form, change, "Choice recorded.")


@require_POST
@login_required
def gate_result(request: AuthenticatedRequest, pk: int, gate_pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    gate = get_object_or_404(EvalGate, pk=gate_pk, plan=plan)
    change = partial(services.gate_result_record, gate=gate, by=request.user)
    return apply_change(
        request, plan, "gates", forms.GateResultForm(request.POST), change, "Result recorded."
    )


@require_POST
@login_required
def failure_mode_status(request: AuthenticatedRequest, pk: int, mode_pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    mode = get_object_or_404(FailureMode, pk=mode_pk, plan=plan)
    form = forms.FailureModeStatusForm(request.POST)
    change = partial(services.failure_mode_set_status, failure_mode=mode, by=request.user)
    return apply_change(request, plan, "failure-modes", form, change, "Status saved.")


@require_POST
@login_required
def comment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=False)  # clients may comment
    form = forms.CommentForm(request.POST, plan=plan)
    change = partial(services.comment_add, plan=plan, by=request.user)
    return apply_change(request, plan, "comments", form, change, "Comment added.")


@require_POST
@login_required
def failure_mode_propose(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=False)  # clients may propose, as they may comment
    form = forms.FailureModeProposalForm(request.POST)
    change = partial(proposals.failure_mode_propose, plan=plan, by=request.user)
    return apply_change(
        request, plan, "failure-modes", form, change, "Proposed: an operator will review it."
    )


@require_POST
@login_required
def proposal_confirm(request: AuthenticatedRequest, pk: int, proposal_pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    proposal = get_object_or_404(FailureModeProposal, pk=proposal_pk, plan=plan)
    form = forms.ProposalConfirmForm(request.POST)
    change = partial(proposals.failure_mode_proposal_confirm, proposal=proposal, by=request.user)
    return apply_change(request, plan, "failure-modes", form, change, "Added to the register.")


@require_POST
@login_required
def proposal_dismiss(request: AuthenticatedRequest, pk: int, proposal_pk: int) -> HttpResponse:
    plan = _plan(request, pk, edit=True)
    proposal = get_object_or_404(FailureModeProposal, pk=proposal_pk, plan=plan)
    form = forms.ProposalDismissForm(request.POST)
    change = partial(proposals.failure_mode_proposal_dismiss, proposal=proposal, by=request.user)
    return apply_change(request, plan, "failure-modes", form, change, "Proposal dismissed.")
