"""Reads of the reports: the card an engagement page shows, the practice's text and the owners
its editor suggests, and a prospect's intake summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Exists, OuterRef, Q, QuerySet

from cto.engagements.models import Engagement
from cto.engagements.selectors import waiting_total
from cto.engagements.stages import RESTING_STAGES
from cto.intake.models import IntakeResponse
from cto.intake.selectors import intake_response_by_token
from cto.reports.models import REQUESTABLE_RELEASES, Report, ReportNarrative
from cto.users.models import User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PENDING = (Report.Status.QUEUED, Report.Status.RENDERING)


def reports_card(*, engagement: Engagement, user: User) -> dict[str, Any]:
    """Every version of every kind the user may read (no draft for a client), newest first,
    with who asked for it; whether the card should keep polling (a version is still on its
    way); for operators, the kinds they may generate, each with the practice's text for it
    (None where none is saved), and the choices of who a version is for."""
    reports = list(
        engagement.reports.shown_to(user)
        .select_related("requested_by")
        .defer("snapshot")
        .order_by("-created_at", "-number")
    )
    card: dict[str, Any] = {
        "engagement": engagement,
        "reports": reports,
        "pending": any(report.status in PENDING for report in reports),
        "kinds": [],
        "texts": [],
    }
    if user.is_staff:
        written = {
            narrative.kind: narrative
            for narrative in engagement.narratives.select_related("updated_by").defer(
                "findings", "risks", "next_steps"
            )
        }
        card["kinds"] = Report.Kind.choices
        card["texts"] = [(kind, label, written.get(kind)) for kind, label in Report.Kind.choices]
        card["releases"] = REQUESTABLE_RELEASES
    return card


def narrative_get(*, engagement: Engagement, kind: str) -> ReportNarrative:
    """The practice's text of ``kind`` for the engagement, with who saved it last, or an
    unsaved blank one (version 0) where none is written yet."""
    return ReportNarrative.objects.filter(engagement=engagement, kind=kind).select_related(
        "updated_by"
    ).first() or ReportNarrative(engagement=engagement, kind=kind)


def narrative_owners(*, engagement: Engagement) -> list[str]:
    """Who a next step may be given to, as the editor suggests them: the engagement's lead and
    contact, the client organisation's members, and the organisation itself. One query."""
    people = (
        User.objects.filter(
            Q(pk=engagement.lead_id)
            | Q(pk=engagement.contact_id)
            | Q(memberships__organization_id=engagement.organization_id)
        )
        .distinct()
        .order_by("name", "email")
    )
    names = [str(person) for person in people]
    return [*dict.fromkeys([*names, engagement.organization.name])]


def intake_summary_by_token(token: str | None) -> Report | None:
    """The newest intake summary of the response with this token (the prospect's cookie holds
    it) that is not a draft: the prospect's own, with no account needed. None before
    submission."""
    response = intake_response_by_token(token)
    if (
        response is None
        or response.status != IntakeResponse.Status.SUBMITTED
        or response.engagement_id is None
    ):
        return None
    return (
        Report.objects.filter(engagement_id=response.engagement_id, kind=Report.Kind.INTAKE_SUMMARY)
        .shown_to_clients()
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
