"""Engagements and their timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse

from cto.core.models import TimeStampedModel
from cto.engagements.stages import PIPELINE, Stage, allowed_targets
from cto.users.models import Membership

if TYPE_CHECKING:
    from cto.users.models import User


class EngagementQuerySet(models.QuerySet["Engagement"]):
    def for_user(self, user: User) -> EngagementQuerySet:
        """What ``user`` may see: everything for operators, their organisations' otherwise."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(
            organization_id__in=Membership.objects.filter(user=user).values("organization_id")
        )

    def with_related(self) -> EngagementQuerySet:
        return self.select_related("organization", "lead", "contact")


class Engagement(TimeStampedModel):
    """A piece of work for one client organisation, from first contact to completion."""

    class Kind(models.TextChoices):
        GENERIC = "generic", "Fractional CTO"
        AI = "ai", "Fractional AI CTO"

    organization = models.ForeignKey(
        "users.Organization", on_delete=models.PROTECT, related_name="engagements"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.GENERIC)
    kind_confirmed = models.BooleanField(
        default=False,
        help_text="The intake recommends a kind; an operator confirms it.",
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.LEAD)
    paused_from = models.CharField(
        max_length=16,
        choices=Stage.choices,
        blank=True,
        help_text="The stage a paused engagement resumes to.",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_engagements",
        limit_choices_to={"is_staff": True, "is_service_account": False},
        verbose_name="lead operator",
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_engagements",
        help_text="The client's main contact.",
    )
    start_date = models.DateField(null=True, blank=True)
    stage_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Bumped by every write through a service; a writer holding an older number is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage__in=Stage.values), name="engagement_stage_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["generic", "ai"]), name="engagement_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(stage="paused") | models.Q(paused_from=""),
                name="engagement_paused_from_only_when_paused",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "-updated_at"], name="engagement_stage_recent"),
            # The admin's list in its default order (-updated_at, then -pk): the first page is
            # read off the index instead of sorting every engagement.
            models.Index(fields=["-updated_at", "-id"], name="engagement_admin_recent"),
            # The dashboard's board: each stage's latest few by the time they entered it
            # (cto.ops.selectors.board), a LIMIT that stops early instead of a sort per stage.
            models.Index(
                F("stage"),
                Coalesce("stage_changed_at", "created_at").desc(),
                F("id").desc(),
                name="engagement_board_stage_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("engagements:portal_detail", kwargs={"pk": self.pk})

    @property
    def next_stages(self) -> list[Stage]:
        """Where this engagement may go next, in pipeline order."""
        order = list(Stage)
        return sorted(
            allowed_targets(self.stage, paused_from=self.paused_from or None), key=order.index
        )

    @property
    def ai_plan_or_none(self) -> models.Model | None:
        """The engagement's AI plan (the aiplan app's reverse one-to-one), if it has one."""
        try:
            return self.ai_plan
        except models.ObjectDoesNotExist:
            return None

    @property
    def pipeline_position(self) -> int | None:
        """1-based position on the main line, or ``None`` when lost or paused."""
        try:
            return PIPELINE.index(Stage(self.stage)) + 1
        except ValueError:
            return None


class ActivityEvent(models.Model):
    """One entry on an engagement's timeline: who did what, to what, when. Never edited."""

    class Verb(models.TextChoices):
        CREATED = "engagement.created", "created the engagement"
        STAGE_CHANGED = "engagement.stage_changed", "changed the stage"
        UPDATED = "engagement.updated", "edited the engagement"
        INTAKE_SUBMITTED = "intake.submitted", "sent the intake"
        INTAKE_PROVEN = "intake.proven", "contact proved their address"
        INTAKE_DISMISSED = (
            "intake.dismissed",
            "the owner of the address said the intake was not them",
        )
        INTAKE_CALL_REQUESTED = "intake.call_requested", "asked for a first call"
        AUDIT_OPENED = "audit.opened", "opened an audit"
        AUDIT_LOCKED = "audit.locked", "locked an audit"
        AUDIT_ANSWERED = "audit.answered", "answered an audit question"  # recorded by cto.mcp
        PLAN_CHANGED = "aiplan.changed", "changed the AI plan"
        GATE_VERDICT = "gate.verdict_changed", "a receipt changed an eval gate's verdict"
        CHECKLIST_CHANGED = "checklist.changed", "changed the checklist"
        QUOTE_CHANGED = "quote.changed", "changed a quote"
        QUOTE_ACCEPTED = "quote.accepted", "accepted a quote"
        REPORT_CHANGED = "report.changed", "changed a report"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activity",
    )
    # One of Verb; not declared as the field's choices, so that a new kind of event (each app
    # adds its own) needs no migration of this table.
    verb = models.CharField(max_length=64)
    # What the event is about, when that is not the engagement itself (an audit, a quote...).
    target_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When the people concerned were emailed about it; set by the notification task.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["engagement", "-created_at"], name="event_engagement_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.actor or 'system'} {self.verb_label} ({self.created_at:%Y-%m-%d})"

    @property
    def verb_label(self) -> str:
        return dict(self.Verb.choices).get(self.verb, self.verb)

    @property
    def summary(self) -> str:
        """One line for the timeline."""
        if self.verb == self.Verb.STAGE_CHANGED:
            labels = dict(Stage.choices)
            before = labels.get(self.data.get("from", ""), self.data.get("from", ""))
            after = labels.get(self.data.get("to", ""), self.data.get("to", ""))
            return f"Stage moved from {before} to {after}"
        if self.verb == self.Verb.INTAKE_SUBMITTED:
            recommended = self.data.get("outcome_title") or self.data.get("outcome", "")
            return f"Intake sent: recommended {recommended}"
        if self.verb == self.Verb.INTAKE_CALL_REQUESTED:
            return f"Asked for a first call on {self.data.get('when', '')}".strip()
        if self.verb in (self.Verb.AUDIT_OPENED, self.Verb.AUDIT_LOCKED):
            action = "opened" if self.verb == self.Verb.AUDIT_OPENED else "locked"
            return f"Readiness audit {self.data.get('number', '')} {action}"
        if self.verb == self.Verb.AUDIT_ANSWERED:
            question = self.data.get("question", "")
            return f"Readiness audit {self.data.get('number', '')}: answered {question}"
        if self.verb == self.Verb.PLAN_CHANGED:
            return f"AI plan: {self.data.get('change', 'changed')}"
        if self.verb == self.Verb.GATE_VERDICT:
            gate, before, after = (self.data.get(k, "") for k in ("gate", "from", "to"))
            return f"Eval gate {gate}: {before} → {after}"
        if self.verb == self.Verb.REPORT_CHANGED:
            return f"Report: {self.data.get('change', 'changed')}"
        if self.verb in (self.Verb.QUOTE_CHANGED, self.Verb.QUOTE_ACCEPTED):
            return f"Quote: {self.data.get('change', 'changed')}"
        if self.verb == self.Verb.CHECKLIST_CHANGED:
            return f"Checklist: {self.data.get('change', 'changed')}"
        if self.verb == self.Verb.UPDATED:
            fields = ", ".join(name.replace("_", " ") for name in self.data.get("fields", []))
            return f"Edited {fields}"
        return str(self.verb_label).capitalize()
