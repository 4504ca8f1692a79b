"""Checklist pages: the engagement's week-one checklist (items changed in place with htmx),
private evidence downloads, and the operators' view of what is due this week."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cto.checklists import forms, selectors, services
from cto.checklists.models import Checklist, ChecklistItem
from cto.core.forms import ServiceForm, change_with_form, first_error
from cto.core.htmx import announce
from cto.core.storage import private_download
from cto.core.uploads import dropped_uploads, too_large_message
from cto.engagements.selectors import engagement_get
from cto.users.http import AuthenticatedRequest

TEMPLATE = "checklists/checklist_detail.html"
# Rows per page of "due this week": a screenful to act on; the count says how many more wait.
DUE_PAGE_SIZE = 100


def _page_context(request: AuthenticatedRequest, checklist: Checklist) -> dict[str, Any]:
    return {
        "view": selectors.checklist_view(
            checklist=checklist, user=request.user, filter=request.GET.get("filter", "all")
        ),
        "people": selectors.people_for(checklist=checklist) if request.user.is_staff else [],
        "filters": [
            ("all", "All"),
            ("mine", "Mine"),
            ("overdue", "Overdue"),
            ("blocked", "Blocked"),
        ],
    }


def _refused_page(
    request: AuthenticatedRequest, checklist: Checklist, form: BaseForm, about: str = ""
) -> HttpResponse:
    """The checklist page again with the form's message: 422, nothing written."""
    error = first_error(form)
    messages.error(request, f"{about}: {error}" if about else error)
    return render(request, TEMPLATE, _page_context(request, checklist), status=422)


def _item_response(
    request: AuthenticatedRequest,
    item: ChecklistItem,
    form: ServiceForm,
    change: Callable[..., object],
    done: str,
) -> HttpResponse:
    """Read the form, then run one change of the item with its typed values; answer htmx with
    the item again (and any message), a plain form with a redirect to the page (or the page
    itself, 422, when the form is refused)."""
    if not request.htmx and not form.is_valid():
        return _refused_page(request, item.checklist, form, about=item.title)
    status, error = change_with_form(
        form, change, stale=services.StaleItemError, refused=services.ChecklistError
    )
    if request.htmx:
        fresh = selectors.item_get(user=request.user, pk=item.pk)
        context = {
            "item": fresh,
            "error": error,
            "saved": not error,
            "people": selectors.people_for(checklist=fresh.checklist)
            if request.user.is_staff
            else [],
        }
        response = render(request, f"{TEMPLATE}#item", context, status=status)
        # A refusal is read out by its role="alert"; a change is said in the page's live region.
        return response if error else announce(response, f"{fresh.title}: {done}")
    if error:
        messages.error(request, f"{item.title}: {error}")
    else:
        messages.success(request, done)
    url = reverse("checklists:detail", args=[item.checklist.engagement_id])
    return HttpResponseRedirect(f"{url}#item-{item.pk}", status=303)


def _page_change(
    request: AuthenticatedRequest,
    checklist: Checklist,
    form: ServiceForm,
    change: Callable[..., object],
    done: str,
    *,
    about: str = "",
) -> HttpResponse:
    """A change posted by a plain form of the page (never in place): the page again when the
    form is refused (422, nothing written), else back to the page with how it went."""
    if not form.is_valid():
        return _refused_page(request, checklist, form, about=about)
    try:
        change(**form.arguments())
    except services.ChecklistError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(request, done)
    return HttpResponseRedirect(
        reverse("checklists:detail", args=[checklist.engagement_id]), status=303
    )


@require_GET
@never_cache
@login_required
def checklist_detail(request: AuthenticatedRequest, engagement_pk: int) -> HttpResponse:
    checklist = selectors.checklist_get(user=request.user, engagement_pk=engagement_pk)
    return render(request, TEMPLATE, _page_context(request, checklist))


@require_POST
@login_required
def item_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)
    form = forms.ItemStatusForm(request.POST)
    change = partial(services.item_set_status, item=item, by=request.user)
    return _item_response(request, item, form, change, "Status saved.")


@require_POST
@login_required
def item_evidence(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)

    def add(**arguments: Any) -> None:
        if "file" in dropped_uploads(request):  # nothing of the rest is kept either
            raise services.ChecklistError(too_large_message())
        services.evidence_add(item=item, by=request.user, **arguments)

    return _item_response(
        request, item, forms.EvidenceForm(request.POST, request.FILES), add, "Evidence added."
    )


@require_POST
@login_required
def item_owner(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)
    form = forms.ItemOwnerForm(request.POST, checklist=item.checklist)
    change = partial(services.item_set_owner, item=item, by=request.user)
    return _item_response(request, item, form, change, "Owner saved.")


@require_POST
@login_required
def item_drop(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)
    change = partial(services.item_drop, item=item, by=request.user)
    form = forms.ItemDropForm(request.POST)
    return _page_change(
        request, item.checklist, form, change, f"Dropped “{item.title}”.", about=item.title
    )


@require_POST
@staff_member_required
def checklist_apply(request: AuthenticatedRequest, engagement_pk: int) -> HttpResponse:
    engagement = engagement_get(user=request.user, pk=engagement_pk)
    try:
        report = services.checklist_apply(engagement=engagement, by=request.user)
    except services.ChecklistError as refused:
        messages.error(request, refused.messages[0])
        return HttpResponseRedirect(engagement.get_absolute_url(), status=303)
    note = (
        f"Checklist on {report.checklist.template_version}: "
        f"{len(report.added)} added, {len(report.updated)} updated."
    )
    if report.not_in_template:
        note += f" Kept, though no longer in the template: {', '.join(report.not_in_template)}."
    messages.success(request, note)
    return HttpResponseRedirect(reverse("checklists:detail", args=[engagement.pk]), status=303)


@require_POST
@staff_member_required
def item_add(request: AuthenticatedRequest, engagement_pk: int) -> HttpResponse:
    checklist = selectors.checklist_get(user=request.user, engagement_pk=engagement_pk)
    change = partial(services.item_add, checklist=checklist, by=request.user)
    return _page_change(request, checklist, forms.ItemAddForm(request.POST), change, "Item added.")


@require_GET
@login_required
def evidence_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """Only through here, for the engagement's organisation and operators (404 for anyone
    else): evidence files have no public URL."""
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    return private_download(
        evidence.file,
        filename=evidence.original_name,
        content_type=evidence.content_type or "application/octet-stream",
    )


@require_GET
@never_cache
@staff_member_required
def due_this_week(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    # get_page: a page number that is not one (or is past the end) shows the first (or last).
    page = Paginator(selectors.due_this_week(today=today), DUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "today": today, "soon_days": selectors.DUE_SOON_DAYS}
    return render(request, "checklists/due_this_week.html", context)
