"""Reads of intake data: the prospect's own response (by the token their cookie holds), what
the practice promises and offers once it is sent, and for operators the funnel of a tree
version."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Count, Q

from cto.brand.selectors import brand_current
from cto.intake import first_call
from cto.intake.models import IntakeResponse, IntakeVisit, TreeVersion


def intake_response_by_token(token: str | None) -> IntakeResponse | None:
    """The response whose token this is (the prospect's cookie holds it), with its tree version."""
    if not token:
        return None
    return IntakeResponse.objects.with_version().filter(token=token).first()


def intake_call_policy() -> first_call.CallPolicy:
    """The INTAKE_* settings of the reply and the first call, parsed (ValueError when one does
    not: the app checks them when it starts)."""
    return first_call.call_policy(
        time_zone=settings.INTAKE_TIME_ZONE,
        working_days=settings.INTAKE_WORKING_DAYS,
        hours=settings.INTAKE_CALL_HOURS,
        days=settings.INTAKE_CALL_DAYS,
        minutes=settings.INTAKE_CALL_MINUTES,
        reply_days=settings.INTAKE_REPLY_WORKING_DAYS,
    )


@dataclass(frozen=True)
class NextStep:
    """What happens after the intake is sent, as the thanks and result pages say it."""

    practice: str  # the practice's name: who reads the answers
    reply_days: int
    reply_by: datetime.date  # in the practice's calendar
    booking_url: str  # the practice's scheduling page, or ""
    slots: list[first_call.Slot]  # empty unless this browser holds the sent response
    time_zone: str


def intake_next_step(*, response: IntakeResponse | None, now: datetime.datetime) -> NextStep:
    """The reply due for ``response`` (sent; None: a visitor whose answers this browser does
    not hold, who is told the same promise from ``now``), and the call slots its holder may
    pick from."""
    policy = intake_call_policy()
    sent_at = (
        response.submitted_at
        if response is not None and response.status == IntakeResponse.Status.SUBMITTED
        else None
    )
    brand = brand_current()
    return NextStep(
        practice=brand.name,
        reply_days=policy.reply_days,
        reply_by=first_call.reply_by(sent_at or now, policy),
        booking_url=brand.booking_url,
        slots=first_call.call_slots(now, policy) if sent_at else [],
        time_zone=str(policy.time_zone),
    )


def intake_call_invitation(
    *, response: IntakeResponse, slot: first_call.Slot, stamp: datetime.datetime
) -> bytes:
    """The .ics file of the first call ``response``'s prospect asked for at ``slot``: organised
    by the practice (its contact address, else the sender's), the same file every time."""
    brand = brand_current()
    outcome = response.walk().outcome
    recommended = f" ({outcome.title})" if outcome else ""
    return first_call.invitation(
        slot=slot,
        uid=first_call.invitation_uid(
            site_url=settings.SITE_URL, response_id=response.pk, slot=slot
        ),
        stamp=stamp,
        organizer_email=brand.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        organizer_name=brand.name,
        summary=f"First call with {brand.name}",
        description=(
            f"A first call with {brand.name} about your answers and our recommendation"
            f"{recommended}. This time is a request: we confirm it by email to "
            f"{response.contact_email}, with how we will call you."
        ),
    )


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
