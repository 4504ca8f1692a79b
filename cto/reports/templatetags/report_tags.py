"""Report cards for pages of apps that do not import this one: `{% reports_card engagement %}`
(the engagement page) and `{% intake_summary_card %}` (the intake's thanks page)."""

from __future__ import annotations

from typing import Any

from django import template

from cto.engagements.models import Engagement
from cto.intake import prospect
from cto.reports import selectors

register = template.Library()


@register.inclusion_tag("reports/_reports_card.html", takes_context=True)
def reports_card(context: dict[str, Any], engagement: Engagement) -> dict[str, Any]:
    request = context["request"]
    return selectors.reports_card(engagement=engagement, user=request.user) | {
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("reports/_intake_summary_card.html", takes_context=True)
def intake_summary_card(context: dict[str, Any]) -> dict[str, Any]:
    return {"report": selectors.intake_summary_by_token(prospect.token_of(context["request"]))}
