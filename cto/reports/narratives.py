"""The service of the operator's report text: saving what the practice writes for one kind of
report on one engagement. (Apart from services.py, which is about report versions; the text
lives on between versions, and each version requested afterwards freezes it.)"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import activity_record
from cto.reports.models import Report, ReportNarrative
from cto.users.models import User

# Long enough for a consultant's page per part, short enough that the report stays a report.
TEXT_MAX = 12_000
STEPS_MAX = 20


class StaleNarrativeError(ValidationError):
    """Someone saved the text since the caller opened it: saving would overwrite their words."""


@dataclass(frozen=True)
class NextStep:
    action: str
    owner: str
    due: datetime.date


def _check(kind: str, texts: dict[str, str], next_steps: list[NextStep]) -> None:
    if kind not in Report.Kind.values:
        raise ValidationError(f"There is no report of the kind “{kind[:40]}”.")
    for name, text in texts.items():
        if len(text) > TEXT_MAX:
            raise ValidationError(
                f"The {name} is {len(text):,} characters long; a report takes at most "
                f"{TEXT_MAX:,} per part."
            )
    if len(next_steps) > STEPS_MAX:
        raise ValidationError(f"A report lists at most {STEPS_MAX} next steps.")
    for step in next_steps:
        if not (step.action.strip() and step.owner.strip()):
            raise ValidationError("Each next step needs what is to be done and who owns it.")


@transaction.atomic
def narrative_save(
    *,
    engagement: Engagement,
    kind: str,
    summary: str,
    findings: str,
    risks: str,
    next_steps: list[NextStep],
    expected_version: int | None,
    by: User,
) -> ReportNarrative:
    """Save the practice's text for the engagement's reports of ``kind`` and record it on the
    timeline. Refused with a message, nothing written, when it is too long or a next step
    lacks its action or owner; refused as stale (StaleNarrativeError) when someone saved it
    since the caller read ``expected_version`` (None: the caller saw no text saved yet).
    Versions already requested keep the text they froze."""
    texts = {"summary": summary.strip(), "findings": findings.strip(), "risks": risks.strip()}
    _check(kind, texts, next_steps)
    # The engagement's row lock orders the first save of two operators, who would otherwise
    # both find no text and both create it.
    Engagement.objects.select_for_update().get(pk=engagement.pk)
    narrative = ReportNarrative.objects.filter(engagement=engagement, kind=kind).first()
    if narrative is None:
        narrative = ReportNarrative(engagement=engagement, kind=kind)
    if (narrative.version or None) != expected_version:
        raise StaleNarrativeError(
            "Someone saved this report's text since you opened it. Reload the page to see "
            "their words, then make your change again.",
            code="stale",
        )
    narrative.summary, narrative.findings, narrative.risks = (
        texts["summary"],
        texts["findings"],
        texts["risks"],
    )
    narrative.next_steps = [
        {"action": step.action.strip(), "owner": step.owner.strip(), "due": step.due.isoformat()}
        for step in next_steps
    ]
    narrative.updated_by = by
    narrative.version += 1
    narrative.full_clean()
    narrative.save()
    activity_record(
        engagement=engagement,
        actor=by,
        verb=ActivityEvent.Verb.REPORT_CHANGED,
        target=narrative,
        data={"change": f"text of the {Report.Kind(kind).label.lower()} saved"},
    )
    return narrative
