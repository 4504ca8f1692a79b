"""Report pages: operators ask for a new version; people of the engagement download it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST

from cto.engagements.selectors import engagement_get
from cto.reports import services
from cto.reports.models import Report
from cto.users.http import AuthenticatedRequest


@require_POST
@staff_member_required
def report_generate(request: AuthenticatedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_get(user=request.user, pk=engagement_pk)
    report = services.report_request(
        engagement=engagement, kind=Report.Kind.WEEK_ONE, by=request.user
    )
    messages.success(
        request, f"Version {report.number} is being rendered; it appears here when ready."
    )
    return HttpResponseRedirect(engagement.get_absolute_url(), status=303)


@require_GET
@login_required
def report_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """Operators and the engagement's organisation only (404 for anyone else); never cached."""
    report = get_object_or_404(
        Report.objects.for_user(request.user).select_related("engagement"), pk=pk
    )
    if report.status != Report.Status.READY:
        raise Http404("This version is not ready.")
    services.report_downloaded(report=report, by=request.user)
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.filename,
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
