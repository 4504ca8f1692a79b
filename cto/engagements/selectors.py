"""Reads of engagements, always scoped to who is asking."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.stages import Stage
from cto.users.models import User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# The engagement page shows the latest events; "the full timeline" shows up to the limit.
# A long engagement gathers hundreds of events, and rendering them all on every visit was most
# of the page's cost.
TIMELINE_RECENT = 20
TIMELINE_LIMIT = 200


def engagement_list(*, user: User) -> QuerySet[Engagement]:
    """The engagements ``user`` may see, with what a list shows of them."""
    return Engagement.objects.for_user(user).with_related()


def engagement_get(*, user: User, pk: int) -> Engagement:
    """One engagement ``user`` may see; 404 (not 403) for anything else, so a foreign id
    reveals nothing."""
    return get_object_or_404(engagement_list(user=user), pk=pk)


def engagement_for_page(*, user: User, pk: int) -> Engagement:
    """``engagement_get`` with the engagement's AI plan and checklist (reverse one-to-ones,
    named as strings: this app never imports the apps built on it) joined in, which the page
    asks about: one query instead of three."""
    return get_object_or_404(
        engagement_list(user=user).select_related("ai_plan", "checklist"), pk=pk
    )


@dataclass(frozen=True)
class Timeline:
    events: list[ActivityEvent]
    more: bool  # there are older events than these
    full: bool  # the full timeline was asked for (up to TIMELINE_LIMIT)


def engagement_timeline(
    *, engagement: Engagement, full: bool = False, hidden: Sequence[QuerySet[Any]] = ()
) -> Timeline:
    """The newest events first, with their actors: the latest TIMELINE_RECENT, or up to
    TIMELINE_LIMIT when ``full``. One query: one row past the limit says whether there are more.
    Events about the rows of each of ``hidden`` (a client's view leaves out the draft quotes,
    the draft reports and the practice's report text) are left out, in the same query."""
    limit = TIMELINE_LIMIT if full else TIMELINE_RECENT
    events = engagement.events.select_related("actor")
    for rows_hidden in hidden:
        events = events.exclude(
            target_type=ContentType.objects.get_for_model(rows_hidden.model),
            target_id__in=rows_hidden.values("pk"),
        )
    rows = list(events.order_by("-created_at", "-id")[: limit + 1])
    return Timeline(events=rows[:limit], more=len(rows) > limit, full=full)


# --- Waiting work: the operators' attention lists ----------------------------------------------

# What a list of waiting work shows of an engagement. The queries read no more: each counts
# every waiting row in a window, and at a practice's size narrow rows make those windows
# markedly cheaper.
ENGAGEMENT_SHOWN = ("title", "organization__name", "lead__name", "lead__email")


def engagement_shown(path: str) -> list[str]:
    """``ENGAGEMENT_SHOWN`` as seen from a row that points at its engagement by ``path``."""
    return [f"{path}__{field}" for field in ENGAGEMENT_SHOWN]


def waiting_total() -> Window:
    """How many rows the query finds before its LIMIT, in the same query."""
    return Window(Count("*"))


class StaleLead(TypedDict):
    """What ``leads_stale`` adds to each Engagement."""

    last_activity: datetime.datetime
    waiting_total: int


def leads_stale(
    *, quiet_before: datetime.datetime, limit: int
) -> QuerySet[WithAnnotations[Engagement, StaleLead]]:
    """Leads with no activity since ``quiet_before``, the longest quiet first, at most
    ``limit``: one query. Each carries ``last_activity`` (its newest event, or its creation)
    and ``waiting_total`` (every such lead, shown or not)."""
    latest_event = (
        ActivityEvent.objects.filter(engagement=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        Engagement.objects.filter(stage=Stage.LEAD)
        .select_related("organization", "lead")
        .only(*ENGAGEMENT_SHOWN)
        # The newest event by the index event_engagement_recent, one lookup per lead.
        .annotate(last_activity=Coalesce(Subquery(latest_event), "created_at"))
        .filter(last_activity__lt=quiet_before)
        .annotate(waiting_total=waiting_total())
        .order_by("last_activity", "id")[:limit]
    )
