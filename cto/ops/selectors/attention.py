"""What needs an operator's attention: overdue checklist items, audits waiting on the client,
failed reports, quotes about to expire, stale leads. One query per kind, whatever the numbers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Exists, Max, OuterRef
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from cto.audits.models import Audit
from cto.checklists.models import ChecklistItem
from cto.checklists.selectors import due_this_week
from cto.engagements.models import Engagement
from cto.engagements.stages import Stage
from cto.pricing.models import Quote
from cto.reports.models import Report

# --- What needs attention ------------------------------------------------------------------------

# Stages where no work is expected, so nothing there needs an operator: a lost lead's old quote,
# a paused client's checklist, a completed engagement's leftovers.
RESTING_STAGES = (Stage.COMPLETED.value, Stage.LOST.value, Stage.PAUSED.value)
# The intake's thank-you page promises a reply "within two working days". A lead untouched for
# two calendar days is flagged on or before the day that promise runs out, weekends included.
STALE_LEAD_DAYS = 2
# An open audit is the client's homework. A day or two of quiet is normal; three days without a
# single new answer usually means they are stuck or have forgotten it, and a nudge helps.
AUDIT_QUIET_DAYS = 3
# A week's notice leaves time to call the client before a sent quote lapses (quotes are valid
# for 30 days). Quotes already expired but still unanswered stay on the list until someone
# revises them or the engagement is closed.
QUOTE_EXPIRY_WARNING_DAYS = 7


class AttentionKind(models.TextChoices):
    OVERDUE_ITEMS = "overdue_items", "Overdue checklist items"
    AUDIT_WAITING = "audit_waiting", "Audits waiting on the client"
    REPORT_FAILED = "report_failed", "Failed reports"
    QUOTE_EXPIRING = "quote_expiring", "Quotes about to expire"
    STALE_LEAD = "stale_lead", "Stale leads"


EMPTY_STATES = {
    AttentionKind.OVERDUE_ITEMS: "No overdue checklist items.",
    AttentionKind.AUDIT_WAITING: "No audit is waiting on a client.",
    AttentionKind.REPORT_FAILED: "No failed reports.",
    AttentionKind.QUOTE_EXPIRING: "No quote expires in the next week.",
    AttentionKind.STALE_LEAD: "No stale leads.",
}


@dataclass(frozen=True)
class AttentionItem:
    kind: AttentionKind
    engagement: Engagement
    reason: str  # one sentence: why it needs attention
    url: str
    link_text: str
    since: datetime.date  # how long it has been waiting: the oldest comes first


@dataclass(frozen=True)
class AttentionGroup:
    kind: AttentionKind
    items: list[AttentionItem]

    @property
    def empty_state(self) -> str:
        return EMPTY_STATES[self.kind]


def _day(date: datetime.date) -> str:
    return f"{date:%a} {date.day} {date:%b}"


def _ago(days: int) -> str:
    return {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _start_of(date: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``date`` in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


def _quiet_since(*, today: datetime.date, days: int) -> datetime.datetime:
    """Before this moment means "nothing on the last ``days`` calendar days"."""
    return _start_of(today - datetime.timedelta(days=days - 1))


def _overdue_items(today: datetime.date) -> list[AttentionItem]:
    """One entry per engagement, naming its oldest overdue item (an item due today is not
    overdue yet). Reuses the checklists' own due-date rule through ``due_this_week``."""
    by_engagement: dict[int, list[tuple[ChecklistItem, datetime.date]]] = {}
    for item in due_this_week(today=today):
        due = item.due_date()
        engagement = item.checklist.engagement
        if due is not None and due < today and engagement.stage not in RESTING_STAGES:
            by_engagement.setdefault(engagement.pk, []).append((item, due))
    found = []
    for items in by_engagement.values():
        oldest, due = items[0]  # due_this_week lists the soonest due first
        when = f"was due {_day(due)} ({_ago((today - due).days)})"
        reason = (
            f"“{oldest.title}” {when}."
            if len(items) == 1
            else f"{len(items)} checklist items are overdue; the oldest, “{oldest.title}”, {when}."
        )
        engagement = oldest.checklist.engagement
        found.append(
            AttentionItem(
                kind=AttentionKind.OVERDUE_ITEMS,
                engagement=engagement,
                reason=reason,
                url=reverse("checklists:detail", args=[engagement.pk]) + "?filter=overdue",
                link_text="Open the overdue items",
                since=due,
            )
        )
    return found


