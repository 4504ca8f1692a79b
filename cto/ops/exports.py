"""CSV exports for operators: leads, engagements, audit results and checklist items.

Each export is a header and a stream of rows read with ``iterator()``, so a large table is
never held in memory, in a fixed number of queries whatever the number of rows. Cells are
written for a spreadsheet: text that a spreadsheet would run as a formula is neutralised
(``neutralise``), dates are ISO, and the file opens with a byte-order mark so that Excel reads
it as UTF-8 (accents in names and companies) rather than in the machine's legacy code page.

Operators see every organisation's rows: the views that serve these are staff only.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db.models import Count
from django.utils import timezone

from cto.audits import scoring
from cto.audits.models import Audit, AuditAnswer, AuditTemplateVersion
from cto.checklists.models import ChecklistItem
from cto.engagements.models import Engagement
from cto.intake.models import IntakeResponse, TreeVersion

BOM = "\ufeff"
# What a spreadsheet takes as the start of a formula (OWASP, "CSV Injection"): = + - @, and a
# tab or carriage return, which some spreadsheets strip before reading the rest.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | bool | datetime.date | None


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet shows it and never runs it: a cell that begins like a formula
    ("=HYPERLINK(...)", typed by a prospect as their company) gets a leading single quote, which
    makes a spreadsheet read the cell as text."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def cell(value: Cell) -> str | int | float | Decimal:
    """One value as written to the file. Numbers we compute stay numbers (a negative number is
    not a formula); every text, whoever typed it, is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))


class _Line:
    """A file-like object whose write returns what it was given: csv.writer formats one row,
    and the stream yields it instead of buffering the file."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """The file, line by line: the byte-order mark with the header, then each row."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


@dataclass(frozen=True)
class Export:
    key: str  # in the URL and the file name
    title: str
    about: str  # what a row is, said on the dashboard
    header: tuple[str, ...]
    rows: Callable[[], Iterator[Sequence[Cell]]]

    def filename(self, today: datetime.date) -> str:
        return f"cto-{self.key}-{today.isoformat()}.csv"

    def lines(self) -> Iterator[str]:
        return csv_lines(self.header, self.rows())


def _person(user: Any) -> str:
    return str(user) if user is not None else ""


# --- Leads -------------------------------------------------------------------------------------


def lead_rows() -> Iterator[Sequence[Cell]]:
    """Every submitted intake, newest first, with the engagement it became and where that
    stands now. Two queries: the decision-tree versions the intakes were answered on (for the
    outcome's title), and the intakes."""
    submitted = IntakeResponse.objects.filter(status=IntakeResponse.Status.SUBMITTED)
    versions = TreeVersion.objects.filter(pk__in=submitted.values("tree_version"))
    outcomes = {
        version.pk: {key: outcome.title for key, outcome in version.parsed().outcomes.items()}
        for version in versions
    }
    responses = (
        submitted.select_related("engagement__organization", "engagement__lead")
        .order_by("-submitted_at", "-id")
        .iterator()
    )
    for response in responses:
        engagement = response.engagement
        yield (
            response.submitted_at,
            response.company,
            response.contact_name,
            response.contact_email,
            response.role,
            outcomes.get(response.tree_version_id, {}).get(response.outcome, response.outcome),
            response.contact_proven_at,
            response.contact_dismissed_at,
            engagement.title if engagement else None,
            engagement.organization.name if engagement else None,
            engagement.get_stage_display() if engagement else None,
            _person(engagement.lead) if engagement else None,
        )


LEADS = Export(
    key="leads",
    title="Leads",
    about="one row per submitted intake, with the engagement it became",
    header=(
        "Submitted",
        "Company",
        "Contact name",
        "Contact email",
        "Role",
        "Recommended",
        "Address proved",
        "Dismissed by the address's owner",
        "Engagement",
        "Organisation",
        "Stage",
        "Lead operator",
    ),
    rows=lead_rows,
)


# --- Engagements -------------------------------------------------------------------------------


def engagement_rows() -> Iterator[Sequence[Cell]]:
    """Every engagement, by organisation and title: one query."""
    engagements = (
        Engagement.objects.select_related("organization", "lead", "contact", "intake_response")
        .order_by("organization__name", "title", "id")
        .iterator()
    )
    for engagement in engagements:
        yield (
            engagement.pk,
            engagement.organization.name,
            engagement.title,
            engagement.get_kind_display(),
            engagement.get_stage_display(),
            engagement.get_paused_from_display() if engagement.paused_from else None,
            _person(engagement.lead),
            _person(engagement.contact),
            engagement.contact.email if engagement.contact else None,
            hasattr(engagement, "intake_response"),
            engagement.start_date,
            engagement.created_at,
            engagement.stage_changed_at,
        )


