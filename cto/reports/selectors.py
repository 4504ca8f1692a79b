"""Reads of the reports: the card an engagement page shows, and a prospect's intake summary."""

from __future__ import annotations

from typing import Any

from cto.engagements.models import Engagement
from cto.intake.models import IntakeResponse
from cto.intake.selectors import intake_response_by_token
from cto.reports.models import Report
from cto.users.models import User

PENDING = (Report.Status.QUEUED, Report.Status.RENDERING)


def reports_card(*, engagement: Engagement, user: User) -> dict[str, Any]:
    """Every version of every kind, newest first, with who asked for it; whether the card
    should keep polling (a version is still on its way); the kinds an operator may generate."""
    reports = list(
        engagement.reports.select_related("requested_by").order_by("-created_at", "-number")
    )
    return {
        "engagement": engagement,
        "reports": reports,
        "pending": any(report.status in PENDING for report in reports),
        "kinds": Report.Kind.choices if user.is_staff else [],
    }


def intake_summary_by_token(token: str | None) -> Report | None:
    """The newest intake summary of the response with this token (the prospect's cookie holds
    it): the prospect's own, with no account needed. None before submission."""
    response = intake_response_by_token(token)
    if (
        response is None
        or response.status != IntakeResponse.Status.SUBMITTED
        or response.engagement_id is None
    ):
        return None
    return (
        Report.objects.filter(engagement_id=response.engagement_id, kind=Report.Kind.INTAKE_SUMMARY)
        .order_by("-number")
        .first()
    )
