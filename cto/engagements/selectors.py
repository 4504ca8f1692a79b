"""Reads of engagements, always scoped to who is asking."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from cto.engagements.models import ActivityEvent, Engagement
from cto.users.models import User

TIMELINE_LIMIT = 200


def engagement_list(*, user: User) -> QuerySet[Engagement]:
    """The engagements ``user`` may see, with what a list shows of them."""
    return Engagement.objects.for_user(user).with_related()


def engagement_get(*, user: User, pk: int) -> Engagement:
    """One engagement ``user`` may see; 404 (not 403) for anything else, so a foreign id
    reveals nothing."""
    return get_object_or_404(engagement_list(user=user), pk=pk)


def engagement_timeline(*, engagement: Engagement) -> QuerySet[ActivityEvent]:
    """The newest events first, with their actors."""
    return engagement.events.select_related("actor").order_by("-created_at", "-id")[:TIMELINE_LIMIT]
