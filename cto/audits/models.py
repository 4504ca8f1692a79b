"""Readiness audit templates (immutable versions), audits of engagements, and their answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from cto.audits import definition as definition_module
from cto.audits import scoring
from cto.core.models import TimeStampedModel
from cto.core.versioning import (
    ContentParent,
    ContentVersion,
    ContentVersionQuerySet,
    version_constraints,
)
from cto.engagements.models import Engagement
from cto.users.models import User


class AuditTemplate(ContentParent):
    class Meta:
        ordering = ["slug"]


class AuditTemplateVersion(ContentVersion):
    template = models.ForeignKey(AuditTemplate, on_delete=models.PROTECT, related_name="versions")
    parent_field = "template"
    parse_definition = staticmethod(definition_module.parse)

    objects = ContentVersionQuerySet["AuditTemplateVersion"].as_manager()

    class Meta:
        ordering = ["template__slug", "-number"]
        constraints = version_constraints(parent_field="template", prefix="audit")

    def parsed(self) -> definition_module.AuditTemplate:
        return super().parsed()


class AuditQuerySet(models.QuerySet["Audit"]):
    def for_user(self, user: User) -> AuditQuerySet:
        """Audits of the engagements ``user`` may see (all for operators)."""
        return self.filter(engagement__in=Engagement.objects.for_user(user))

    def with_template(self) -> AuditQuerySet:
        return self.select_related("template_version__template", "engagement__organization").defer(
            "template_version__definition"
        )


class Audit(TimeStampedModel):
    """One run of the readiness audit for an engagement; re-run later to show progress."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        LOCKED = "locked", "Locked"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="audits")
    template_version = models.ForeignKey(
        AuditTemplateVersion, on_delete=models.PROTECT, related_name="audits"
    )
    number = models.PositiveIntegerField(help_text="1 for the first audit of the engagement, …")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set by audit_answer_save with each answer, so that the dashboard tells which open audits
    # have gone quiet without reading their answers.
    last_answered_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["engagement", "-number"]
        indexes = [
            # The dashboard's audits waiting on the client (selectors.audits_quiet): the
            # few open audits, without reading the engagements or the locked audits.
            models.Index(
                fields=["created_at"], condition=models.Q(status="open"), name="audit_open"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "number"], name="audit_number_unique"),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(locked_at__isnull=False),
                name="audit_locked_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Audit {self.number} of {self.engagement}"

    def get_absolute_url(self) -> str:
        return reverse("audits:detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class AuditAnswer(models.Model):
    """The answer to one question of one audit: a level 0-4 or not applicable."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=64)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)
    note = models.TextField(blank=True, max_length=4000)
    evidence_url = models.URLField(blank=True, max_length=500)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Each save bumps it; a save from a page showing an older number is refused, not applied.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audit", "question"], name="audit_answer_once"),
            models.CheckConstraint(
                condition=(
                    models.Q(level__isnull=False)
                    & models.Q(level__lte=4)
                    & models.Q(not_applicable=False)
                )
                | (models.Q(level__isnull=True) & models.Q(not_applicable=True)),
                name="audit_answer_level_or_na",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.audit}: {self.question} = {self.value}"

    @property
    def value(self) -> scoring.Answer:
        return scoring.NOT_APPLICABLE if self.not_applicable else int(self.level or 0)
