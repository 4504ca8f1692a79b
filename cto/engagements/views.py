"""Client-facing engagement pages under /portal/."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cto.engagements import selectors
from cto.engagements.forms import TimelineFilterForm
from cto.users.http import AuthenticatedRequest


@require_GET
@never_cache
@login_required
def portal_home(request: AuthenticatedRequest) -> HttpResponse:
    engagements = selectors.engagement_list(user=request.user)
    return render(request, "engagements/engagement_list.html", {"engagements": engagements})


@require_GET
@never_cache
@login_required
def portal_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The engagement page; with htmx, only its timeline (filtered, or in full)."""
    engagement = selectors.engagement_for_page(user=request.user, pk=pk)
    events = selectors.timeline_events(user=request.user, engagement=engagement)
    timeline_filter = TimelineFilterForm(
        request.GET, choices=selectors.timeline_choices(events=events)
    )
    wanted = timeline_filter.wanted()
    context: dict[str, Any] = {
        "engagement": engagement,
        "timeline": selectors.engagement_timeline(events=events, wanted=wanted),
        "timeline_filter": timeline_filter,
    }
    if request.htmx:
        # The timeline is all an htmx request swaps: the rest of the page is not read.
        return render(request, "engagements/engagement_detail.html#timeline", context)
    audits = selectors.engagement_audits(engagement=engagement)
    # Read through the reverse relation: this app never imports the apps built on it.
    quotes = list(engagement.quotes.shown_to(request.user).order_by("-number", "-revision"))
    context |= {
        "progress": selectors.engagement_progress(
            engagement=engagement, audits=audits, quotes=quotes
        ),
        "today": timezone.localdate(),
        "audits": audits,
        "ai_plan": engagement.ai_plan_or_none,
        "has_checklist": hasattr(engagement, "checklist"),
        "quotes": quotes,
        "tiers": _active_tiers() if request.user.is_staff else [],
    }
    return render(request, "engagements/engagement_detail.html", context)


def _active_tiers() -> list[object]:
    # Read through the app registry: engagements never import the apps built on them.
    from django.apps import apps

    return list(apps.get_model("pricing", "PricingTier").objects.filter(active=True))
