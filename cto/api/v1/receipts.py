"""/api/v1/ receipts: a CI job (or anyone who may see the plan) sends the result file of an
eval run to a gate, or a trace to the plan, as a multipart ``file``; the answer is the verdict
the gate's rule gives it, computed and kept with the file (cto.receipts.services). A hostile
file is a 422 problem document and nothing is kept."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Router, Status, UploadedFile

from cto.aiplan.models import EvalGate
from cto.aiplan.selectors import plan_get
from cto.api.v1 import schemas
from cto.api.v1.acting import acting, user_of
from cto.api.v1.inputs import form_checked, refused
from cto.api.v1.strict import known_query
from cto.api.v1.values import decimal_text
from cto.core.uploads import dropped_uploads
from cto.receipts import forms, services
from cto.receipts.adapters import otlp
from cto.receipts.models import Receipt
from cto.receipts.selectors import trace_of

router = Router(tags=["receipts"])

ERRORS = {401: schemas.Problem, 404: schemas.Problem, 422: schemas.Problem, 429: schemas.Problem}
WRITE_ERRORS = {**ERRORS, 400: schemas.Problem, 403: schemas.Problem}


def receipt_out(request: HttpRequest, receipt: Receipt) -> dict[str, Any]:
    return {
        "id": receipt.pk,
        "gate": receipt.gate_id,
        "kind": receipt.kind,
        "verdict": receipt.outcome or None,
        "value": decimal_text(receipt.value),
        "cases": receipt.cases,
        "passed": receipt.passed,
        "reason": receipt.reason,
        "summary": receipt.summary,
        "rule": {
            "measure": receipt.measure,
            "subject": receipt.subject,
            "comparison": receipt.comparison,
            "threshold": decimal_text(receipt.threshold),
        }
        if receipt.measure
        else None,
        "sha256": receipt.sha256,
        "size": receipt.size,
        "filename": receipt.filename,
        "format": receipt.format,
        "tool": receipt.tool,
        "tool_version": receipt.tool_version,
        "adapter_version": receipt.adapter_version,
        "uploaded_by": str(receipt.uploaded_by) if receipt.uploaded_by else None,
        "created_at": receipt.created_at,
        "download_url": request.build_absolute_uri(receipt.download_url),
    }


def trace_out(request: HttpRequest, receipt: Receipt) -> dict[str, Any]:
    trace = trace_of(receipt)
    return {
        **receipt_out(request, receipt),
        "spans": len(trace.spans),
        "trace_ids": list(otlp.trace_ids(trace)),
    }


def gate_visible(request: HttpRequest, gate_pk: int) -> EvalGate:
    """The gate of a plan the token's owner may see; 404 for any other id."""
    gate = get_object_or_404(EvalGate.objects.select_related("plan"), pk=gate_pk)
    plan_get(user=user_of(request), pk=gate.plan_id)
    return gate


def _form(request: HttpRequest) -> forms.ReceiptUploadForm:
    form = forms.ReceiptUploadForm(
        request.POST, request.FILES, dropped="file" in dropped_uploads(request)
    )
    form_checked(form)
    return form


@router.post(
    "/gates/{id:gate_pk}/receipts",
    response={201: schemas.Receipt, **WRITE_ERRORS},
    url_name="gate_receipt_add",
    summary="Send an eval result file to a gate",
)
def gate_receipt_add(
    request: HttpRequest, gate_pk: int, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    """The ``file`` (``multipart/form-data``): promptfoo results JSON, an Inspect AI log (.eval
    or .json), JUnit XML, or an OTLP/JSON trace for a latency gate. Kept with its sha256; the
    verdict is the gate's rule applied to it: ``needs_review`` (with the reason) when the file
    cannot be read with confidence or the gate has no rule, never ``pass``. A hostile file
    (too big, a zip bomb, entities, nested too deep, too slow to read) is 422, nothing kept."""
    known_query(request)
    gate = gate_visible(request, gate_pk)
    form = _form(request)
    try:
        with acting(request) as by:
            receipt = services.receipt_add(gate=gate, **form.arguments(), by=by)
    except services.ReceiptError as error:
        raise refused(error) from error
    return Status(201, receipt_out(request, receipt))


@router.get(
    "/gates/{id:gate_pk}/receipts",
    response={200: list[schemas.Receipt], **ERRORS},
    url_name="gate_receipt_list",
    summary="A gate's receipts, newest first",
)
def gate_receipt_list(request: HttpRequest, gate_pk: int) -> list[dict[str, Any]]:
    """Every receipt of the gate with the verdict it gave; the first decides the gate."""
    known_query(request)
    gate = gate_visible(request, gate_pk)
    receipts = gate.receipts.defer("spans").select_related("uploaded_by")
    return [receipt_out(request, receipt) for receipt in receipts]


@router.post(
    "/plans/{id:pk}/traces",
    response={201: schemas.TraceReceipt, **WRITE_ERRORS},
    url_name="plan_trace_add",
    summary="Send an OTLP/JSON trace to a plan",
)
def plan_trace_add(
    request: HttpRequest, pk: int, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    """The ``file`` (``multipart/form-data``): an OTLP/JSON trace export (one document or JSON
    Lines). Kept with its sha256 and drawn on the plan page; only an allow-list of span
    attributes is read. A file we cannot read is kept as ``needs_review``; a hostile one is
    422, nothing kept."""
    known_query(request)
    plan = plan_get(user=user_of(request), pk=pk)
    form = _form(request)
    try:
        with acting(request) as by:
            receipt = services.trace_add(plan=plan, **form.arguments(), by=by)
    except services.ReceiptError as error:
        raise refused(error) from error
    return Status(201, trace_out(request, receipt))
