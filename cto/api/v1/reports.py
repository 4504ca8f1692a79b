"""/api/v1/ reports: an engagement's report versions (no draft for a client), an operator's
request of a new version as the reports card makes it (cto.reports.services.report_request), a
version's status, and its PDF for whoever may download it on the page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router, Status

from cto.api.v1 import schemas
from cto.api.v1.acting import acting, operators_only, user_of
from cto.api.v1.inputs import form_checked, refused
from cto.api.v1.pagination import Page, PageQuery, paginate
from cto.api.v1.problems import ApiProblem
from cto.api.v1.strict import known_query
from cto.engagements.selectors import engagement_get
from cto.reports import services
from cto.reports.forms import ReportRequestForm
from cto.reports.models import Report
from cto.reports.views import pdf_response

router = Router(tags=["reports"])

ERRORS = {401: schemas.Problem, 404: schemas.Problem, 422: schemas.Problem, 429: schemas.Problem}
PDF = {
    "description": "The PDF, as an attachment.",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}


def report_out(request: HttpRequest, report: Report) -> dict[str, Any]:
    ready = report.status == Report.Status.READY
    return {
        "id": report.pk,
        "engagement": report.engagement_id,
        "kind": report.kind,
        "kind_label": report.get_kind_display(),
        "number": report.number,
        "release": report.release,
        "status": report.status,
        "requested_by": str(report.requested_by) if report.requested_by else None,
        "created_at": report.created_at,
        "updated_at": report.updated_at,
        "pages": report.pages,
        "bytes": report.bytes,
        "download_url": (
            request.build_absolute_uri(reverse("api:report_download", args=[report.pk]))
            if ready
            else None
        ),
    }


def _report(request: HttpRequest, pk: int) -> Report:
    """A version the token's owner may read (Report.objects.for_user: no draft for a client),
    404 otherwise."""
    return get_object_or_404(
        Report.objects.for_user(user_of(request)).select_related("requested_by").defer("snapshot"),
        pk=pk,
    )


@router.get(
    "/engagements/{id:pk}/reports",
    response={200: Page[schemas.Report], **ERRORS},
    url_name="report_list",
    summary="An engagement's reports",
)
def report_list(request: HttpRequest, pk: int, page: Query[PageQuery]) -> dict[str, Any]:
    """Every version you may read, the newest first, as the reports card lists them."""
    known_query(request, PageQuery)
    user = user_of(request)
    engagement = engagement_get(user=user, pk=pk)
    reports = (
        engagement.reports.shown_to(user)
        .select_related("requested_by")
        .defer("snapshot")
        .order_by("-created_at", "-number")
    )
    result = paginate(reports, page)
    result["items"] = [report_out(request, report) for report in result["items"]]
    return result


@router.post(
    "/engagements/{id:pk}/reports",
    response={202: schemas.Report, **ERRORS, 400: schemas.Problem, 403: schemas.Problem},
    url_name="report_request",
    summary="Request a new version (operators)",
)
def report_request(
    request: HttpRequest, pk: int, body: schemas.ReportRequest
) -> Status[dict[str, Any]]:
    """Take the snapshot now and queue the rendering, as the reports card's button does: 202
    with the version, ``queued``; read it again for its status. A final needs the practice's
    summary first; a client's token is refused (403), as the card is the practice's."""
    known_query(request)
    operators_only(request, "Only the practice's operators request reports.")
    engagement = engagement_get(user=user_of(request), pk=pk)
    form = form_checked(ReportRequestForm({"kind": body.kind, "release": body.release}))
    try:
        with acting(request) as by:
            report = services.report_request(
                engagement=engagement,
                kind=form.cleaned_data["kind"],
                release=form.cleaned_data["release"],
                by=by,
            )
    except ValidationError as error:
        raise refused(error) from error
    return Status(202, report_out(request, report))


@router.get(
    "/reports/{id:pk}",
    response={200: schemas.Report, **ERRORS},
    url_name="report_detail",
    summary="One report version and its status",
)
def report_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Queued, rendering, ready (with ``download_url``) or failed."""
    known_query(request)
    return report_out(request, _report(request, pk))


@router.get(
    "/reports/{id:pk}/download",
    response={200: None, **ERRORS, 409: schemas.Problem},
    url_name="report_download",
    summary="A ready version's PDF",
    openapi_extra={"responses": {200: PDF}},
)
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    """The PDF, for who may download it on the page: the engagement's organisation (not a
    draft) and operators; the download is on the timeline, as the page's is. A version not
    ready yet is 409."""
    known_query(request)
    report = _report(request, pk)
    if report.status != Report.Status.READY:
        raise ApiProblem(409, f"This version is not ready: it is {report.get_status_display()}.")
    with acting(request) as by:
        services.report_downloaded(report=report, by=by)
    return pdf_response(report)
