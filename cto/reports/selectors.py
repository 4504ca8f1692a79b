"""Reads of the reports: the card an engagement page shows, and a prospect's intake summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Exists, OuterRef, QuerySet

from cto.engagements.models import Engagement
from cto.engagements.selectors import waiting_total
from cto.engagements.stages import RESTING_STAGES
from cto.intake.models import IntakeResponse
from cto.intake.selectors import intake_response_by_token
from cto.reports.models import Report
from cto.users.models import User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

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


class FailedReport(TypedDict):
    """What ``reports_failed`` adds to each Report."""

    waiting_total: int


def reports_failed(*, limit: int) -> QuerySet[WithAnnotations[Report, FailedReport]]:
    """Failed reports of engagements still in play that no later version of the same kind has
    replaced, the oldest first, at most ``limit``: one query. Each carries ``waiting_total``
    (every such report, shown or not)."""
    newer = Report.objects.filter(
        engagement=OuterRef("engagement"), kind=OuterRef("kind"), number__gt=OuterRef("number")
    )
    return (
        Report.objects.filter(status=Report.Status.FAILED)
        .exclude(engagement__stage__in=RESTING_STAGES)
        .exclude(Exists(newer))
        .select_related("engagement__organization", "engagement__lead")
        .defer("snapshot")
        .annotate(waiting_total=waiting_total())
        .order_by("updated_at", "id")[:limit]
    )
