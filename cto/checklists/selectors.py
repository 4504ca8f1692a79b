"""Reads of checklists, scoped to who is asking, in a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from cto.checklists import definition as definition_module
from cto.checklists.models import Checklist, ChecklistItem, Evidence, due_date_expression
from cto.engagements.models import Engagement
from cto.engagements.selectors import engagement_shown, waiting_total
from cto.engagements.stages import WORKING_STAGES
from cto.users.models import User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

FILTERS = ("all", "mine", "overdue", "blocked")
# "Due this week": overdue, or due within this many days.
DUE_SOON_DAYS = 7


def checklist_get(*, user: User, engagement_pk: int) -> Checklist:
    return get_object_or_404(
        Checklist.objects.for_user(user).select_related(
            "engagement__organization", "template_version__template"
        ),
        engagement_id=engagement_pk,
    )


def _items(queryset: QuerySet[ChecklistItem]) -> QuerySet[ChecklistItem]:
    return queryset.select_related("owner", "done_by", "checklist__engagement").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.select_related("added_by"))
    )


def item_get(*, user: User, pk: int) -> ChecklistItem:
    return get_object_or_404(
        _items(
            ChecklistItem.objects.live().filter(
                checklist__engagement__in=Engagement.objects.for_user(user)
            )
        ),
        pk=pk,
    )


def evidence_get(*, user: User, pk: int) -> Evidence:
    return get_object_or_404(
        Evidence.objects.filter(item__checklist__engagement__in=Engagement.objects.for_user(user)),
        pk=pk,
        kind=Evidence.Kind.FILE,
    )


@dataclass(frozen=True)
class Section:
    name: str
    items: list[ChecklistItem]
    progress: definition_module.Progress


@dataclass(frozen=True)
class ChecklistView:
    checklist: Checklist
    sections: list[Section]
    progress: definition_module.Progress
    filter: str
    shown: int


def checklist_view(*, checklist: Checklist, user: User, filter: str = "all") -> ChecklistView:
    """The checklist by section, with progress over every live item and the filter applied
    to what is listed."""
    items = list(_items(checklist.items.live()))
    overall = definition_module.progress(item.status for item in items)
    by_section: OrderedDict[str, list[ChecklistItem]] = OrderedDict()
    for item in items:
        by_section.setdefault(item.section, []).append(item)
    keep = {
        "mine": lambda item: item.owner_id == user.pk,
        "overdue": lambda item: item.is_overdue,
        "blocked": lambda item: item.status == ChecklistItem.Status.BLOCKED,
    }.get(filter if filter in FILTERS else "all", lambda item: True)
    sections = [
        Section(
            name,
            [item for item in section_items if keep(item)],
            definition_module.progress(item.status for item in section_items),
        )
        for name, section_items in by_section.items()
    ]
    return ChecklistView(
        checklist=checklist,
        sections=[s for s in sections if s.items],
        progress=overall,
        filter=filter if filter in FILTERS else "all",
        shown=sum(len(s.items) for s in sections),
    )


def due_this_week(*, today: datetime.date) -> QuerySet[ChecklistItem]:
    """Open items of working engagements (not completed, lost or paused) that are overdue or due
    within ``DUE_SOON_DAYS``, soonest first, each with its due date as ``due``: lazy, for the
    view to page through, so a practice with thousands of overdue items reads one page of them.

    The database finds them without reading finished work: first the checklists whose earliest
    open item is due by then (``Checklist.earliest_open_day``, indexed), then their open items
    (the ``checklist_item_open`` index). Three queries whatever the numbers: the count, the page
    with its owners, and its organisations (none for an empty page)."""
    horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    start = F("checklist__engagement__start_date")
    return (
        ChecklistItem.objects.open()
        .filter(
            checklist__engagement__stage__in=WORKING_STAGES,
            checklist__engagement__start_date__isnull=False,
        )
        .annotate(checklist_due=due_date_expression(start, F("checklist__earliest_open_day")))
        .filter(checklist_due__lte=horizon)
        .annotate(due=due_date_expression(start, F("due_day")))
        .filter(due__lte=horizon)
        # The organisation is read for the page's rows only, after the sort, rather than joined
        # to every due item before it (the owner, often empty, is joined: a prefetch of nobody
        # would leave out its query, and the page's query count would follow the data).
        .select_related("checklist__engagement", "owner")
        .prefetch_related("checklist__engagement__organization")
        .order_by("due", "checklist__engagement__title", "position", "pk")
    )


def owner_candidates(*, checklist: Checklist) -> QuerySet[User]:
    """Who may own an item: the client's members and the operators (active people)."""
    return (
        User.objects.filter(
            Q(is_staff=True, is_active=True)
            | Q(memberships__organization_id=checklist.engagement.organization_id, is_active=True)
        )
        .exclude(is_service_account=True)  # an account of a pipeline owns no work
        .distinct()
        .order_by("email")
    )


def people_for(*, checklist: Checklist) -> list[User]:
    """Who may own an item, for the owner menus."""
    return list(owner_candidates(checklist=checklist))


class OverdueChecklist(TypedDict):
    """What ``checklists_overdue`` adds to each Checklist."""

    oldest_due: datetime.date
    waiting_total: int
    overdue_count: int
    oldest_title: str


def checklists_overdue(
    *, today: datetime.date, limit: int
) -> QuerySet[WithAnnotations[Checklist, OverdueChecklist]]:
    """Checklists of working engagements with an item overdue (an item due ``today`` is not
    overdue yet), the longest overdue first, at most ``limit``: one query, one row per
    engagement. It reads checklists, not items: each keeps the due day of its earliest open item
    (``Checklist.earliest_open_day``), and only the few with one are indexed. Each carries
    ``oldest_due``, ``waiting_total`` (every such checklist, shown or not), and, read for the
    shown ones only, ``overdue_count`` and ``oldest_title`` (of its oldest open item)."""
    start = F("engagement__start_date")
    open_items = ChecklistItem.objects.open().filter(checklist=OuterRef("pk")).order_by()
    overdue_of_checklist = open_items.annotate(
        due=due_date_expression(OuterRef("engagement__start_date"), F("due_day"))
    ).filter(due__lt=today)
    return (
        Checklist.objects.filter(earliest_open_day__isnull=False)
        .filter(engagement__stage__in=WORKING_STAGES, engagement__start_date__isnull=False)
        .annotate(oldest_due=due_date_expression(start, F("earliest_open_day")))
        .filter(oldest_due__lt=today)
        .select_related("engagement__organization", "engagement__lead")
        .only("engagement_id", *engagement_shown("engagement"))
        .annotate(waiting_total=waiting_total())
        .annotate(
            overdue_count=Subquery(
                overdue_of_checklist.values("checklist").annotate(n=Count("*")).values("n")
            ),
            oldest_title=Subquery(
                open_items.order_by("due_day", "position", "id").values("title")[:1]
            ),
        )
        .order_by("oldest_due", "engagement__title", "id")[:limit]
    )
