"""Report records: one row per generated PDF, numbered per engagement and kind, with the input
snapshot it was made from and the figures of its rendering; and the text an operator writes
for each kind (ReportNarrative), which each new version freezes into its snapshot."""

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
        """The reports of the user's organisations that the user may read: every version for
        an operator, no draft for a client."""
        return self.filter(engagement__in=Engagement.objects.for_user(user)).shown_to(user)

    def shown_to(self, user: User) -> ReportQuerySet:
        """What ``user`` may read of these reports: a draft is for the practice to review (its
        text may be missing or unfinished), for operators only, as a draft quote is."""
        return self if user.is_staff else self.shown_to_clients()

    def shown_to_clients(self) -> ReportQuerySet:
        return self.exclude(release=Report.Release.DRAFT)


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

    class Release(models.TextChoices):
        """Who a version is for. A draft is the practice's to review; a final is for the
        client and carries the operator's written summary; an automatic one is the summary
        a prospect gets the moment they send the intake, made from their answers alone."""

        DRAFT = "draft", "Draft for review"
        FINAL = "final", "Final, for the client"
        AUTOMATIC = "automatic", "Prepared automatically"

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    number = models.PositiveIntegerField(help_text="1, 2, ... per engagement and kind")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    release = models.CharField(max_length=16, choices=Release.choices, default=Release.DRAFT)
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


# What an operator may ask for by hand: an automatic version is the intake's own.
REQUESTABLE_RELEASES = [
    (Report.Release.DRAFT.value, "Draft for review (the practice only)"),
    (Report.Release.FINAL.value, "Final, for the client"),
]


class ReportNarrative(TimeStampedModel):
    """What only a person can write in a report of one kind for one engagement: the summary
    (what we found, what we recommend, what it costs to wait), the key findings, the risks,
    and the next steps with an owner and a date. Markdown text as typed; each report version
    freezes its sanitised HTML (``cto.reports.markup``) into the snapshot, so editing here
    changes only the versions requested afterwards."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="narratives")
    kind = models.CharField(max_length=16, choices=Report.Kind.choices)
    summary = models.TextField(blank=True)
    findings = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    # [{"action": str, "owner": str, "due": "YYYY-MM-DD"}, ...] in the order the report shows
    # them: one document with the text, saved and versioned with it.
    next_steps = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="Bumped by every save")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["engagement", "kind"], name="narrative_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"Text of the {Report.Kind(self.kind).label.lower()} of {self.engagement}"

    @property
    def is_written(self) -> bool:
        """Whether the operator has written anything at all."""
        return bool(
            self.summary.strip() or self.findings.strip() or self.risks.strip() or self.next_steps
        )
