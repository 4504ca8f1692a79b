"""What needs an operator's attention: overdue checklist items, audits waiting on the client,
failed reports, quotes about to expire, stale leads. Each app's selectors find its own waiting
rows (one query per kind, whatever the numbers); this module sets the thresholds, puts each row
into words and a link, and groups them for the dashboard."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.urls import reverse
from django.utils import timezone

from cto.audits.selectors import audits_quiet
from cto.checklists.selectors import checklists_overdue
from cto.engagements.models import Engagement
from cto.engagements.selectors import leads_stale
from cto.engagements.stages import RESTING_STAGES
from cto.pricing.selectors import quotes_expiring
from cto.reports.selectors import reports_failed

__all__ = ["RESTING_STAGES"]  # the dashboard's tests read it from here, as before

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
    """One entry per engagement, naming its oldest overdue item, the longest overdue first."""
    checklists = checklists_overdue(today=today, limit=ATTENTION_SHOWN)
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
                kind_total=checklist.waiting_total,
            )
        )
    return found


def _audits_waiting(today: datetime.date) -> list[AttentionItem]:
    quiet_before = _quiet_since(today=today, days=AUDIT_QUIET_DAYS)
    audits = audits_quiet(quiet_before=quiet_before, limit=ATTENTION_SHOWN)
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
                kind_total=audit.waiting_total,
            )
        )
    return found


def _failed_reports() -> list[AttentionItem]:
    """Failed reports that no later version of the same kind has replaced."""
    reports = reports_failed(limit=ATTENTION_SHOWN)
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
                kind_total=report.waiting_total,
            )
        )
    return found


def _quotes_expiring(today: datetime.date) -> list[AttentionItem]:
    horizon = today + datetime.timedelta(days=QUOTE_EXPIRY_WARNING_DAYS)
    quotes = quotes_expiring(by=horizon, limit=ATTENTION_SHOWN)
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
                kind_total=quote.waiting_total,
            )
        )
    return found


def _stale_leads(today: datetime.date) -> list[AttentionItem]:
    quiet_before = _quiet_since(today=today, days=STALE_LEAD_DAYS)
    leads = leads_stale(quiet_before=quiet_before, limit=ATTENTION_SHOWN)
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
                kind_total=engagement.waiting_total,
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
