"""The operator dashboard under /ops/: the pipeline board, what needs attention, search, and
quick actions that go through the same services as the admin.

Operators only. Like every other operator-only view (`reports:generate`, `pricing:revenue`),
anyone else is sent to sign in by `staff_member_required`, so a client learns nothing about
what lies behind it. Every answer carries client data and is never cached.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cto.core.forms import first_error
from cto.core.htmx import announce
from cto.engagements.models import Engagement
from cto.engagements.selectors import engagement_get
from cto.engagements.services import StaleEngagementError, TransitionError, engagement_transition
from cto.engagements.stages import Stage
from cto.ops import exports, selectors
from cto.ops.forms import AdvanceForm, SearchForm
from cto.reports.models import Report
from cto.reports.services import report_request
from cto.users.http import AuthenticatedRequest

TEMPLATE = "ops/dashboard.html"
CARD = f"{TEMPLATE}#engagement-card"

# The week-one deliverable belongs to running engagements; other cards leave the button out so
# the board stays readable (the engagement page still offers it at every stage).
REPORT_STAGES = (Stage.ACTIVE.value, Stage.ONGOING.value)

# Where content and bulk edits live: (model, label, what for). A model whose admin is not
# registered is left out rather than linked to a page that does not exist.
ADMIN_LINKS = (
    ("intake.DecisionTree", "Decision trees", "the intake's questions, in versions"),
    ("audits.AuditTemplate", "Audit templates", "the readiness audit's questions, in versions"),
    ("checklists.ChecklistTemplate", "Checklist templates", "the week-one checklist"),
    ("pricing.PricingTier", "Pricing tiers", "retainers and week-one fees"),
    ("engagements.Engagement", "Engagements", "editing and moving several at once"),
    ("users.Organization", "Organisations", "client companies and their members"),
    ("pricing.Quote", "Quotes", "every quote and its acceptance record"),
    ("reports.Report", "Reports", "every rendered version"),
    ("intake.IntakeResponse", "Intake responses", "answers and contact details"),
)


def _admin_links() -> list[dict[str, str]]:
    links = []
    for model_label, label, note in ADMIN_LINKS:
        model = apps.get_model(model_label)
        if admin.site.is_registered(model):
            meta = model._meta
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
            links.append({"label": label, "url": url, "note": note})
    return links


@require_GET
@never_cache
@staff_member_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "today": today,
        "board": selectors.pipeline_board(),
        "attention": selectors.attention_groups(selectors.attention_list(today=today)),
        "admin_links": _admin_links(),
        "exports": exports.EXPORTS.values(),
        "report_stages": REPORT_STAGES,
        "query": "",
    }
    return render(request, TEMPLATE, context)


@require_GET
@never_cache
@staff_member_required
def search(request: AuthenticatedRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = selectors.ops_search(query=query)
    error = first_error(form)
    context = {"results": results, "query": results.query, "error": error}
    if not request.htmx:
        return render(request, "ops/search.html", context)
    response = render(request, "ops/search.html#results", context)
    # The results change under the search box as it is typed in: say how many came back (a
    # refusal is read out by its role="alert").
    if error or not results.query:
        return response
    if not results.searched:
        return announce(response, "Type at least two characters.")
    found = f"{results.total} result{pluralize(results.total)}"
    return announce(response, f"{found} for “{results.query}”.")


def _card_response(
    request: AuthenticatedRequest, engagement: Engagement, *, status: int, error: str, done: str
) -> HttpResponse:
    """htmx gets the card again, read afresh (its stage and version as they are now, so a
    retry after a refusal works); a plain form post goes back to the dashboard with a message."""
    if request.htmx:
        context: dict[str, Any] = {
            "engagement": engagement_get(user=request.user, pk=engagement.pk),
            "error": error,
            "done": done,
            "report_stages": REPORT_STAGES,
        }
        response = render(request, CARD, context, status=status)
        # The card is replaced: what it did is said in the page's live region (a refusal is
        # read out by its role="alert").
        return response if error else announce(response, f"{engagement.title}: {done}")
    if error:
        messages.error(request, f"{engagement.title}: {error}")
    else:
        messages.success(request, f"{engagement.title}: {done}")
    return HttpResponseRedirect(reverse("ops:dashboard"), status=303)


@require_POST
@never_cache
@staff_member_required
def engagement_advance(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Move the engagement to the stage posted as ``to``; refused (409 stale, 422 not allowed)
    with nothing written when the card was out of date or the move is not in the table."""
    engagement = engagement_get(user=request.user, pk=pk)
    form = AdvanceForm(request.POST)
    status, error, done = 200, "", ""
    if not form.is_valid():
        status, error = 422, first_error(form)
    else:
        try:
            moved = engagement_transition(
                engagement=engagement,
                to=form.cleaned_data["to"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEngagementError as stale:
            status, error = 409, " ".join(stale.messages)
        except TransitionError as refused:
            status, error = 422, " ".join(refused.messages)
        else:
            done = f"Moved to “{moved.get_stage_display()}”."
    return _card_response(request, engagement, status=status, error=error, done=done)


@require_POST
@never_cache
@staff_member_required
def engagement_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Queue a new version of the week-one report through the reports' own service."""
    engagement = engagement_get(user=request.user, pk=pk)
    status, error, done = 200, "", ""
    try:
        report = report_request(engagement=engagement, kind=Report.Kind.WEEK_ONE, by=request.user)
    except ValidationError as refused:
        status, error = 422, " ".join(refused.messages)
    else:
        done = (
            f"Week-one report v{report.number} is queued; "
            "it appears on the engagement page when ready."
        )
    return _card_response(request, engagement, status=status, error=error, done=done)


@require_GET
@never_cache
@staff_member_required
def export(request: AuthenticatedRequest, key: str) -> StreamingHttpResponse:
    """One of ``exports.EXPORTS`` as a CSV download, streamed row by row."""
    found = exports.EXPORTS.get(key)
    if found is None:
        raise Http404("No such export.")
    response = StreamingHttpResponse(found.lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=found.filename(timezone.localdate())
    )
    return response
