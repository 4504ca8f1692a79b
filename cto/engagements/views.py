"""Client-facing engagement pages under /portal/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cto.engagements import selectors
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
    engagement = selectors.engagement_for_page(user=request.user, pk=pk)
    audits = selectors.engagement_audits(engagement=engagement)
    # Read through the reverse relation: this app never imports the apps built on it.
    quotes = list(engagement.quotes.shown_to(request.user).order_by("-number", "-revision"))
    practice_only = selectors.timeline_hidden(engagement=engagement, user=request.user)
    full_timeline = request.GET.get("timeline") == "all"
    context = {
        "engagement": engagement,
        "progress": selectors.engagement_progress(
            engagement=engagement, audits=audits, quotes=quotes
        ),
        "timeline": selectors.engagement_timeline(
            engagement=engagement, full=full_timeline, hidden=practice_only
        ),
        "full_timeline": full_timeline,
        "today": timezone.localdate(),
        "audits": audits,
        "ai_plan": engagement.ai_plan_or_none,
        "has_checklist": hasattr(engagement, "checklist"),
        "quotes": quotes,
        "tiers": _active_tiers() if request.user.is_staff else [],
    }
    template = "engagements/engagement_detail.html"
    if request.htmx:
        template += "#timeline"
    return render(request, template, context)


def _active_tiers() -> list[object]:
    # Read through the app registry: engagements never import the apps built on them.
    from django.apps import apps

    return list(apps.get_model("pricing", "PricingTier").objects.filter(active=True))
