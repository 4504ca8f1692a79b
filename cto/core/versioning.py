"""Content authored as data (decision trees, audit templates, checklist templates) and kept
as numbered versions that never change once published. Each app subclasses ContentVersion with
a foreign key to its own parent and parses the definition with its own pure module."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Max


def definition_checksum(definition: Any) -> str:
    """sha256 of the definition in a canonical JSON form: equal content, equal checksum."""
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def next_version_number(versions: models.QuerySet[Any]) -> int:
    return (versions.aggregate(top=Max("number"))["top"] or 0) + 1


class ContentVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # The authored mapping (from YAML), exactly as validated; parsed on use.
    definition = models.JSONField()
    checksum = models.CharField(max_length=64, help_text="sha256 of the definition")
    source_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED
