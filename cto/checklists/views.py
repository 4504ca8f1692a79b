"""Checklist pages: the engagement's week-one checklist (items changed in place with htmx),
private evidence downloads, and the operators' view of what is due this week."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cto.checklists import selectors, services
from cto.checklists.models import ChecklistItem
from cto.core.storage import private_download
from cto.core.uploads import dropped_uploads, too_large_message
from cto.engagements.selectors import engagement_get
from cto.users.http import AuthenticatedRequest
from cto.users.models import User

TEMPLATE = "checklists/checklist_detail.html"
# Rows per page of "due this week": a screenful to act on; the count says how many more wait.
DUE_PAGE_SIZE = 100


def _version(request: AuthenticatedRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _item_response(
    request: AuthenticatedRequest, item: ChecklistItem, change: Callable[[], Any], done: str
) -> HttpResponse:
    status, error = 200, ""
    try:
        change()
    except services.StaleItemError as stale:
        status, error = 409, stale.messages[0]
    except services.ChecklistError as refused:
        status, error = 422, refused.messages[0]
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
        return render(request, f"{TEMPLATE}#item", context, status=status)
    if error:
        messages.error(request, f"{item.title}: {error}")
    else:
        messages.success(request, done)
    url = reverse("checklists:detail", args=[item.checklist.engagement_id])
    return HttpResponseRedirect(f"{url}#item-{item.pk}", status=303)


@require_GET
@never_cache
@login_required
def checklist_detail(request: AuthenticatedRequest, engagement_pk: int) -> HttpResponse:
    checklist = selectors.checklist_get(user=request.user, engagement_pk=engagement_pk)
    view = selectors.checklist_view(
        checklist=checklist,
        user=request.user,
        filter=request.GET.get("filter", "all"),
    )
    context = {
        "view": view,
        "people": selectors.people_for(checklist=checklist) if request.user.is_staff else [],
        "filters": [
            ("all", "All"),
            ("mine", "Mine"),
            ("overdue", "Overdue"),
            ("blocked", "Blocked"),
        ],
    }
    return render(request, TEMPLATE, context)


@require_POST
@login_required
def item_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)

    def change() -> None:
        raw_date = request.POST.get("effective_date", "")
        try:
            effective = datetime.date.fromisoformat(raw_date) if raw_date else None
        except ValueError as error:
            raise services.ChecklistError(
                "The effective date must look like 2026-11-24."
            ) from error
        services.item_set_status(
            item=item,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
            effective_date=effective,
            expected_version=_version(request),
            by=request.user,
        )

    return _item_response(request, item, change, "Status saved.")


@require_POST
@login_required
def item_evidence(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)

    def add() -> None:
        upload = request.FILES.get("file")
        if "file" in dropped_uploads(request):  # nothing of the rest is kept either
            raise services.ChecklistError(too_large_message())
        services.evidence_add(
            item=item,
            url=request.POST.get("url", ""),
            note=request.POST.get("note", ""),
            upload=upload,
            by=request.user,
        )

    return _item_response(request, item, add, "Evidence added.")


@require_POST
@login_required
def item_owner(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)
    owner_id = request.POST.get("owner", "")
    owner = User.objects.filter(pk=owner_id).first() if owner_id.isdigit() else None
    return _item_response(
        request,
        item,
        lambda: services.item_set_owner(
            item=item,
            owner=owner,
            expected_version=_version(request),
            by=request.user,
        ),
        "Owner saved.",
    )


@require_POST
@login_required
def item_drop(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)
    try:
        services.item_drop(
            item=item,
            reason=request.POST.get("reason", ""),
            expected_version=_version(request),
            by=request.user,
        )
    except services.ChecklistError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(request, f"Dropped “{item.title}”.")
    return HttpResponseRedirect(
        reverse("checklists:detail", args=[item.checklist.engagement_id]), status=303
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
    try:
        services.item_add(
            checklist=checklist,
            section=request.POST.get("section", ""),
            title=request.POST.get("title", ""),
            done_when=request.POST.get("done_when", ""),
            owner_side=request.POST.get("owner_side", ""),
            due_day=request.POST.get("due_day", ""),
            by=request.user,
        )
    except services.ChecklistError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(request, "Item added.")
    return HttpResponseRedirect(reverse("checklists:detail", args=[engagement_pk]), status=303)


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
