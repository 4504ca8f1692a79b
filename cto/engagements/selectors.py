"""Reads of engagements, always scoped to who is asking."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from cto.engagements.models import ActivityEvent, Engagement
from cto.users.models import User

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


def engagement_timeline(*, engagement: Engagement, full: bool = False) -> Timeline:
    """The newest events first, with their actors: the latest TIMELINE_RECENT, or up to
    TIMELINE_LIMIT when ``full``. One query: one row past the limit says whether there are more."""
    limit = TIMELINE_LIMIT if full else TIMELINE_RECENT
    rows = list(
        engagement.events.select_related("actor").order_by("-created_at", "-id")[: limit + 1]
    )
    return Timeline(events=rows[:limit], more=len(rows) > limit, full=full)
