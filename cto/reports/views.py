"""Report pages: the reports card of an engagement (polled while a version renders), operators'
generate and retry, the operators' editor of the text each kind carries, and downloads for the
people of the engagement."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cto.core.forms import first_error
from cto.core.htmx import HtmxHttpRequest, announce
from cto.core.storage import private_download
from cto.engagements.models import Engagement
from cto.engagements.selectors import engagement_get
from cto.intake import prospect
from cto.reports import markup, narratives, selectors, services
from cto.reports.forms import (
    NarrativeForm,
    NextStepFormSet,
    ReportRequestForm,
    formset_error,
    next_steps_of,
)
from cto.reports.models import Report, ReportNarrative
from cto.users.http import AuthenticatedRequest


def _card(
    request: AuthenticatedRequest,
    engagement: Engagement,
    *,
    error: str = "",
    status: int = 200,
    said: str = "",
) -> HttpResponse:
    """The card alone, for htmx; ``said`` is read out to screen readers (a refusal in ``error``
    is, by its role="alert")."""
    context = selectors.reports_card(engagement=engagement, user=request.user) | {"error": error}
    response = render(request, "reports/_reports_card.html", context, status=status)
    return announce(response, said) if said else response


def _rendering_ended(reports: list[Report]) -> str:
    latest = reports[0] if reports else None
    if latest is None:
        return ""
    name = f"{latest.get_kind_display()} v{latest.number}"
    if latest.status == Report.Status.READY:
        return f"{name} is ready to download."
    return f"{name} could not be rendered."


@require_GET
@never_cache
@login_required
def reports_card(request: AuthenticatedRequest, engagement_pk: int) -> HttpResponse:
    """The reports card alone: what the engagement page polls while a version renders. The
    poll runs only while something renders, so an answer with nothing pending means that a
    rendering ended: that is said to screen readers, which do not see the badge change."""
    engagement = engagement_get(user=request.user, pk=engagement_pk)
    context = selectors.reports_card(engagement=engagement, user=request.user) | {"error": ""}
    response = render(request, "reports/_reports_card.html", context)
    ended = "" if context["pending"] else _rendering_ended(context["reports"])
    return announce(response, ended) if ended else response


@require_POST
@staff_member_required
def report_generate(request: AuthenticatedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_get(user=request.user, pk=engagement_pk)
    form = ReportRequestForm(request.POST)
    try:
        if not form.is_valid():
            # Answered as the service's refusals are: the card with the message (htmx), or the
            # engagement page (another app's) with it.
            raise ValidationError(first_error(form))
        report = services.report_request(
            engagement=engagement,
            kind=form.cleaned_data["kind"],
            release=form.cleaned_data["release"],
            by=request.user,
        )
    except ValidationError as error:
        if request.htmx:
            return _card(request, engagement, error=" ".join(error.messages), status=422)
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(engagement.get_absolute_url(), status=303)
    queued = (
        f"{report.get_kind_display()} v{report.number} ({report.get_release_display().lower()}) "
        "is being rendered; it appears here when ready."
    )
    if request.htmx:
        return _card(request, engagement, said=queued)
    messages.success(request, queued)
    return HttpResponseRedirect(engagement.get_absolute_url(), status=303)


@require_POST
@staff_member_required
def report_retry(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report.objects.select_related("engagement"), pk=pk)
    try:
        services.report_retry(report=report, by=request.user)
    except ValidationError as error:
        if request.htmx:
            return _card(request, report.engagement, error=" ".join(error.messages), status=409)
        messages.error(request, " ".join(error.messages))
    if request.htmx:
        said = f"{report.get_kind_display()} v{report.number} is being rendered again."
        return _card(request, report.engagement, said=said)
    return HttpResponseRedirect(report.engagement.get_absolute_url(), status=303)


@require_http_methods(["GET", "POST"])
@staff_member_required
def narrative_edit(request: AuthenticatedRequest, engagement_pk: int, kind: str) -> HttpResponse:
    """The practice's text for one kind of report: a plain form (the summary, findings and
    risks in a little Markdown; the next steps as rows), previewed as the report will show it
    ("preview" posted) or saved. A refusal answers the form with its message and keeps what
    was typed."""
    engagement = engagement_get(user=request.user, pk=engagement_pk)
    if kind not in Report.Kind.values:
        raise Http404("There is no report of that kind.")
    narrative = selectors.narrative_get(engagement=engagement, kind=kind)
    if request.method == "GET":
        form = NarrativeForm(
            initial={
                "summary": narrative.summary,
                "findings": narrative.findings,
                "risks": narrative.risks,
                "version": narrative.version or None,
            }
        )
        steps = NextStepFormSet(initial=narrative.next_steps, prefix="steps")
        return _narrative_page(request, engagement, kind, narrative, form, steps)
    form = NarrativeForm(request.POST)
    steps = NextStepFormSet(request.POST, prefix="steps")
    if not (form.is_valid() and steps.is_valid()):
        error = first_error(form) if form.errors else formset_error(steps)
        return _narrative_page(
            request, engagement, kind, narrative, form, steps, error=error, status=422
        )
    if "preview" in request.POST:
        return _narrative_page(request, engagement, kind, narrative, form, steps, preview=True)
    try:
        narratives.narrative_save(
            engagement=engagement,
            kind=kind,
            summary=form.cleaned_data["summary"],
            findings=form.cleaned_data["findings"],
            risks=form.cleaned_data["risks"],
            next_steps=next_steps_of(steps),
            expected_version=form.cleaned_data["version"],
            by=request.user,
        )
    except ValidationError as error:
        status = 409 if isinstance(error, narratives.StaleNarrativeError) else 422
        return _narrative_page(
            request,
            engagement,
            kind,
            narrative,
            form,
            steps,
            error=" ".join(error.messages),
            status=status,
        )
    messages.success(
        request,
        f"The text of the {Report.Kind(kind).label.lower()} is saved; the next version you "
        "generate carries it.",
    )
    return HttpResponseRedirect(f"{engagement.get_absolute_url()}#reports", status=303)


def _narrative_page(
    request: AuthenticatedRequest,
    engagement: Engagement,
    kind: str,
    narrative: ReportNarrative,
    form: NarrativeForm,
    steps: forms.BaseFormSet,
    *,
    error: str = "",
    preview: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {
        "engagement": engagement,
        "kind_label": Report.Kind(kind).label,
        "narrative": narrative,
        "form": form,
        "steps": steps,
        "owners": selectors.narrative_owners(engagement=engagement),
        "markdown_help": markup.HELP,
        "previews": form.previews() if preview else None,
        "preview_steps": next_steps_of(steps) if preview else None,
        "error": error,
    }
    return render(request, "reports/narrative_form.html", context, status=status)


@require_GET
@never_cache
def intake_summary_card(request: HtmxHttpRequest) -> HttpResponse:
    """The prospect's summary card on the thanks page, polled until the PDF is ready."""
    return render(
        request,
        "reports/_intake_summary_card.html",
        {"report": selectors.intake_summary_by_token(prospect.token_of(request))},
    )


@require_GET
def intake_summary_download(request: HtmxHttpRequest) -> FileResponse:
    """The prospect's own summary, found through their cookie alone; 404 for anyone else."""
    report = selectors.intake_summary_by_token(prospect.token_of(request))
    if report is None or report.status != Report.Status.READY:
        raise Http404("There is no summary here.")
    return pdf_response(report)


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
    return pdf_response(report)


def pdf_response(report: Report) -> FileResponse:
    return private_download(report.file, filename=report.filename, content_type="application/pdf")
