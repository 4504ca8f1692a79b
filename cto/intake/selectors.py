"""Reads of intake data: the prospect's own response (by the token their cookie holds), and
for operators the funnel of a tree version."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from cto.intake.models import IntakeResponse, IntakeVisit, TreeVersion


def intake_response_by_token(token: str | None) -> IntakeResponse | None:
    """The response whose token this is (the prospect's cookie holds it), with its tree version."""
    if not token:
        return None
    return IntakeResponse.objects.with_version().filter(token=token).first()


@dataclass(frozen=True)
class FunnelRow:
    node: str
    label: str
    reached: int


@dataclass(frozen=True)
class Funnel:
    started: int
    completed: int
    submitted: int
    questions: list[FunnelRow]  # in the tree's authored order
    outcomes: list[FunnelRow]
    median_time_to_complete: datetime.timedelta | None


def intake_funnel(*, version: TreeVersion) -> Funnel:
    """How far responses on ``version`` got: started, reached each question, completed (an
    outcome shown), submitted (a lead), split by outcome, and the median time to complete."""
    tree = version.parsed()
    responses = IntakeResponse.objects.filter(tree_version=version)
    counts = responses.aggregate(
        started=Count("id"),
        completed=Count("id", filter=Q(completed_at__isnull=False)),
        submitted=Count("id", filter=Q(status=IntakeResponse.Status.SUBMITTED)),
    )
    reached = dict(
        IntakeVisit.objects.filter(response__tree_version=version)
        .values_list("node")
        .annotate(n=Count("id"))
        .values_list("node", "n")
    )
    durations = sorted(
        completed - started
        for started, completed in responses.exclude(completed_at=None).values_list(
            "started_at", "completed_at"
        )
        if completed is not None
    )
    return Funnel(
        started=counts["started"],
        completed=counts["completed"],
        submitted=counts["submitted"],
        questions=[
            FunnelRow(node_id, question.prompt, reached.get(node_id, 0))
            for node_id, question in tree.questions.items()
        ],
        outcomes=[
            FunnelRow(node_id, outcome.title, reached.get(node_id, 0))
            for node_id, outcome in tree.outcomes.items()
        ],
        median_time_to_complete=_median(durations),
    )


def _median(ordered: list[datetime.timedelta]) -> datetime.timedelta | None:
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def intake_choices(response: IntakeResponse | None) -> dict[str, list[str]]:
    """What a response chose on the path it took: node id → choice ids (empty without one).
    The facts the playbooks' rules read (audit red flags, AI plan proposals, pricing drivers)."""
    if response is None:
        return {}
    return {
        step.question.id: list(step.answer.get("choices", [])) for step in response.walk().steps
    }
