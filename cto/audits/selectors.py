"""Reads of audits, scoped to who is asking, and the computed result of one audit."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from cto.audits import scoring
from cto.audits.definition import AuditTemplate
from cto.audits.models import Audit, AuditAnswer
from cto.core.charts import Series, bar_chart, radar_chart
from cto.engagements.models import Engagement
from cto.engagements.selectors import engagement_shown, waiting_total
from cto.engagements.stages import WORKING_STAGES
from cto.intake.models import IntakeResponse
from cto.intake.selectors import intake_choices
from cto.users.models import User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def audit_get(*, user: User, pk: int) -> Audit:
    """An audit of an engagement ``user`` may see; 404 for any other id."""
    return get_object_or_404(Audit.objects.for_user(user).with_template(), pk=pk)


def answers_of(audit: Audit) -> dict[str, AuditAnswer]:
    return {answer.question: answer for answer in audit.answers.select_related("answered_by")}


@dataclass(frozen=True)
class AuditProgress:
    answered: int
    total: int
    by_dimension: dict[str, int]  # dimension id -> its answered questions


def audit_progress(*, audit: Audit, answered: Collection[str] | None = None) -> AuditProgress:
    """How far the audit is: from the question ids given, or (one query) from the stored
    answers, so that counters shown after a save are the database's, not the browser's."""
    template = audit.template_version.parsed()
    if answered is None:
        answered = set(audit.answers.values_list("question", flat=True))
    by_dimension = {
        d.id: sum(1 for q in d.questions if q.id in answered) for d in template.dimensions
    }
    return AuditProgress(
        answered=sum(by_dimension.values()),
        total=len(template.questions),
        by_dimension=by_dimension,
    )


def audit_intake_choices(audit: Audit) -> dict[str, list[str]]:
    """The engagement's intake answers on the path it took: node → chosen choice ids."""
    response = (
        IntakeResponse.objects.with_version().filter(engagement_id=audit.engagement_id).first()
    )
    return intake_choices(response)


def weak_dimensions(engagement: Engagement) -> set[str]:
    """The dimensions below the template's bar in the engagement's latest audit."""
    latest = Audit.objects.filter(engagement=engagement).with_template().order_by("-number").first()
    if latest is None:
        return set()
    result = audit_result(audit=latest)
    return {
        d.dimension.id
        for d in result.score.dimensions
        if d.score is not None and d.score < result.template.weak_below
    }


def audit_flags(audit: Audit, response: Any) -> list[scoring.FiredFlag]:
    """The red flags of an audit whose answers are prefetched, given its intake response."""
    template = audit.template_version.parsed()
    values = {answer.question: answer.value for answer in audit.answers.all()}
    return scoring.red_flags(
        template, values, scoring.score(template, values), intake_choices(response)
    )


@dataclass(frozen=True)
class AuditResult:
    audit: Audit
    template: AuditTemplate
    score: scoring.AuditScore
    flags: list[scoring.FiredFlag]
    recommendations: list[scoring.Recommendation]
    previous: Audit | None
    deltas: list[scoring.Delta]
    radar_svg: str
    bars_svg: str
    # The bars drawn for a phone's column (about 300 px), where the wide drawing would be shrunk
    # and its 12 px labels with it; the page shows one or the other by its width. (No radar
    # for a phone: at that width its labels collide. The bars hold the same figures.)
    bars_narrow_svg: str


def _values(answers: Mapping[str, AuditAnswer]) -> dict[str, scoring.Answer]:
    return {question: answer.value for question, answer in answers.items()}


RADAR_TITLE = "Readiness by dimension (0 to 100)"
BARS_TITLE = "Score by dimension (0 to 100)"


def audit_result(*, audit: Audit, answers: Mapping[str, AuditAnswer] | None = None) -> AuditResult:
    """Scores, red flags, recommendations, the comparison with the engagement's previous
    locked audit, and the charts: all computed from the stored answers."""
    template = audit.template_version.parsed()
    answers = answers if answers is not None else answers_of(audit)
    current = scoring.score(template, _values(answers))
    previous = (
        Audit.objects.filter(
            engagement_id=audit.engagement_id, number__lt=audit.number, status=Audit.Status.LOCKED
        )
        .with_template()
        .order_by("-number")
        .first()
    )
    before = (
        scoring.score(
            previous.template_version.parsed(),
            {a.question: a.value for a in previous.answers.all()},
        )
        if previous
        else None
    )
    axes = [d.dimension.title for d in current.dimensions]
    series: list[Series] = []
    previous_values: Sequence[float | None] | None = None
    if before is not None:
        earlier = {d.dimension.id: d.score for d in before.dimensions}
        previous_values = [earlier.get(d.dimension.id) for d in current.dimensions]
        series.append(Series(f"Audit {previous.number}", previous_values, "series-previous"))  # type: ignore[union-attr]  # previous is set with before
    series.append(Series(f"Audit {audit.number}", [d.score for d in current.dimensions]))
    bars = [(d.dimension.title, d.score) for d in current.dimensions]
    return AuditResult(
        audit=audit,
        template=template,
        score=current,
        flags=scoring.red_flags(template, _values(answers), current, audit_intake_choices(audit)),
        recommendations=scoring.recommendations(template, current),
        previous=previous,
        deltas=scoring.compare(before, current) if before else [],
        radar_svg=radar_chart(axes, series, title=RADAR_TITLE),
        bars_svg=bar_chart(bars, title=BARS_TITLE, previous=previous_values),
        bars_narrow_svg=bar_chart(
            bars, title=BARS_TITLE, previous=previous_values, width=300, chart_id="bars-narrow"
        ),
    )


class QuietAudit(TypedDict):
    """What ``audits_quiet`` adds to each Audit."""

    quiet_since: datetime.datetime
    waiting_total: int
    answered: int


def audits_quiet(
    *, quiet_before: datetime.datetime, limit: int
) -> QuerySet[WithAnnotations[Audit, QuietAudit]]:
    """Open audits of working engagements with no answer since ``quiet_before``, the longest
    quiet first, at most ``limit``: one query. Quiet since the latest answer (kept on the audit
    by audit_answer_save) or, before the first, since it was opened: each carries
    ``quiet_since``, ``waiting_total`` (every such audit, shown or not) and ``answered`` (its
    answers, counted for the shown audits only)."""
    answers = AuditAnswer.objects.filter(audit=OuterRef("pk")).order_by().values("audit")
    return (
        Audit.objects.filter(status=Audit.Status.OPEN)
        .filter(engagement__stage__in=WORKING_STAGES)
        .select_related("engagement__organization", "engagement__lead")
        .only("number", *engagement_shown("engagement"))
        .annotate(quiet_since=Coalesce("last_answered_at", "created_at"))
        .filter(quiet_since__lt=quiet_before)
        .annotate(waiting_total=waiting_total())
        .annotate(answered=Coalesce(Subquery(answers.annotate(n=Count("*")).values("n")), 0))
        .order_by("quiet_since", "id")[:limit]
    )
