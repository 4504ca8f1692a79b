"""Week-one checklists: template versions, an engagement's checklist, its items and the
evidence that proves them."""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from cto.checklists import definition as definition_module
from cto.core.models import TimeStampedModel
from cto.core.storage import private_storage
from cto.core.versioning import (
    ContentParent,
    ContentVersion,
    ContentVersionQuerySet,
    version_constraints,
)
from cto.engagements.models import Engagement
from cto.users.models import User


class ChecklistTemplate(ContentParent):
    """The checklist template's versions hang from it (today one: the week-one checklist)."""


class ChecklistTemplateVersion(ContentVersion):
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="versions"
    )
    parent_field = "template"
    parse_definition = staticmethod(definition_module.parse)

    objects = ContentVersionQuerySet["ChecklistTemplateVersion"].as_manager()

    class Meta:
        ordering = ["template__slug", "-number"]
        # Made without the publication-time check the other version tables have.
        constraints = version_constraints(
            parent_field="template", prefix="checklist", published_has_time=False
        )

    def parsed(self) -> definition_module.ChecklistSpec:
        return super().parsed()


def due_date_expression(start: Any, due_day: Any) -> models.Func:
    """An item's due date computed by the database from its engagement's start date and its due
    day: day 1 is the start date itself, as in ``cto.checklists.definition.due_date``."""
    days_in = models.ExpressionWrapper(
        (due_day - 1) * datetime.timedelta(days=1), output_field=models.DurationField()
    )
    return Cast(
        models.ExpressionWrapper(start + days_in, output_field=models.DateField()),
        models.DateField(),
    )


class ChecklistQuerySet(models.QuerySet["Checklist"]):
    def for_user(self, user: User) -> ChecklistQuerySet:
        return self.filter(engagement__in=Engagement.objects.for_user(user))

    def refresh_earliest_open_day(self) -> int:
        """Set ``earliest_open_day`` from the items as they are now, in one UPDATE."""
        earliest = (
            ChecklistItem.objects.open()
            .filter(checklist=models.OuterRef("pk"))
            .order_by()
            .values("checklist")
            .annotate(day=models.Min("due_day"))
            .values("day")
        )
        return self.update(earliest_open_day=models.Subquery(earliest))


class Checklist(TimeStampedModel):
    engagement = models.OneToOneField(
        Engagement, on_delete=models.CASCADE, related_name="checklist"
    )
    template_version = models.ForeignKey(
        ChecklistTemplateVersion, on_delete=models.PROTECT, related_name="checklists"
    )
    # Kept by every service that opens, finishes, adds or drops an item (cto.checklists.services,
    # under the checklist's lock), so that the dashboard finds the checklists with overdue items
    # among a practice's thousands without reading their items. A day, not a date: it stays
    # right when the engagement's start date moves.
    earliest_open_day = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The due day of its earliest open item; empty when every item is finished",
    )

    objects = ChecklistQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["earliest_open_day"],
                condition=models.Q(earliest_open_day__isnull=False),
                name="checklist_with_open_items",
            ),
        ]

    def __str__(self) -> str:
        return f"Week-one checklist of {self.engagement}"

    def get_absolute_url(self) -> str:
        return reverse("checklists:detail", args=[self.engagement_id])


class ChecklistItemQuerySet(models.QuerySet["ChecklistItem"]):
    def live(self) -> ChecklistItemQuerySet:
        return self.filter(dropped_at__isnull=True)

    def open(self) -> ChecklistItemQuerySet:
        """Live and not finished: what is still to do."""
        return self.live().exclude(status__in=definition_module.FINISHED)


class ChecklistItem(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", "To do"
        IN_PROGRESS = "in_progress", "In progress"
        BLOCKED = "blocked", "Blocked"
        DONE = "done", "Done"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    class Side(models.TextChoices):
        PRACTICE = "practice", "Practice"
        CLIENT = "client", "Client"

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(
        max_length=64, blank=True, help_text="From the template; blank when added by hand"
    )
    section = models.CharField(max_length=120)
    title = models.CharField(max_length=200)
    done_when = models.TextField(max_length=2000, help_text="The evidence that counts")
    owner_side = models.CharField(max_length=16, choices=Side.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_day = models.PositiveSmallIntegerField(default=1)
    settled_by = models.CharField(
        max_length=32,
        blank=True,
        help_text="The app event that marks it done (from the template); blank: done by hand",
    )
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TODO)
    status_reason = models.TextField(blank=True, max_length=2000)
    effective_date = models.DateField(null=True, blank=True, help_text="When the thing was true")
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    dropped_at = models.DateTimeField(null=True, blank=True)
    dropped_reason = models.TextField(blank=True, max_length=2000)
    version = models.PositiveIntegerField(default=1)

    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done")
                | (models.Q(effective_date__isnull=False) & models.Q(done_at__isnull=False)),
                name="checklist_done_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["blocked", "not_applicable"])
                | ~models.Q(status_reason=""),
                name="checklist_blocked_or_na_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["checklist", "status"], name="checklist_item_status"),
            # The dashboard's overdue items (selectors.checklists_overdue): the few open items
            # among a million mostly finished ones, found without reading the finished ones.
            models.Index(
                fields=["checklist", "due_day"],
                condition=models.Q(dropped_at__isnull=True)
                & ~models.Q(status__in=["done", "not_applicable"]),
                name="checklist_item_open",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def due_date(self) -> datetime.date | None:
        return definition_module.due_date(self.checklist.engagement.start_date, self.due_day)

    @property
    def is_overdue(self) -> bool:
        due = self.due_date()
        return (
            due is not None
            and due < timezone.localdate()
            and self.status not in definition_module.FINISHED
        )


def _evidence_path(instance: Evidence, filename: str) -> str:
    # A random name: the original is kept in the row, never trusted as a path.
    engagement_id = instance.item.checklist.engagement_id
    return f"evidence/{engagement_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Evidence(models.Model):
    class Kind(models.TextChoices):
        LINK = "link", "Link"
        NOTE = "note", "Note"
        FILE = "file", "File"

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    url = models.URLField(blank=True, max_length=500)
    note = models.TextField(blank=True, max_length=4000)
    file = models.FileField(
        upload_to=_evidence_path, storage=private_storage, blank=True, max_length=300
    )
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return self.original_name or self.url or self.note[:40]

    def get_download_url(self) -> str:
        return reverse("checklists:evidence_download", args=[self.pk])
