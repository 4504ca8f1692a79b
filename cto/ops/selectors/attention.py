"""What needs an operator's attention: overdue checklist items, audits waiting on the client,
failed reports, quotes about to expire, stale leads. One query per kind, whatever the numbers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from cto.audits.models import Audit, AuditAnswer
from cto.checklists.models import Checklist, ChecklistItem, due_date_expression
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.stages import RESTING_STAGES, WORKING_STAGES, Stage
from cto.pricing.models import Quote
from cto.reports.models import Report

# --- What needs attention ------------------------------------------------------------------------

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
# Of each kind, the longest waiting: enough to act on today; the group says how many more wait.
# Without a cap a practice's few thousand stale leads made the dashboard take seconds.
ATTENTION_SHOWN = 10


# What the list shows of an engagement. The queries read no more: each counts every waiting row
# in a window, and at a practice's size narrow rows make those windows markedly cheaper.
SHOWN_OF_ENGAGEMENT = ("title", "organization__name", "lead__name", "lead__email")


def _shown_of(path: str) -> list[str]:
    return [f"{path}__{field}" for field in SHOWN_OF_ENGAGEMENT]


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
    kind_total: int = 1  # how many of its kind wait, shown or not (at most ATTENTION_SHOWN are)


@dataclass(frozen=True)
class AttentionGroup:
    kind: AttentionKind
    items: list[AttentionItem]  # the longest waiting, at most ATTENTION_SHOWN
    total: int = 0  # every one of the kind

    @property
    def empty_state(self) -> str:
        return EMPTY_STATES[self.kind]

    @property
    def more(self) -> int:
        """How many the group does not show."""
        return max(0, self.total - len(self.items))


def _waiting_total() -> Window:
    """How many rows the query finds before its LIMIT, in the same query."""
    return Window(Count("*"))


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
    overdue yet), the longest overdue first, each knowing how many engagements have overdue
    items: one query. It reads checklists, not items: each keeps the due day of its earliest
    open item (``Checklist.earliest_open_day``), and only the few with one are indexed. The
    oldest item's title and the count of overdue items are read for the shown ones only."""
    start = F("engagement__start_date")
    open_items = ChecklistItem.objects.open().filter(checklist=OuterRef("pk")).order_by()
    overdue_of_checklist = open_items.annotate(
        due=due_date_expression(OuterRef("engagement__start_date"), F("due_day"))
    ).filter(due__lt=today)
    checklists = (
        Checklist.objects.filter(earliest_open_day__isnull=False)
        .filter(engagement__stage__in=WORKING_STAGES, engagement__start_date__isnull=False)
        .annotate(oldest_due=due_date_expression(start, F("earliest_open_day")))
        .filter(oldest_due__lt=today)
        .select_related("engagement__organization", "engagement__lead")
        .only("engagement_id", *_shown_of("engagement"))
        .annotate(kind_total=_waiting_total())
        .annotate(
            overdue_count=Subquery(
                overdue_of_checklist.values("checklist").annotate(n=Count("*")).values("n")
            ),
            oldest_title=Subquery(
                open_items.order_by("due_day", "position", "id").values("title")[:1]
            ),
        )
        .order_by("oldest_due", "engagement__title", "id")[:ATTENTION_SHOWN]
    )
    found = []
    for checklist in checklists:
        due = checklist.oldest_due
        when = f"was due {_day(due)} ({_ago((today - due).days)})"
        reason = (
            f"“{checklist.oldest_title}” {when}."
            if checklist.overdue_count == 1
            else f"{checklist.overdue_count} checklist items are overdue; the oldest, "
            f"“{checklist.oldest_title}”, {when}."
        )
        engagement = checklist.engagement
        found.append(
            AttentionItem(
                kind=AttentionKind.OVERDUE_ITEMS,
                engagement=engagement,
                reason=reason,
                url=reverse("checklists:detail", args=[engagement.pk]) + "?filter=overdue",
                link_text="Open the overdue items",
                since=due,
                kind_total=checklist.kind_total,
            )
        )
    return found


def _audits_waiting(today: datetime.date) -> list[AttentionItem]:
    # Quiet since the latest answer (kept on the audit by audit_answer_save) or, before the
    # first, since it was opened; the answers are counted for the shown audits only.
    answers = AuditAnswer.objects.filter(audit=OuterRef("pk")).order_by().values("audit")
    audits = (
        Audit.objects.filter(status=Audit.Status.OPEN)
        .filter(engagement__stage__in=WORKING_STAGES)
        .select_related("engagement__organization", "engagement__lead")
        .only("number", *_shown_of("engagement"))
        .annotate(quiet_since=Coalesce("last_answered_at", "created_at"))
        .filter(quiet_since__lt=_quiet_since(today=today, days=AUDIT_QUIET_DAYS))
        .annotate(kind_total=_waiting_total())
        .annotate(answered=Coalesce(Subquery(answers.annotate(n=Count("*")).values("n")), 0))
        .order_by("quiet_since", "id")[:ATTENTION_SHOWN]
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
                kind_total=audit.kind_total,
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
        .annotate(kind_total=_waiting_total())
        .order_by("updated_at", "id")[:ATTENTION_SHOWN]
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
                kind_total=report.kind_total,
            )
        )
    return found


def _quotes_expiring(today: datetime.date) -> list[AttentionItem]:
    horizon = today + datetime.timedelta(days=QUOTE_EXPIRY_WARNING_DAYS)
    quotes = (
        Quote.objects.filter(status=Quote.Status.SENT, valid_until__lte=horizon)
        .exclude(engagement__stage__in=RESTING_STAGES)
        .select_related("engagement__organization", "engagement__lead")
        .annotate(kind_total=_waiting_total())
        .order_by("valid_until", "id")[:ATTENTION_SHOWN]
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
                kind_total=quote.kind_total,
            )
        )
    return found


def _stale_leads(today: datetime.date) -> list[AttentionItem]:
    latest_event = (
        ActivityEvent.objects.filter(engagement=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    leads = (
        Engagement.objects.filter(stage=Stage.LEAD)
        .select_related("organization", "lead")
        .only(*SHOWN_OF_ENGAGEMENT)
        # The newest event by the index event_engagement_recent, one lookup per lead.
        .annotate(last_activity=Coalesce(Subquery(latest_event), "created_at"))
        .filter(last_activity__lt=_quiet_since(today=today, days=STALE_LEAD_DAYS))
        .annotate(kind_total=_waiting_total())
        .order_by("last_activity", "id")[:ATTENTION_SHOWN]
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
                kind_total=engagement.kind_total,
            )
        )
    return found


def attention_list(*, today: datetime.date) -> list[AttentionItem]:
    """What needs an operator, by kind (in ``AttentionKind`` order), the longest waiting first,
    at most ``ATTENTION_SHOWN`` of each (each item knows how many of its kind wait). Five
    queries, however many engagements."""
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
    groups = []
    for kind in AttentionKind:
        shown = [item for item in items if item.kind == kind]
        total = max(len(shown), max((item.kind_total for item in shown), default=0))
        groups.append(AttentionGroup(kind=kind, items=shown, total=total))
    return groups
