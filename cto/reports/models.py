"""Report records: one row per generated PDF, numbered per engagement and kind, with the input
snapshot it was made from and the figures of its rendering."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from cto.core.models import TimeStampedModel
from cto.core.storage import private_storage
from cto.engagements.models import Engagement
from cto.users.models import User


def _report_path(instance: Report, filename: str) -> str:
    # One name per report row, whatever the attempt: a worker killed after writing the file
    # but before its transaction committed leaves the file under the very name the next
    # attempt writes, and the next attempt replaces it instead of leaving it orphaned.
    return f"reports/{instance.engagement_id}/report-{instance.pk}.pdf"


class ReportQuerySet(models.QuerySet["Report"]):
    def for_user(self, user: User) -> ReportQuerySet:
        return self.filter(engagement__in=Engagement.objects.for_user(user))


class Report(TimeStampedModel):
    class Kind(models.TextChoices):
        WEEK_ONE = "week_one", "Week-one deliverable"
        INTAKE_SUMMARY = "intake_summary", "Intake summary"
        AUDIT = "audit", "Readiness audit report"
        QUOTE = "quote", "Quote"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    number = models.PositiveIntegerField(help_text="1, 2, ... per engagement and kind")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    snapshot = models.JSONField(default=dict, help_text="Every input, gathered once")
    snapshot_sha256 = models.CharField(max_length=64, blank=True)
    generator = models.CharField(max_length=40, blank=True)
    file = models.FileField(
        upload_to=_report_path, storage=private_storage, blank=True, max_length=300
    )
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    bytes = models.PositiveIntegerField(null=True, blank=True)
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the requester was told it is ready"
    )
    # None for the reports nobody asked for by hand: the intake summary a submission queues.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["engagement", "kind", "-number"]
        indexes = [
            # The dashboard's failed reports: the few failed among the many ready, oldest first.
            models.Index(
                fields=["updated_at", "id"],
                condition=models.Q(status="failed"),
                name="report_failed",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "kind", "number"], name="report_number_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(sha256=""),
                name="report_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.number} of {self.engagement}"

    def get_download_url(self) -> str:
        return reverse("reports:download", args=[self.pk])

    @property
    def filename(self) -> str:
        return f"{self.kind.replace('_', '-')}-{self.engagement_id}-v{self.number}.pdf"
