"""Receipts on the plan page (/portal/ai-plans/<pk>/...): anyone who may see the plan uploads
a gate's result file or a trace, downloads a kept file, and proposes a failing case as a
failure mode; each answered as the plan page answers its other changes."""

from __future__ import annotations

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cto.aiplan.models import EvalGate
from cto.aiplan.selectors import plan_get
from cto.aiplan.views import apply_change
from cto.core.storage import private_download
from cto.core.uploads import dropped_uploads
from cto.receipts import forms, selectors, services
from cto.users.http import AuthenticatedRequest


@require_POST
@login_required
def receipt_upload(request: AuthenticatedRequest, pk: int, gate_pk: int) -> HttpResponse:
    plan = plan_get(user=request.user, pk=pk)  # clients may upload, as they may comment
    gate = get_object_or_404(EvalGate, pk=gate_pk, plan=plan)
    form = forms.ReceiptUploadForm(
        request.POST, request.FILES, dropped="file" in dropped_uploads(request)
    )
    change = partial(services.receipt_add, gate=gate, by=request.user)
    return apply_change(request, plan, "gates", form, change, "Receipt kept; the verdict is shown.")


@require_POST
@login_required
def trace_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = plan_get(user=request.user, pk=pk)
    form = forms.ReceiptUploadForm(
        request.POST, request.FILES, dropped="file" in dropped_uploads(request)
    )
    change = partial(services.trace_add, plan=plan, by=request.user)
    return apply_change(request, plan, "traces", form, change, "Trace kept.")


@require_POST
@login_required
def receipt_propose(request: AuthenticatedRequest, pk: int, receipt_pk: int) -> HttpResponse:
    receipt = selectors.receipt_get(user=request.user, plan_pk=pk, pk=receipt_pk)
    form = forms.ProposeCaseForm(request.POST)
    change = partial(services.receipt_propose_failure_mode, receipt=receipt, by=request.user)
    return apply_change(
        request,
        receipt.plan,
        "failure-modes",
        form,
        change,
        "Proposed: an operator will review it.",
    )


@require_GET
@never_cache
@login_required
def receipt_download(request: AuthenticatedRequest, pk: int, receipt_pk: int) -> FileResponse:
    """Only through here, for the engagement's organisation and operators (404 for anyone
    else): receipts have no public URL."""
    receipt = selectors.receipt_get(user=request.user, plan_pk=pk, pk=receipt_pk)
    # The bytes as they came, as an attachment: never rendered by the browser.
    return private_download(
        receipt.file, filename=receipt.filename, content_type="application/octet-stream"
    )