def _audits_waiting(today: datetime.date) -> list[AttentionItem]:
    audits = (
        Audit.objects.filter(status=Audit.Status.OPEN)
        .exclude(engagement__stage__in=RESTING_STAGES)
        .select_related("engagement__organization", "engagement__lead")
        .annotate(answered=Count("answers"), last_answer=Max("answers__updated_at"))
        .annotate(quiet_since=Coalesce("last_answer", "created_at"))
        .filter(quiet_since__lt=_quiet_since(today=today, days=AUDIT_QUIET_DAYS))
        .order_by("quiet_since")
    )
    found = []
    for audit in audits:
        quiet = _local_date(audit.quiet_since)
        ago = _ago((today - quiet).days)
        reason = (
            f"Audit {audit.number} has no answer yet; it was opened {_day(quiet)} ({ago})."
            if not audit.answered
            else f"Audit {audit.number} has {audit.answered} "
            f"answer{'s' if audit.answered != 1 else ''} and none since {_day(quiet)} ({ago})."
        )
        found.append(
            AttentionItem(
                kind=AttentionKind.AUDIT_WAITING,
                engagement=audit.engagement,
                reason=reason,
                url=audit.get_absolute_url(),
                link_text="Open the audit",
                since=quiet,
            )
        )
    return found


def _failed_reports() -> list[AttentionItem]:
    """Failed reports that no later version of the same kind has replaced."""
    newer = Report.objects.filter(
        engagement=OuterRef("engagement"), kind=OuterRef("kind"), number__gt=OuterRef("number")
    )
    reports = (
        Report.objects.filter(status=Report.Status.FAILED)
        .exclude(engagement__stage__in=RESTING_STAGES)
        .exclude(Exists(newer))
        .select_related("engagement__organization", "engagement__lead")
        .defer("snapshot")
        .order_by("updated_at")
    )
    found = []
    for report in reports:
        error = report.error.strip().splitlines()[0][:160] if report.error.strip() else ""
        attempts = f"{report.attempts} attempt{'s' if report.attempts != 1 else ''}"
        reason = f"{report.get_kind_display()} v{report.number} failed after {attempts}"
        found.append(
            AttentionItem(
                kind=AttentionKind.REPORT_FAILED,
                engagement=report.engagement,
                reason=f"{reason}: {error}" if error else f"{reason}.",
                url=report.engagement.get_absolute_url() + "#reports-heading",
                link_text="See its reports",
                since=_local_date(report.updated_at),
            )
        )
    return found


def _quotes_expiring(today: datetime.date) -> list[AttentionItem]:
    horizon = today + datetime.timedelta(days=QUOTE_EXPIRY_WARNING_DAYS)
    quotes = (
        Quote.objects.filter(status=Quote.Status.SENT, valid_until__lte=horizon)
        .exclude(engagement__stage__in=RESTING_STAGES)
        .select_related("engagement__organization", "engagement__lead")
        .order_by("valid_until", "id")
    )
    found = []
    for quote in quotes:
        days = (quote.valid_until - today).days
        name = f"Quote {quote.number}.{quote.revision}"
        on = _day(quote.valid_until)
        if days < 0:
            reason = (
                f"{name} expired {on} ({_ago(-days)}) without an answer: "
                "revise it or mark the engagement lost."
            )
        else:
            when = {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")
            reason = f"{name} expires {when} ({on}) and has no answer yet."
        found.append(
            AttentionItem(
                kind=AttentionKind.QUOTE_EXPIRING,
                engagement=quote.engagement,
                reason=reason,
                url=quote.get_absolute_url(),
                link_text="Open the quote",
                since=quote.valid_until,
            )
        )
    return found


def _stale_leads(today: datetime.date) -> list[AttentionItem]:
    leads = (
        Engagement.objects.filter(stage=Stage.LEAD)
        .select_related("organization", "lead")
        .annotate(last_activity=Coalesce(Max("events__created_at"), "created_at"))
        .filter(last_activity__lt=_quiet_since(today=today, days=STALE_LEAD_DAYS))
        .order_by("last_activity")
    )
    found = []
    for engagement in leads:
        last = _local_date(engagement.last_activity)
        days = (today - last).days
        found.append(
            AttentionItem(
                kind=AttentionKind.STALE_LEAD,
                engagement=engagement,
                reason=(
                    f"No activity for {days} days (the last on {_day(last)}); "
                    "the intake promised a reply within two working days."
                ),
                url=engagement.get_absolute_url(),
                link_text="Open the engagement",
                since=last,
            )
        )
    return found


def attention_list(*, today: datetime.date) -> list[AttentionItem]:
    """What needs an operator, by kind (in ``AttentionKind`` order), the longest waiting first.
    Six queries at most, however many engagements."""
    return [
        *_overdue_items(today),
        *_audits_waiting(today),
        *_failed_reports(),
        *_quotes_expiring(today),
        *_stale_leads(today),
    ]


def attention_groups(items: list[AttentionItem]) -> list[AttentionGroup]:
    """Every kind, in order, with its items: an empty group still shows (its empty state says
    all is well)."""
    return [
        AttentionGroup(kind=kind, items=[item for item in items if item.kind == kind])
        for kind in AttentionKind
    ]