ENGAGEMENTS = Export(
    key="engagements",
    title="Engagements",
    about="one row per engagement",
    header=(
        "Id",
        "Organisation",
        "Title",
        "Kind",
        "Stage",
        "Paused from",
        "Lead operator",
        "Client contact",
        "Contact email",
        "From the intake",
        "Start date",
        "Created",
        "Stage changed",
    ),
    rows=engagement_rows,
)


# --- Audit results -----------------------------------------------------------------------------


def audit_rows() -> Iterator[Sequence[Cell]]:
    """One row per audit and dimension, scored by the same pure function as the result page.

    Three queries: the template versions in use, the audits in id order, and every answer in
    audit order; the two streams are walked side by side, so each audit's answers are at hand
    when it is scored without a query per audit."""
    versions = AuditTemplateVersion.objects.filter(pk__in=Audit.objects.values("template_version"))
    templates = {version.pk: version.parsed() for version in versions}
    audits = Audit.objects.select_related("engagement__organization").order_by("id").iterator()
    answers = (
        AuditAnswer.objects.order_by("audit_id")
        .values_list("audit_id", "question", "level", "not_applicable")
        .iterator()
    )
    by_audit = groupby(answers, key=itemgetter(0))
    pending = next(by_audit, None)
    for audit in audits:
        values: dict[str, scoring.Answer] = {}
        # Every answer belongs to an audit (a cascading key), so the streams meet at each id.
        while pending is not None and pending[0] < audit.pk:
            pending = next(by_audit, None)
        if pending is not None and pending[0] == audit.pk:
            for _, question, level, not_applicable in pending[1]:
                # As AuditAnswer.value reads a saved answer.
                values[question] = scoring.NOT_APPLICABLE if not_applicable else int(level or 0)
            pending = next(by_audit, None)
        result = scoring.score(templates[audit.template_version_id], values)
        for dimension in result.dimensions:
            tally = dimension.tally
            yield (
                audit.engagement.organization.name,
                audit.engagement.title,
                audit.number,
                audit.get_status_display(),
                audit.created_at,
                audit.locked_at,
                dimension.dimension.title,
                dimension.score,
                tally.answered,
                tally.not_applicable,
                tally.skipped,
                result.overall,
                result.band.label if result.band else None,
            )


AUDITS = Export(
    key="audit-results",
    title="Audit results",
    about="one row per audit and dimension, with its score out of 100",
    header=(
        "Organisation",
        "Engagement",
        "Audit",
        "Status",
        "Opened",
        "Locked",
        "Dimension",
        "Dimension score",
        "Questions answered",
        "Not applicable",
        "Unanswered",
        "Overall score",
        "Band",
    ),
    rows=audit_rows,
)


# --- Checklists --------------------------------------------------------------------------------


def checklist_rows() -> Iterator[Sequence[Cell]]:
    """One row per checklist item, in each engagement's checklist order: one query (the
    evidence counted in it)."""
    items = (
        ChecklistItem.objects.select_related(
            "checklist__engagement__organization", "owner", "done_by"
        )
        .annotate(evidence_count=Count("evidence"))
        .order_by("checklist__engagement__organization__name", "checklist_id", "position", "id")
        .iterator()
    )
    for item in items:
        engagement = item.checklist.engagement
        yield (
            engagement.organization.name,
            engagement.title,
            item.section,
            item.title,
            item.get_owner_side_display(),
            _person(item.owner),
            item.due_date(),
            item.get_status_display() if item.dropped_at is None else "Dropped",
            item.dropped_at is None and item.is_overdue,
            item.evidence_count,
            item.done_at,
            _person(item.done_by),
            item.dropped_reason if item.dropped_at else item.status_reason,
        )


CHECKLISTS = Export(
    key="checklists",
    title="Checklists",
    about="one row per checklist item, with its owner, due date, status and evidence",
    header=(
        "Organisation",
        "Engagement",
        "Section",
        "Item",
        "Side",
        "Owner",
        "Due",
        "Status",
        "Overdue",
        "Evidence",
        "Done",
        "Done by",
        "Reason",
    ),
    rows=checklist_rows,
)


EXPORTS = {export.key: export for export in (LEADS, ENGAGEMENTS, AUDITS, CHECKLISTS)}
