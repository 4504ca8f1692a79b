"""Every write of the readiness audits: templates, opening, answering, locking."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cto.audits.models import Audit, AuditAnswer, AuditTemplateVersion
from cto.core.versioning import content_version_create, content_version_publish
from cto.engagements.models import ActivityEvent, Engagement
from cto.engagements.services import (
    TransitionError,
    activity_record,
    engagement_transition,
    event_notify_later,
)
from cto.engagements.stages import Stage, allowed_targets
from cto.users.models import User

TEMPLATE_SLUG = "ai-readiness"
NOTE_MAX_LENGTH = 4000


class AuditError(ValidationError):
    """A refused audit action, with a message for the person acting."""


class StaleAnswerError(AuditError):
    """Someone saved this answer after the page was drawn; ``current`` is what is stored."""

    def __init__(self, message: str, *, current: AuditAnswer) -> None:
        super().__init__(message, code="stale")
        self.current = current


# --- Templates -------------------------------------------------------------------------------


@transaction.atomic
def audit_template_version_create(
    *, definition: Any, source_name: str = "", by: User | None
) -> tuple[AuditTemplateVersion, bool]:
    """Validate a template and store it as the next draft version (identical content: the
    existing version). Nothing is stored when it is invalid; every problem is listed."""
    return content_version_create(
        version_model=AuditTemplateVersion, definition=definition, source_name=source_name, by=by
    )


@transaction.atomic
def audit_template_version_publish(
    *, version: AuditTemplateVersion, by: User | None
) -> AuditTemplateVersion:
    """Publish a draft template: validated once more, then immutable and what new audits use."""
    return content_version_publish(version=version, by=by)[0]


# --- Audits ----------------------------------------------------------------------------------


def audit_open(*, engagement: Engagement, by: User) -> Audit:
    """Open a new audit of the engagement on the current template, and move the engagement to
    stage ``audit`` when its stage allows it. Records the opening on the timeline."""
    version = AuditTemplateVersion.objects.current(TEMPLATE_SLUG)
    if version is None:
        raise AuditError("No audit template is published yet. Load one first (load_audit).")
    with transaction.atomic():
        locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
        if locked.audits.filter(status=Audit.Status.OPEN).exists():
            raise AuditError("This engagement already has an open audit: finish and lock it first.")
        number = (locked.audits.aggregate(top=Max("number"))["top"] or 0) + 1
        audit = Audit.objects.create(
            engagement=locked, template_version=version, number=number, opened_by=by
        )
        opened = activity_record(
            engagement=locked,
            actor=by,
            verb=ActivityEvent.Verb.AUDIT_OPENED,
            target=audit,
            data={"number": number, "template": version.template.slug, "version": version.number},
        )
        event_notify_later(opened)  # invites the client's members to fill it in
    if Stage.AUDIT in allowed_targets(locked.stage, paused_from=locked.paused_from or None):
        # If someone moved the engagement meanwhile, the audit stands on its own.
        with contextlib.suppress(TransitionError):
            engagement_transition(engagement=locked, to=Stage.AUDIT, by=by)
    return audit


@dataclass(frozen=True)
class AnswerInput:
    question: str
    level: int | None  # 0..4, or None for not applicable
    note: str = ""
    evidence_url: str = ""


def clean_answer_input(audit: Audit, raw: AnswerInput) -> tuple[int | None, bool, str, str]:
    """(level, not_applicable, note, evidence_url), or AuditError with a message."""
    if raw.question not in audit.template_version.parsed().questions:
        raise AuditError("That question is not part of this audit.", code="unknown_question")
    if raw.level is None:
        level, not_applicable = None, True
    elif 0 <= raw.level <= 4:
        level, not_applicable = raw.level, False
    else:
        raise AuditError("Please choose a level from 0 to 4, or not applicable.", code="bad_level")
    note = raw.note.replace("\x00", "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise AuditError(
            f"Please keep the note under {NOTE_MAX_LENGTH} characters (it is {len(note)}).",
            code="long_note",
        )
    url = raw.evidence_url.strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as error:
            raise AuditError(
                "The evidence link must be a web address starting with https:// or http://.",
                code="bad_url",
            ) from error
        if len(url) > 500:
            raise AuditError("The evidence link is too long (500 characters at most).")
    return level, not_applicable, note, url


def audit_answer_save(
    *, audit: Audit, raw: AnswerInput, expected_version: int | None, by: User
) -> AuditAnswer:
    """Save one answer. ``expected_version`` is the version the page showed (None when it
    showed no answer yet); if someone saved since, nothing is written and StaleAnswerError
    carries the stored answer so the page can show both."""
    level, not_applicable, note, url = clean_answer_input(audit, raw)
    with transaction.atomic():
        locked_audit = Audit.objects.select_for_update().get(pk=audit.pk)
        if not locked_audit.is_open:
            raise AuditError(
                "This audit is locked: its answers can no longer change.", code="locked"
            )
        current = (
            AuditAnswer.objects.select_for_update(of=("self",))
            .select_related("answered_by")
            .filter(audit=audit, question=raw.question)
            .first()
        )
        seen = current.version if current else None
        if seen != expected_version:
            if current is None:  # the page claims a version that was never stored
                raise AuditError("This page is out of date. Please reload it.", code="stale")
            who = current.answered_by or "someone"
            raise StaleAnswerError(
                f"{who} changed this answer after you opened the page. Their answer is shown "
                "below; yours is kept in the form: save again to replace theirs.",
                current=current,
            )
        if current is None:
            current = AuditAnswer(audit=audit, question=raw.question, version=0)
        current.level, current.not_applicable = level, not_applicable
        current.note, current.evidence_url = note, url
        current.answered_by = by
        current.version += 1
        current.save()
        answered = current.updated_at
        Audit.objects.filter(pk=audit.pk).update(updated_at=answered, last_answered_at=answered)
    return current


def audit_lock(*, audit: Audit, by: User) -> Audit:
    """Lock a complete audit: its answers, and so its scores, never change again."""
    with transaction.atomic():
        locked = Audit.objects.select_for_update().get(pk=audit.pk)
        if not locked.is_open:
            return locked
        total = len(locked.template_version.parsed().questions)
        answered = locked.answers.count()
        if answered < total:
            raise AuditError(
                f"{total - answered} of {total} questions are still unanswered "
                "(answer them, or mark them not applicable, before locking).",
                code="incomplete",
            )
        locked.status = Audit.Status.LOCKED
        locked.locked_at = timezone.now()
        locked.locked_by = by
        locked.save(update_fields=["status", "locked_at", "locked_by", "updated_at"])
        activity_record(
            engagement=locked.engagement,
            actor=by,
            verb=ActivityEvent.Verb.AUDIT_LOCKED,
            target=locked,
            data={"number": locked.number},
        )
    return locked
