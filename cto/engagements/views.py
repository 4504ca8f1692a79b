"""Client-facing engagement pages under /portal/."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cto.core.changes import mark
from cto.engagements import selectors
from cto.engagements.models import Engagement
from cto.engagements.stages import PIPELINE, next_step
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
    """The engagement, for its organisation's members and operators: found (or 404) on every
    request (by its title alone), the rest of the page cached until the next change to the
    data. The reads below are lazy: only a miss of the cached fragment makes them."""
    changes = mark()  # before anything the page shows is read
    title = selectors.engagement_title(user=request.user, pk=pk)  # or 404, on every request
    # Stands in for the engagement, loaded on first use (only a miss of the cache uses it).
    engagement = cast(
        Engagement,
        SimpleLazyObject(lambda: selectors.engagement_for_page(user=request.user, pk=pk)),
    )
    # Read through the reverse relations: this app never imports the apps built on it.
    audits = SimpleLazyObject(lambda: list(engagement.audits.order_by("-number")))
    quotes = SimpleLazyObject(lambda: list(engagement.quotes.order_by("-number", "-revision")))
    full_timeline = request.GET.get("timeline") == "all"
    context: dict[str, object] = {
        "changes": changes,
        "title": title,
        "pk": pk,
        "engagement": engagement,
        "pipeline": PIPELINE,
        "next_step": SimpleLazyObject(
            lambda: next_step(
                engagement.stage,
                audit_open=any(audit.is_open for audit in audits),
                quote_to_answer=any(
                    quote.status == "sent" and not quote.is_expired for quote in quotes
                ),
            )
        ),
        "timeline": SimpleLazyObject(
            lambda: selectors.engagement_timeline(engagement=engagement, full=full_timeline)
        ),
        "full_timeline": full_timeline,
        "today": timezone.localdate(),  # quotes expire and next steps change by the day
        "audits": audits,
        "ai_plan": SimpleLazyObject(lambda: engagement.ai_plan_or_none),
        "has_checklist": SimpleLazyObject(lambda: hasattr(engagement, "checklist")),
        "quotes": quotes,
        "tiers": SimpleLazyObject(_active_tiers) if request.user.is_staff else [],
    }
    template = "engagements/engagement_detail.html"
    if request.htmx:
        template += "#timeline"
    return render(request, template, context)


def _active_tiers() -> list[object]:
    # Read through the app registry: engagements never import the apps built on them.
    from django.apps import apps

    return list(apps.get_model("pricing", "PricingTier").objects.filter(active=True))
